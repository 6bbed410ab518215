using System.Globalization;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>Settings of the DynamoDB aggregate store, read once at cold start.</summary>
/// <param name="TableName">The single table (<c>GENAIOBS_TABLE_NAME</c>).</param>
/// <param name="EndpointUrl">Endpoint override (<c>AWS_ENDPOINT_URL_DYNAMODB</c>, else <c>AWS_ENDPOINT_URL</c>), e.g. dynalite; null for AWS.</param>
/// <param name="Region">Signing region (<c>AWS_REGION</c>), when set.</param>
/// <param name="Retention">Per-granularity retention (TTL).</param>
public sealed record DynamoDbStoreSettings(string TableName, string? EndpointUrl, string? Region, AggregateRetention Retention)
{
    public const string TableNameVariable = "GENAIOBS_TABLE_NAME";
    public const string EndpointVariable = "AWS_ENDPOINT_URL_DYNAMODB";
    public const string GlobalEndpointVariable = "AWS_ENDPOINT_URL";
    public const string RegionVariable = "AWS_REGION";
    public const string FineRetentionDaysVariable = "GENAIOBS_RETENTION_FINE_DAYS";
    public const string HourlyRetentionDaysVariable = "GENAIOBS_RETENTION_HOURLY_DAYS";
    public const string DailyRetentionDaysVariable = "GENAIOBS_RETENTION_DAILY_DAYS";
    public const string SessionRetentionHoursVariable = "GENAIOBS_RETENTION_SESSION_HOURS";

    /// <summary>
    /// Reads the settings; null when <c>GENAIOBS_TABLE_NAME</c> is unset (the store is optional
    /// in the Lambdas). A malformed retention value throws, naming the variable.
    /// </summary>
    public static DynamoDbStoreSettings? FromEnvironment(Func<string, string?> getVariable)
    {
        var table = getVariable(TableNameVariable);
        if (string.IsNullOrWhiteSpace(table))
        {
            return null;
        }

        return new DynamoDbStoreSettings(table.Trim(), EndpointFrom(getVariable), NullIfBlank(getVariable(RegionVariable)), RetentionFrom(getVariable));
    }

    /// <summary>The endpoint override: the DynamoDB-specific variable wins over the global one.</summary>
    public static string? EndpointFrom(Func<string, string?> getVariable) =>
        NullIfBlank(getVariable(EndpointVariable)) ?? NullIfBlank(getVariable(GlobalEndpointVariable));

    public static AggregateRetention RetentionFrom(Func<string, string?> getVariable)
    {
        var defaults = AggregateRetention.Default;
        return defaults with
        {
            Fine = Duration(getVariable, FineRetentionDaysVariable, TimeSpan.FromDays(1), defaults.Fine),
            Hourly = Duration(getVariable, HourlyRetentionDaysVariable, TimeSpan.FromDays(1), defaults.Hourly),
            Daily = Duration(getVariable, DailyRetentionDaysVariable, TimeSpan.FromDays(1), defaults.Daily),
            ShortLived = Duration(getVariable, SessionRetentionHoursVariable, TimeSpan.FromHours(1), defaults.ShortLived),
        };
    }

    private static TimeSpan Duration(Func<string, string?> getVariable, string name, TimeSpan unit, TimeSpan fallback)
    {
        var text = getVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || value > 10_000)
        {
            throw new InvalidOperationException($"{name} must be a positive number, got an invalid value.");
        }

        return unit * value;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
