using System.Globalization;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>Settings of the DynamoDB aggregate store, read once at cold start.</summary>
/// <param name="TableName">The single table (<c>GENAIOBS_TABLE_NAME</c>).</param>
/// <param name="EndpointUrl">Endpoint override (<c>AWS_ENDPOINT_URL_DYNAMODB</c>, else <c>AWS_ENDPOINT_URL</c>), e.g. dynalite; null for AWS.</param>
/// <param name="Region">Signing region (<c>AWS_REGION</c>), when set.</param>
/// <param name="Retention">Per-granularity retention (TTL).</param>
/// <param name="WriteMode">How the processors write aggregates (<c>GENAIOBS_AGGREGATE_WRITES</c>: <c>direct</c>, the default, or <c>deferred</c>).</param>
public sealed record DynamoDbStoreSettings(string TableName, string? EndpointUrl, string? Region, AggregateRetention Retention, AggregateWriteMode WriteMode = AggregateWriteMode.Direct)
{
    public const string WriteModeVariable = EnvironmentVariables.AggregateWrites;
    public const string TableNameVariable = EnvironmentVariables.TableName;
    public const string EndpointVariable = EnvironmentVariables.EndpointUrlDynamoDb;
    public const string GlobalEndpointVariable = EnvironmentVariables.EndpointUrl;
    public const string RegionVariable = EnvironmentVariables.Region;
    public const string FineRetentionDaysVariable = EnvironmentVariables.RetentionFineDays;
    public const string HourlyRetentionDaysVariable = EnvironmentVariables.RetentionHourlyDays;
    public const string DailyRetentionDaysVariable = EnvironmentVariables.RetentionDailyDays;
    public const string SessionRetentionHoursVariable = EnvironmentVariables.RetentionSessionHours;

    /// <summary>Every variable <see cref="FromEnvironment"/> reads (the table is optional here; the evaluator requires it).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(TableNameVariable, "the aggregates table; unset = the processors do not aggregate"),
        SettingVariable.Deployment(WriteModeVariable, "direct (each delivery updates its items) or deferred (one delta item per delivery, rolled up by the evaluator); default direct"),
        SettingVariable.Deployment(FineRetentionDaysVariable, "days 5-minute aggregates are kept (default 3)"),
        SettingVariable.Deployment(HourlyRetentionDaysVariable, "days hourly aggregates are kept (default 35)"),
        SettingVariable.Deployment(DailyRetentionDaysVariable, "days daily aggregates are kept (default 400)"),
        SettingVariable.Deployment(SessionRetentionHoursVariable, "hours session and trace aggregates are kept (default 24)"),
        SettingVariable.LocalOverride(EndpointVariable, "DynamoDB endpoint override (dynalite)"),
        SettingVariable.LocalOverride(GlobalEndpointVariable, "endpoint override for every AWS service"),
        SettingVariable.Lambda(RegionVariable, "the DynamoDB client's region"),
    ];

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

        return new DynamoDbStoreSettings(table.Trim(), EndpointFrom(getVariable), NullIfBlank(getVariable(RegionVariable)), RetentionFrom(getVariable), WriteModeFrom(getVariable));
    }

    /// <summary>The aggregate write mode; anything but <c>direct</c> or <c>deferred</c> (any case) throws, naming the variable.</summary>
    public static AggregateWriteMode WriteModeFrom(Func<string, string?> getVariable) =>
        NullIfBlank(getVariable(WriteModeVariable))?.ToLowerInvariant() switch
        {
            null or "direct" => AggregateWriteMode.Direct,
            "deferred" => AggregateWriteMode.Deferred,
            _ => throw new InvalidOperationException($"{WriteModeVariable} must be direct or deferred, got an invalid value."),
        };

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
