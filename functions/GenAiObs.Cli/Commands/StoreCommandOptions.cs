using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// Where the store commands find the table: <c>--table</c> else <c>GENAIOBS_TABLE_NAME</c>;
/// <c>--endpoint</c> else <c>AWS_ENDPOINT_URL_DYNAMODB</c>, then <c>AWS_ENDPOINT_URL</c>
/// (unset: AWS itself, region from <c>AWS_REGION</c>). <c>GENAIOBS_MAX_VALUES</c> gives the
/// per-bucket limits a read of deltas not rolled up yet folds them to, as the evaluator's roll-up will.
/// </summary>
internal sealed record StoreCommandOptions(string TableName, string? EndpointUrl, string? Region, AggregateRetention Retention, CardinalityLimits Limits)
{
    public static StoreCommandOptions From(IReadOnlyDictionary<string, string> variables, string? table, string? endpoint)
    {
        string? Get(string name) => variables.TryGetValue(name, out var value) ? value : null;
        var tableName = table ?? Get(DynamoDbStoreSettings.TableNameVariable);
        if (string.IsNullOrWhiteSpace(tableName))
        {
            throw new CliUsageException($"no table: pass --table NAME or set {DynamoDbStoreSettings.TableNameVariable}");
        }

        AggregateRetention retention;
        try
        {
            retention = DynamoDbStoreSettings.RetentionFrom(Get);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        CardinalityLimits limits;
        try
        {
            limits = CardinalitySettings.Read(Get);
        }
        catch (SettingsException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        return new StoreCommandOptions(
            tableName.Trim(),
            endpoint ?? DynamoDbStoreSettings.EndpointFrom(Get),
            string.IsNullOrWhiteSpace(Get(DynamoDbStoreSettings.RegionVariable)) ? null : Get(DynamoDbStoreSettings.RegionVariable),
            retention,
            limits);
    }

    /// <summary>Reads the value after an option, or fails naming it.</summary>
    public static string ValueOf(string[] args, ref int index)
    {
        if (index + 1 >= args.Length || args[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new CliUsageException($"{args[index]} needs a value");
        }

        return args[++index];
    }
}
