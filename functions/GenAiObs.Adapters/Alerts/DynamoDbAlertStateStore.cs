using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Alerts;

/// <summary>
/// <see cref="IAlertStateStore"/> on the project's single DynamoDB table (keys: <see cref="TableLayout"/>).
/// All groups share the partition <c>pk = "alertstate"</c> (sk <c>group#{group id}</c>)
/// so one Query loads them; there are tens of groups and one evaluation every five minutes, far
/// below a partition's limits. Attributes: <c>version</c> (N), <c>state</c> (S, JSON),
/// <c>pendingId</c>/<c>leaseUntil</c> while a notification is claimed, <c>expiresAt</c> (TTL,
/// epoch seconds) so closed groups disappear on their own.
/// <para>
/// Every call goes through the <see cref="DynamoDbRetryPolicy"/> the aggregate store uses
/// (throttling, 5xx and transport errors; the client itself does not retry), so one throttled
/// confirm after SNS accepted a message does not fail the run and publish it again. A retried
/// conditional write whose first attempt did reach the table (the answer was lost) fails its
/// condition on the retry and reads as a conflict: a confirm then has still been recorded, and a
/// claim is left to expire, after which the next evaluation publishes — late by one run, never twice.
/// </para>
/// </summary>
/// <param name="partition">The pk value the groups live under; the default suits a table per deployment.</param>
/// <param name="retry">Retries of throttled and failed calls; the default is the aggregate store's (6 attempts, 50 ms doubling to 5 s, full jitter).</param>
public sealed class DynamoDbAlertStateStore(IAmazonDynamoDB dynamoDb, string tableName, string partition = TableLayout.AlertStatePartition, DynamoDbRetryPolicy? retry = null) : IAlertStateStore
{
    private readonly DynamoDbRetryPolicy _retry = retry ?? new DynamoDbRetryPolicy();

    /// <summary>Every DynamoDB API this store calls (IAM action names without the prefix; a test records the calls the evaluator makes through a recording client).</summary>
    public static IReadOnlyList<string> DynamoDbActions { get; } = ["Query", "UpdateItem"];

    private static readonly string SaveState =
        $"SET {TableLayout.Version} = :next, #state = :state, {TableLayout.ExpiresAt} = :expires REMOVE {TableLayout.PendingId}, {TableLayout.LeaseUntil}";

    private static readonly string ExpectClaim = $"{TableLayout.Version} = :expected AND {TableLayout.PendingId} = :id";

    public async Task<IReadOnlyList<StoredAlertGroup>> LoadAsync(CancellationToken cancellationToken)
    {
        var groups = new List<StoredAlertGroup>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = TableLayout.PartitionKey, ["#sk"] = TableLayout.SortKey },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":pk"] = new() { S = partition },
                    [":prefix"] = new() { S = TableLayout.AlertGroupPrefix },
                },
                ConsistentRead = true,
                ExclusiveStartKey = startKey,
            };
            var response = await _retry.ExecuteAsync(token => dynamoDb.QueryAsync(request, token), cancellationToken).ConfigureAwait(false);

            foreach (var item in response.Items ?? [])
            {
                var groupId = TableLayout.ParseAlertGroupSortKey(item[TableLayout.SortKey].S);
                var version = long.Parse(item[TableLayout.Version].N, CultureInfo.InvariantCulture);
                var state = item.TryGetValue(TableLayout.State, out var s) && s.S is { } json ? AlertJson.DeserializeState(json) : null;
                PendingNotification? pending = item.TryGetValue(TableLayout.PendingId, out var p) && p.S is { } id && item.TryGetValue(TableLayout.LeaseUntil, out var l)
                    ? new PendingNotification(id, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(l.N, CultureInfo.InvariantCulture)))
                    : null;
                groups.Add(new StoredAlertGroup(groupId, version, state, pending));
            }

            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);

        return groups;
    }

    public Task<bool> TrySaveAsync(string groupId, long expectedVersion, AlertGroupState state, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        UpdateAsync(
            groupId,
            SaveState,
            ExpectVersion(expectedVersion),
            new()
            {
                [":next"] = Number(expectedVersion + 1),
                [":state"] = new() { S = AlertJson.SerializeState(state) },
                [":expires"] = Number(expiresAt.ToUnixTimeSeconds()),
            },
            expectedVersion,
            cancellationToken);

    public async Task<long?> TryClaimAsync(string groupId, long expectedVersion, PendingNotification pending, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var claimed = await UpdateAsync(
            groupId,
            $"SET {TableLayout.Version} = :next, {TableLayout.PendingId} = :id, {TableLayout.LeaseUntil} = :lease, {TableLayout.ExpiresAt} = :expires",
            ExpectVersion(expectedVersion),
            new()
            {
                [":next"] = Number(expectedVersion + 1),
                [":id"] = new() { S = pending.NotificationId },
                [":lease"] = Number(pending.LeaseUntil.ToUnixTimeMilliseconds()),
                [":expires"] = Number(expiresAt.ToUnixTimeSeconds()),
            },
            expectedVersion,
            cancellationToken).ConfigureAwait(false);
        return claimed ? expectedVersion + 1 : null;
    }

    public Task<bool> TryConfirmAsync(string groupId, long claimedVersion, string notificationId, AlertGroupState state, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        UpdateAsync(
            groupId,
            SaveState,
            ExpectClaim,
            new()
            {
                [":next"] = Number(claimedVersion + 1),
                [":state"] = new() { S = AlertJson.SerializeState(state) },
                [":expires"] = Number(expiresAt.ToUnixTimeSeconds()),
                [":id"] = new() { S = notificationId },
            },
            claimedVersion,
            cancellationToken);

    public Task<bool> TryReleaseAsync(string groupId, long claimedVersion, string notificationId, CancellationToken cancellationToken) =>
        UpdateAsync(
            groupId,
            $"SET {TableLayout.Version} = :next REMOVE {TableLayout.PendingId}, {TableLayout.LeaseUntil}",
            ExpectClaim,
            new()
            {
                [":next"] = Number(claimedVersion + 1),
                [":id"] = new() { S = notificationId },
            },
            claimedVersion,
            cancellationToken);

    private static string ExpectVersion(long expectedVersion) =>
        expectedVersion == 0 ? $"attribute_not_exists({TableLayout.PartitionKey})" : $"{TableLayout.Version} = :expected";

    private async Task<bool> UpdateAsync(
        string groupId,
        string updateExpression,
        string condition,
        Dictionary<string, AttributeValue> values,
        long expectedVersion,
        CancellationToken cancellationToken)
    {
        if (condition.Contains(":expected", StringComparison.Ordinal))
        {
            values[":expected"] = Number(expectedVersion);
        }

        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = TableLayout.Key(partition, TableLayout.AlertGroupSortKey(groupId)),
            UpdateExpression = updateExpression,
            ConditionExpression = condition,
            ExpressionAttributeValues = values,
        };
        if (updateExpression.Contains("#state", StringComparison.Ordinal))
        {
            // "state" is not reserved today, but the name map keeps us safe if it becomes so.
            request.ExpressionAttributeNames = new Dictionary<string, string> { ["#state"] = TableLayout.State };
        }

        try
        {
            await _retry.ExecuteAsync(token => dynamoDb.UpdateItemAsync(request, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
