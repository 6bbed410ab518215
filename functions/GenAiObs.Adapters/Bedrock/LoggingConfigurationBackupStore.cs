using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Adapters.DynamoDb;

namespace GenAiObs.Adapters.Bedrock;

/// <summary>
/// Keeps the model invocation logging configuration the stack replaced (only when the user allowed
/// replacing it), so deleting the stack can put it back. One item per region in the stack's own
/// table: a custom resource's Delete request carries only its properties, not what it found.
/// </summary>
public sealed class LoggingConfigurationBackupStore
{
    /// <summary>Every DynamoDB API this store calls (IAM action names without the <c>dynamodb:</c> prefix).</summary>
    public static IReadOnlyList<string> DynamoDbActions { get; } = ["GetItem", "PutItem", "DeleteItem"];

    private readonly IAmazonDynamoDB _dynamoDb;
    private readonly string _tableName;
    private readonly TimeProvider _time;

    public LoggingConfigurationBackupStore(IAmazonDynamoDB dynamoDb, string tableName, TimeProvider time)
    {
        _dynamoDb = dynamoDb;
        _tableName = tableName;
        _time = time;
    }

    /// <summary>Saves <paramref name="loggingConfigJson"/> unless a backup exists already (the first replaced configuration is the one to restore).</summary>
    public async Task SaveIfAbsentAsync(string region, string loggingConfigJson, CancellationToken cancellationToken)
    {
        try
        {
            await _dynamoDb.PutItemAsync(new PutItemRequest
            {
                TableName = _tableName,
                Item = new Dictionary<string, AttributeValue>(Key(region))
                {
                    [TableLayout.LoggingConfig] = new() { S = loggingConfigJson },
                    [TableLayout.SavedAt] = new() { S = _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
                },
                ConditionExpression = $"attribute_not_exists({TableLayout.PartitionKey})",
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Kept: an earlier Create already saved the configuration it replaced.
        }
    }

    /// <summary>The saved configuration JSON, or null.</summary>
    public async Task<string?> LoadAsync(string region, CancellationToken cancellationToken)
    {
        var response = await _dynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = _tableName,
            Key = Key(region),
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && item.TryGetValue(TableLayout.LoggingConfig, out var value) ? value.S : null;
    }

    public Task DeleteAsync(string region, CancellationToken cancellationToken) =>
        _dynamoDb.DeleteItemAsync(new DeleteItemRequest { TableName = _tableName, Key = Key(region) }, cancellationToken);

    private static Dictionary<string, AttributeValue> Key(string region) => TableLayout.Key(TableLayout.LoggingBackupPartition, region);
}
