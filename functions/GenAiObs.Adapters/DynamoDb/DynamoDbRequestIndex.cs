using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Core.Quality;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// The quality join index in the aggregates table: one item per tagged request or trace
/// (<c>J#r#&lt;requestId&gt;</c> / <c>J#t#&lt;traceId&gt;</c>, sort key <c>join</c>), expiring one hour
/// after the join window. Each delivery writes its cost share as its own attribute
/// (<c>c_</c> + the delivery's marker) with one UpdateItem per entry, so a redelivery rewrites the
/// same attribute and a trace spread over deliveries sums on read. Lookups are BatchGetItem calls
/// of at most 100 keys (the API's limit), retrying unprocessed keys.
/// </summary>
public sealed class DynamoDbRequestIndex : IRequestIndex
{
    /// <summary>The actions this index calls (the processors' role grants them on the table).</summary>
    public static IReadOnlyList<string> DynamoDbActions { get; } = ["UpdateItem", "BatchGetItem"];

    private const int MaxKeysPerBatchGet = 100;
    private const int MaxUnprocessedRounds = 8;

    private readonly IAmazonDynamoDB _client;
    private readonly string _tableName;
    private readonly TimeSpan _window;

    public DynamoDbRequestIndex(IAmazonDynamoDB client, string tableName, TimeSpan window)
    {
        _client = client;
        _tableName = tableName;
        _window = window;
    }

    public async Task PutAsync(string batchId, IReadOnlyList<IndexedRequest> entries, CancellationToken cancellationToken = default)
    {
        var cost = TableLayout.JoinCostPrefix + DynamoDbAggregateStore.MarkerOf(batchId);
        foreach (var entry in entries)
        {
            var expires = entry.At + _window + TimeSpan.FromHours(1);
            var request = new UpdateItemRequest
            {
                TableName = _tableName,
                Key = TableLayout.Key(TableLayout.JoinPartition(entry.Id), TableLayout.JoinSortKey),
                UpdateExpression = "SET #at = :at, #cost = :cost, #exp = :exp" +
                    (entry.Feature is null ? string.Empty : ", #feature = if_not_exists(#feature, :feature)") +
                    (entry.Variant is null ? string.Empty : ", #variant = if_not_exists(#variant, :variant)"),
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#at"] = TableLayout.JoinAt,
                    ["#cost"] = cost,
                    ["#exp"] = TableLayout.ExpiresAt,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":at"] = new() { N = entry.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
                    [":cost"] = new() { N = entry.CostMicros.ToString(CultureInfo.InvariantCulture) },
                    [":exp"] = new() { N = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
            };
            if (entry.Feature is not null)
            {
                request.ExpressionAttributeNames["#feature"] = TableLayout.JoinFeature;
                request.ExpressionAttributeValues[":feature"] = new() { S = entry.Feature };
            }

            if (entry.Variant is not null)
            {
                request.ExpressionAttributeNames["#variant"] = TableLayout.JoinVariant;
                request.ExpressionAttributeValues[":variant"] = new() { S = entry.Variant };
            }

            await _client.UpdateItemAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyDictionary<string, IndexedRequest>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, IndexedRequest>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(MaxKeysPerBatchGet))
        {
            var keys = chunk.Select(id => TableLayout.Key(TableLayout.JoinPartition(id), TableLayout.JoinSortKey)).ToList();
            for (var round = 0; keys.Count > 0; round++)
            {
                if (round == MaxUnprocessedRounds)
                {
                    throw new InvalidOperationException($"BatchGetItem left {keys.Count} join keys unprocessed after {MaxUnprocessedRounds} rounds.");
                }

                var response = await _client.BatchGetItemAsync(
                    new BatchGetItemRequest { RequestItems = new Dictionary<string, KeysAndAttributes> { [_tableName] = new() { Keys = keys, ConsistentRead = true } } },
                    cancellationToken).ConfigureAwait(false);
                if (response.Responses?.GetValueOrDefault(_tableName) is { } items)
                {
                    foreach (var item in items)
                    {
                        var entry = Parse(item);
                        found[entry.Id] = entry;
                    }
                }

                keys = response.UnprocessedKeys?.GetValueOrDefault(_tableName)?.Keys ?? [];
                if (keys.Count > 0)
                {
                    // The table is throttling: back off before asking again (AWS guidance for BatchGetItem).
                    await Task.Delay(TimeSpan.FromMilliseconds(50 << round), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return found;
    }

    private static IndexedRequest Parse(Dictionary<string, AttributeValue> item)
    {
        var id = item[TableLayout.PartitionKey].S[TableLayout.JoinPrefix.Length..];
        long cost = 0;
        foreach (var (name, value) in item)
        {
            if (name.StartsWith(TableLayout.JoinCostPrefix, StringComparison.Ordinal) && long.TryParse(value.N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var share))
            {
                cost += share;
            }
        }

        var at = item.TryGetValue(TableLayout.JoinAt, out var atValue) && long.TryParse(atValue.N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MinValue;
        return new IndexedRequest(id, at, cost, item.GetValueOrDefault(TableLayout.JoinFeature)?.S, item.GetValueOrDefault(TableLayout.JoinVariant)?.S);
    }
}
