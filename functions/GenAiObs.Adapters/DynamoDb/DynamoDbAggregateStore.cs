using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// <see cref="IAggregateStore"/> on one DynamoDB table (layout: <see cref="TableLayout"/>).
/// Writes are single-item operations only (dynalite has no transactions): each fine
/// (bucket, key) of a batch is one UpdateItem that ADDs every counter and the batch's marker to
/// the item's <c>batches</c> string set, on condition that the marker is not in it yet. A
/// redelivered batch — whole or after failing part-way — finds its marker on the items it
/// already reached (ConditionalCheckFailed: skipped) and completes the rest, so every record
/// counts exactly once; concurrent writers on one item serialise on DynamoDB's per-item atomicity.
/// A deferred roll-up's window (<see cref="ApplyWindowAsync"/>) is written as one packed item per
/// fine bucket instead, which every read of fine items adds to the per-key items of its bucket.
/// </summary>
public sealed class DynamoDbAggregateStore : IAggregateStore, IAggregateDeltaStore
{
    /// <summary>
    /// DynamoDB limits an expression to 4 KB. An item whose counters would not fit (many
    /// histogram bins) is written in several parts, each with its own marker
    /// (<c>&lt;marker&gt;.&lt;part&gt;</c>), so every part stays exactly-once.
    /// </summary>
    public const int MaxExpressionLength = 3800;

    /// <summary>
    /// Every DynamoDB API this store calls (IAM action names without the <c>dynamodb:</c>
    /// prefix). Kept next to the calls: a test runs the evaluator on a recording client and
    /// checks every call against it, and the template tests grant exactly these to the evaluator.
    /// </summary>
    public static IReadOnlyList<string> DynamoDbActions { get; } = ["BatchGetItem", "DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"];

    /// <summary>
    /// What <see cref="ApplyBatchAsync"/> — the processors' only use of the store — calls: one
    /// conditional UpdateItem per item (a test records the calls of a real batch).
    /// </summary>
    public static IReadOnlyList<string> ApplyBatchDynamoDbActions { get; } = ["UpdateItem"];

    /// <summary>
    /// What a processor calls in deferred mode: the delta's conditional PutItem, and for a window
    /// that no longer accepts deltas a GetItem for the delta and the direct UpdateItems.
    /// </summary>
    public static IReadOnlyList<string> DeferredWriteDynamoDbActions { get; } = ["GetItem", "PutItem", "UpdateItem"];

    private readonly IAmazonDynamoDB _client;
    private readonly string _tableName;
    private readonly AggregateRetention _retention;
    private readonly DynamoDbRetryPolicy _retry;
    private readonly int _maxParallelRequests;
    private readonly int _maxPackBytes;

    /// <param name="maxPackBytes">The largest encoding a roll-up writes as a packed item (default <see cref="WindowPacks.MaxPackBytes"/>; larger buckets are written per key).</param>
    public DynamoDbAggregateStore(IAmazonDynamoDB client, string tableName, AggregateRetention? retention = null, DynamoDbRetryPolicy? retry = null, int maxParallelRequests = 8, int maxPackBytes = WindowPacks.MaxPackBytes)
    {
        _client = client;
        _tableName = tableName;
        _retention = retention ?? AggregateRetention.Default;
        _retry = retry ?? new DynamoDbRetryPolicy();
        _maxParallelRequests = maxParallelRequests;
        _maxPackBytes = maxPackBytes;
    }

    /// <summary>
    /// The store a Lambda uses at cold start: null when <c>GENAIOBS_TABLE_NAME</c> is unset (aggregation
    /// off), else a store on a client for the configured endpoint and region.
    /// </summary>
    public static DynamoDbAggregateStore? FromEnvironment(Func<string, string?> getVariable) =>
        DynamoDbStoreSettings.FromEnvironment(getVariable) is { } settings ? FromSettings(settings) : null;

    public static DynamoDbAggregateStore FromSettings(DynamoDbStoreSettings settings) =>
        new(DynamoDbClientFactory.Create(settings.EndpointUrl, settings.Region), settings.TableName, settings.Retention);

    /// <summary>The marker a batch leaves in an item's <c>batches</c> set: 16 hex chars of SHA-256(batch id) (64 bits keep the set small; collisions within one item are ~n²/2⁶⁵).</summary>
    public static string MarkerOf(string batchId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(batchId), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    public async Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default)
    {
        var marker = MarkerOf(batch.BatchId);
        var requests = batch.Deltas.SelectMany(delta => BuildUpdates(delta, marker)).ToList();
        var (applied, skipped) = await UpdateEachOnceAsync(requests, cancellationToken).ConfigureAwait(false);

        await MarkHoursAsync(batch.Hours, cancellationToken).ConfigureAwait(false);

        return new ApplyResult(applied, skipped, requests.Count);
    }

    /// <summary>
    /// Writes a deferred window's merged batch as <see cref="WindowPacks"/>: per fine bucket one PutItem
    /// of <c>F#&lt;bucket&gt;</c> / <c>#w#&lt;window&gt;</c> holding the bucket's long-lived keys
    /// (<see cref="TableLayout.PackSortKey"/>), and the session and trace keys as per-key UpdateItems with
    /// the window's markers (RunawayAgentSession reads each session by name; they expire sooner); then
    /// marks the hours as <see cref="ApplyBatchAsync"/> does.
    /// <para>
    /// A pack is a whole-item overwrite and the merge is deterministic, so a roll-up retried after a
    /// failure part-way rewrites the same packs: exactly once without markers. A retry that sees one
    /// delta more than the failed attempt writes the fuller pack, which replaces the partial one (per-item
    /// markers would have skipped the items already reached and lost the extra delta there).
    /// </para>
    /// <para>
    /// A bucket whose keys encode to more than the pack limit (far beyond the default cardinality
    /// limits) is written per key with the window's markers instead, after deleting any pack of that
    /// bucket and window an earlier attempt left, so the keys count once either way.
    /// </para>
    /// </summary>
    public async Task<ApplyResult> ApplyWindowAsync(DateTimeOffset window, AggregateBatch merged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var packs = WindowPacks.Of(merged, _maxPackBytes);
        var marker = MarkerOf(merged.BatchId);
        var deletes = packs.OversizedBuckets
            .Select(bucket => new DeleteItemRequest { TableName = _tableName, Key = TableLayout.Key(TableLayout.AggregatePartition(Granularity.Fine, bucket), TableLayout.PackSortKey(window)) })
            .ToList();
        var puts = new List<PutItemRequest>();
        var packedKeys = 0;
        foreach (var pack in packs.Packs)
        {
            var item = TableLayout.Key(TableLayout.AggregatePartition(Granularity.Fine, pack.Bucket), TableLayout.PackSortKey(window));
            item[TableLayout.Pack] = new AttributeValue { B = new MemoryStream(pack.Encoded) };
            item[TableLayout.ExpiresAt] = Number(_retention.ExpiresAt(Granularity.Fine, pack.Bucket, AggregateKeys.Total));
            puts.Add(new PutItemRequest { TableName = _tableName, Item = item });
            packedKeys += pack.Batch.Deltas.Count;
        }

        foreach (var delete in deletes)
        {
            await _retry.ExecuteAsync(token => _client.DeleteItemAsync(delete, token), cancellationToken).ConfigureAwait(false);
        }

        await Parallel.ForEachAsync(
            puts,
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (request, token) => await _retry.ExecuteAsync(t => _client.PutItemAsync(request, t), token).ConfigureAwait(false)).ConfigureAwait(false);

        var updates = packs.PerKey.Deltas.SelectMany(delta => BuildUpdates(delta, marker)).ToList();
        var (applied, skipped) = await UpdateEachOnceAsync(updates, cancellationToken).ConfigureAwait(false);

        await MarkHoursAsync(merged.Hours, cancellationToken).ConfigureAwait(false);

        return new ApplyResult(packedKeys + applied, skipped, deletes.Count + puts.Count + updates.Count);
    }

    /// <summary>Sends each exactly-once UpdateItem, a few at a time: how many applied, and how many met their marker (skipped).</summary>
    private async Task<(int Applied, int Skipped)> UpdateEachOnceAsync(List<UpdateItemRequest> requests, CancellationToken cancellationToken)
    {
        int applied = 0, skipped = 0;
        await Parallel.ForEachAsync(
            requests,
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (request, token) =>
            {
                if (await UpdateOnceAsync(request, token).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref applied);
                }
                else
                {
                    Interlocked.Increment(ref skipped);
                }
            }).ConfigureAwait(false);
        return (applied, skipped);
    }

    /// <summary>
    /// Marks the hours a batch touched. Called after its items: a maintenance run that reads a mark
    /// before those writes landed sees a newer version when it tries to clear it, so the hour is
    /// rolled up again (IAggregateStore).
    /// </summary>
    private async Task MarkHoursAsync(IEnumerable<DateTimeOffset> hours, CancellationToken cancellationToken)
    {
        foreach (var hour in hours)
        {
            await _retry.ExecuteAsync(token => _client.UpdateItemAsync(MarkHourRequest(hour), token), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>ADD 1 to the hour's mark version; its TTL is the hour's fine retention (its items are gone by then).</summary>
    internal UpdateItemRequest MarkHourRequest(DateTimeOffset hour) => new()
    {
        TableName = _tableName,
        Key = TableLayout.Key(TableLayout.HourMarksPartition, TableLayout.HourMarkSortKey(hour)),
        UpdateExpression = "SET #t = :t ADD #v :one",
        ExpressionAttributeNames = new() { ["#t"] = TableLayout.ExpiresAt, ["#v"] = TableLayout.MarkVersion },
        ExpressionAttributeValues = new()
        {
            [":t"] = Number(SaturatingTime.UnixSeconds(SaturatingTime.Add(hour, TimeSpan.FromHours(1)), _retention.Fine)),
            [":one"] = new AttributeValue { N = "1" },
        },
    };

    public async Task<IReadOnlyList<HourMark>> GetMarkedHoursAsync(CancellationToken cancellationToken = default)
    {
        var marks = new List<HourMark>();
        foreach (var item in await QueryRawAsync(TableLayout.HourMarksPartition, cancellationToken).ConfigureAwait(false))
        {
            if (item.TryGetValue(TableLayout.SortKey, out var sk) && sk.S is { } label &&
                Buckets.TryParseLabel(label.AsSpan(), Granularity.Hourly, out var hour) &&
                item.TryGetValue(TableLayout.MarkVersion, out var version) &&
                long.TryParse(version.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            {
                marks.Add(new HourMark(hour, v));
            }
        }

        return [.. marks.OrderBy(mark => mark.Hour)];
    }

    public async Task<bool> ClearHourMarkAsync(HourMark mark, CancellationToken cancellationToken = default)
    {
        var request = new DeleteItemRequest
        {
            TableName = _tableName,
            Key = TableLayout.Key(TableLayout.HourMarksPartition, TableLayout.HourMarkSortKey(mark.Hour)),
            ConditionExpression = "#v = :v",
            ExpressionAttributeNames = new() { ["#v"] = TableLayout.MarkVersion },
            ExpressionAttributeValues = new() { [":v"] = Number(mark.Version) },
        };
        try
        {
            await _retry.ExecuteAsync(token => _client.DeleteItemAsync(request, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task<bool> PutDeltaAsync(DateTimeOffset window, AggregateBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var item = TableLayout.Key(TableLayout.DeltaPartition(window), batch.BatchId);
        item[TableLayout.Delta] = new AttributeValue { B = new MemoryStream(AggregateBatchCodec.Encode(batch)) };
        item[TableLayout.ExpiresAt] = Number(DeltaExpiresAt(window));
        var request = new PutItemRequest
        {
            TableName = _tableName,
            Item = item,
            ConditionExpression = "attribute_not_exists(#pk)",
            ExpressionAttributeNames = new() { ["#pk"] = TableLayout.PartitionKey },
        };
        try
        {
            await _retry.ExecuteAsync(token => _client.PutItemAsync(request, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // A redelivery, or a retry whose first attempt did reach the table.
            return false;
        }
    }

    public async Task<bool> HasDeltaAsync(DateTimeOffset window, string batchId, CancellationToken cancellationToken = default)
    {
        var request = new GetItemRequest
        {
            TableName = _tableName,
            Key = TableLayout.Key(TableLayout.DeltaPartition(window), batchId),
            ConsistentRead = true,
            ProjectionExpression = "#pk",
            ExpressionAttributeNames = new() { ["#pk"] = TableLayout.PartitionKey },
        };
        var response = await _retry.ExecuteAsync(token => _client.GetItemAsync(request, token), cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 };
    }

    public async Task<IReadOnlyList<AggregateBatch>> GetDeltasAsync(DateTimeOffset window, CancellationToken cancellationToken = default)
    {
        var batches = new List<AggregateBatch>();
        foreach (var item in await QueryRawAsync(TableLayout.DeltaPartition(window), cancellationToken).ConfigureAwait(false))
        {
            // A delta this version cannot read fails the roll-up (and so the run) rather than being skipped: skipping would lose it silently.
            batches.Add(AggregateBatchCodec.Decode(item[TableLayout.Delta].B.ToArray()));
        }

        return [.. batches.OrderBy(batch => batch.BatchId, StringComparer.Ordinal)];
    }

    public async Task<DateTimeOffset?> GetRollupWatermarkAsync(CancellationToken cancellationToken = default)
    {
        var request = new GetItemRequest { TableName = _tableName, Key = TableLayout.Key(TableLayout.MaintenancePartition, TableLayout.DeltaWatermarkName), ConsistentRead = true };
        var response = await _retry.ExecuteAsync(token => _client.GetItemAsync(request, token), cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && item.TryGetValue(TableLayout.WatermarkWindow, out var window) && window.N is { } seconds
            ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(seconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))
            : null;
    }

    public async Task<bool> AdvanceRollupWatermarkAsync(DateTimeOffset window, CancellationToken cancellationToken = default)
    {
        var request = new UpdateItemRequest
        {
            TableName = _tableName,
            Key = TableLayout.Key(TableLayout.MaintenancePartition, TableLayout.DeltaWatermarkName),
            UpdateExpression = "SET #w = :w",
            ConditionExpression = "attribute_not_exists(#w) OR #w < :w",
            ExpressionAttributeNames = new() { ["#w"] = TableLayout.WatermarkWindow },
            ExpressionAttributeValues = new() { [":w"] = Number(Buckets.StartOf(window, Granularity.Fine).ToUnixTimeSeconds()) },
        };
        try
        {
            await _retry.ExecuteAsync(token => _client.UpdateItemAsync(request, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>A delta is kept as long as the fine items it adds to (it is dead weight once rolled up; TTL removes it).</summary>
    private long DeltaExpiresAt(DateTimeOffset window) =>
        SaturatingTime.UnixSeconds(SaturatingTime.Add(window, Buckets.FineWidth), _retention.Fine);

    /// <summary>Every item of one partition (paginated, strongly consistent).</summary>
    private Task<List<Dictionary<string, AttributeValue>>> QueryRawAsync(string partition, CancellationToken cancellationToken) =>
        QueryRawAsync(partition, string.Empty, cancellationToken);

    /// <summary>Every item of one partition whose sort key starts with <paramref name="sortKeyPrefix"/> ("" for all; paginated, strongly consistent).</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryRawAsync(string partition, string sortKeyPrefix, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = _tableName,
                ConsistentRead = true,
                KeyConditionExpression = sortKeyPrefix.Length == 0 ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :sk)",
                ExpressionAttributeNames = sortKeyPrefix.Length == 0
                    ? new() { ["#pk"] = TableLayout.PartitionKey }
                    : new() { ["#pk"] = TableLayout.PartitionKey, ["#sk"] = TableLayout.SortKey },
                ExpressionAttributeValues = sortKeyPrefix.Length == 0
                    ? new() { [":pk"] = new AttributeValue { S = partition } }
                    : new() { [":pk"] = new AttributeValue { S = partition }, [":sk"] = new AttributeValue { S = sortKeyPrefix } },
                ExclusiveStartKey = start,
            };
            var response = await _retry.ExecuteAsync(token => _client.QueryAsync(request, token), cancellationToken).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return items;
    }

    /// <summary>The UpdateItem requests of one delta (one, unless its expression would pass 4 KB).</summary>
    internal IEnumerable<UpdateItemRequest> BuildUpdates(AggregateDelta delta, string marker)
    {
        var counters = delta.Counters.Values.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        var parts = new List<List<KeyValuePair<string, long>>>();
        var current = new List<KeyValuePair<string, long>>();
        var length = 0;
        foreach (var counter in counters)
        {
            // ", #123 :123" — the placeholder text each counter adds to the expression.
            var clause = 4 + (2 * current.Count.ToString(CultureInfo.InvariantCulture).Length);
            if (current.Count > 0 && length + clause > MaxExpressionLength - 128)
            {
                parts.Add(current);
                current = [];
                length = 0;
                clause = 6;
            }

            current.Add(counter);
            length += clause;
        }

        parts.Add(current);
        var expiresAt = _retention.ExpiresAt(Granularity.Fine, delta.BucketStart, delta.Key).ToString(CultureInfo.InvariantCulture);
        for (var part = 0; part < parts.Count; part++)
        {
            var partMarker = parts.Count == 1 ? marker : marker + "." + part.ToString(CultureInfo.InvariantCulture);
            var names = new Dictionary<string, string> { ["#t"] = TableLayout.ExpiresAt, ["#b"] = TableLayout.Batches };
            var values = new Dictionary<string, AttributeValue>
            {
                [":t"] = new() { N = expiresAt },
                [":b"] = new() { SS = [partMarker] },
                [":m"] = new() { S = partMarker },
            };
            var expression = new StringBuilder("SET #t = :t ADD #b :b");
            for (var i = 0; i < parts[part].Count; i++)
            {
                var (name, value) = parts[part][i];
                var index = i.ToString(CultureInfo.InvariantCulture);
                expression.Append(", #").Append(index).Append(" :").Append(index);
                names["#" + index] = name;
                values[":" + index] = new AttributeValue { N = value.ToString(CultureInfo.InvariantCulture) };
            }

            yield return new UpdateItemRequest
            {
                TableName = _tableName,
                Key = TableLayout.Key(TableLayout.AggregatePartition(Granularity.Fine, delta.BucketStart), delta.Key),
                UpdateExpression = expression.ToString(),
                ConditionExpression = "attribute_not_exists(#b) OR NOT contains(#b, :m)",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            };
        }
    }

    /// <summary>True when the update was applied; false when the item had already absorbed this marker.</summary>
    private async Task<bool> UpdateOnceAsync(UpdateItemRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _retry.ExecuteAsync(token => _client.UpdateItemAsync(request, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // Already absorbed: a redelivery, or a retry whose first attempt did reach the table.
            return false;
        }
    }

    public async Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var starts = Buckets.StartsIn(from, to, granularity).ToList();
        var items = new List<AggregateItem>(starts.Count);
        foreach (var chunk in starts.Chunk(100))
        {
            var pending = new KeysAndAttributes
            {
                ConsistentRead = true,
                Keys = chunk.Select(start => TableLayout.Key(TableLayout.AggregatePartition(granularity, start), key)).ToList(),
            };
            for (var round = 0; pending.Keys is { Count: > 0 }; round++)
            {
                var request = new BatchGetItemRequest { RequestItems = new() { [_tableName] = pending } };
                var response = await _retry.ExecuteAsync(token => _client.BatchGetItemAsync(request, token), cancellationToken).ConfigureAwait(false);
                if (response.Responses is not null && response.Responses.TryGetValue(_tableName, out var found))
                {
                    items.AddRange(found.Select(ToAggregateItem));
                }

                if (response.UnprocessedKeys is null || !response.UnprocessedKeys.TryGetValue(_tableName, out var unprocessed) || unprocessed.Keys is not { Count: > 0 })
                {
                    break;
                }

                if (round >= _retry.MaxAttempts)
                {
                    throw new InvalidOperationException($"BatchGetItem left {unprocessed.Keys.Count} keys unprocessed after {round} rounds.");
                }

                await Task.Delay(_retry.DelayFor(round + 1), cancellationToken).ConfigureAwait(false);
                pending = unprocessed;
            }
        }

        if (granularity == Granularity.Fine && !AggregateKeys.IsShortLived(key))
        {
            items = await AddPacksAsync(items, starts, key, cancellationToken).ConfigureAwait(false);
        }

        return items.OrderBy(item => item.BucketStart).ToList();
    }

    public async Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        // One Query per bucket partition, a few at a time.
        var starts = Buckets.StartsIn(from, to, granularity).ToList();
        var perBucket = new List<AggregateItem>[starts.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, starts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                perBucket[index] = granularity == Granularity.Fine
                    ? await QueryFineBucketAsync(starts[index], keyPrefix, token).ConfigureAwait(false)
                    : await QueryPartitionAsync(TableLayout.AggregatePartition(granularity, starts[index]), keyPrefix, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return perBucket.SelectMany(items => items).ToList();
    }

    /// <summary>
    /// One fine bucket's items under a key prefix: its per-key items and its packs' keys, summed per
    /// key. An empty prefix reads both in one Query (packs sort first); otherwise the packs are a
    /// second Query (<c>begins_with(sk, "#")</c>), skipped for session and trace prefixes (never packed).
    /// </summary>
    private async Task<List<AggregateItem>> QueryFineBucketAsync(DateTimeOffset bucket, string keyPrefix, CancellationToken cancellationToken)
    {
        var partition = TableLayout.AggregatePartition(Granularity.Fine, bucket);
        var raw = await QueryRawAsync(partition, keyPrefix, cancellationToken).ConfigureAwait(false);
        if (keyPrefix.Length > 0 && !AggregateKeys.IsShortLived(keyPrefix))
        {
            raw.AddRange(await QueryRawAsync(partition, TableLayout.PackSortKeyPrefix, cancellationToken).ConfigureAwait(false));
        }

        var packs = raw.Where(IsPack).ToList();
        var items = raw.Where(item => !IsPack(item)).Select(ToAggregateItem).ToList();
        return packs.Count == 0 ? items : SumWithPacks(items, packs, bucket, key => key.StartsWith(keyPrefix, StringComparison.Ordinal));
    }

    /// <summary>Adds, to a fine series of one key, that key's counters in each bucket's packs (one Query per bucket, a few at a time).</summary>
    private async Task<List<AggregateItem>> AddPacksAsync(List<AggregateItem> items, List<DateTimeOffset> starts, string key, CancellationToken cancellationToken)
    {
        var perBucket = new List<Dictionary<string, AttributeValue>>[starts.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, starts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                perBucket[index] = await QueryRawAsync(TableLayout.AggregatePartition(Granularity.Fine, starts[index]), TableLayout.PackSortKeyPrefix, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        var result = new List<AggregateItem>(items.Count);
        for (var index = 0; index < starts.Count; index++)
        {
            var inBucket = items.Where(item => item.BucketStart == starts[index]).ToList();
            result.AddRange(perBucket[index].Count == 0 ? inBucket : SumWithPacks(inBucket, perBucket[index], starts[index], candidate => candidate == key));
        }

        return result;
    }

    /// <summary>
    /// One fine bucket's per-key items plus its packs' deltas of the keys <paramref name="wanted"/>
    /// selects, one item per key (counters summed; a key only in packs gets the packs' TTL).
    /// </summary>
    private static List<AggregateItem> SumWithPacks(List<AggregateItem> items, List<Dictionary<string, AttributeValue>> packs, DateTimeOffset bucket, Func<string, bool> wanted)
    {
        var byKey = items.ToDictionary(item => item.Key, StringComparer.Ordinal);
        foreach (var pack in packs)
        {
            // A pack this version cannot read fails the read rather than being skipped: skipping would lose its counts silently.
            var batch = AggregateBatchCodec.Decode(pack[TableLayout.Pack].B.ToArray());
            var expiresAt = pack.TryGetValue(TableLayout.ExpiresAt, out var ttl) && ttl.N is { } n ? long.Parse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
            foreach (var delta in batch.Deltas)
            {
                if (!wanted(delta.Key))
                {
                    continue;
                }

                if (byKey.TryGetValue(delta.Key, out var item))
                {
                    item.Counters.Merge(delta.Counters);
                    byKey[delta.Key] = item with { ExpiresAt = Math.Max(item.ExpiresAt, expiresAt) };
                }
                else
                {
                    byKey[delta.Key] = new AggregateItem(Granularity.Fine, bucket, delta.Key, delta.Counters, expiresAt);
                }
            }
        }

        return [.. byKey.Values];
    }

    private static bool IsPack(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(TableLayout.SortKey, out var sk) && sk.S is { } sortKey && TableLayout.IsPackSortKey(sortKey);

    public async Task<int> PutRollupAsync(Granularity granularity, DateTimeOffset bucketStart, IReadOnlyDictionary<string, AggregateCounters> items, CancellationToken cancellationToken = default)
    {
        if (granularity == Granularity.Fine)
        {
            throw new ArgumentOutOfRangeException(nameof(granularity), "Fine items are written by ApplyBatchAsync only.");
        }

        var start = Buckets.StartOf(bucketStart, granularity);
        var partition = TableLayout.AggregatePartition(granularity, start);
        var existing = (await QueryPartitionAsync(partition, string.Empty, cancellationToken).ConfigureAwait(false))
            .ToDictionary(item => item.Key, item => item, StringComparer.Ordinal);
        var changed = items
            .Where(pair => !existing.TryGetValue(pair.Key, out var stored) ||
                           !stored.Counters.ContentEquals(pair.Value) ||
                           stored.ExpiresAt != _retention.ExpiresAt(granularity, start, pair.Key))
            .ToList();

        await Parallel.ForEachAsync(
            changed,
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (pair, token) =>
            {
                var item = TableLayout.Key(partition, pair.Key);
                item[TableLayout.ExpiresAt] = Number(_retention.ExpiresAt(granularity, start, pair.Key));
                foreach (var (name, value) in pair.Value.Values)
                {
                    item[name] = Number(value);
                }

                var request = new PutItemRequest { TableName = _tableName, Item = item };
                await _retry.ExecuteAsync(t => _client.PutItemAsync(request, t), token).ConfigureAwait(false);
            }).ConfigureAwait(false);

        // Keys of an earlier rollup that are not in this one (folded into "other" since) go.
        var stale = existing.Keys.Where(key => !items.ContainsKey(key)).ToList();
        await Parallel.ForEachAsync(
            stale,
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (key, token) =>
            {
                var request = new DeleteItemRequest { TableName = _tableName, Key = TableLayout.Key(partition, key) };
                await _retry.ExecuteAsync(t => _client.DeleteItemAsync(request, t), token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return changed.Count + stale.Count;
    }

    public async Task<Baseline?> GetBaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default)
    {
        var request = new GetItemRequest { TableName = _tableName, Key = TableLayout.Key(TableLayout.BaselinePartition(day), key), ConsistentRead = true };
        var response = await _retry.ExecuteAsync(token => _client.GetItemAsync(request, token), cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? BaselineItems.FromItem(key, day, item) : null;
    }

    public async Task PutBaselinesAsync(IReadOnlyList<Baseline> baselines, CancellationToken cancellationToken = default)
    {
        await Parallel.ForEachAsync(
            baselines,
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelRequests, CancellationToken = cancellationToken },
            async (baseline, token) =>
            {
                var item = TableLayout.Key(TableLayout.BaselinePartition(baseline.Day), baseline.Key);
                foreach (var (name, value) in BaselineItems.ToAttributes(baseline, _retention.BaselineExpiresAt(baseline.Day)))
                {
                    item[name] = value;
                }

                var request = new PutItemRequest { TableName = _tableName, Item = item };
                await _retry.ExecuteAsync(t => _client.PutItemAsync(request, t), token).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken = default)
    {
        var request = new GetItemRequest { TableName = _tableName, Key = TableLayout.Key(TableLayout.MaintenancePartition, name), ConsistentRead = true };
        var response = await _retry.ExecuteAsync(token => _client.GetItemAsync(request, token), cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && item.TryGetValue(TableLayout.WatermarkHour, out var hour) && hour.N is { } seconds
            ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(seconds, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))
            : null;
    }

    public async Task<bool> AdvanceWatermarkAsync(string name, DateTimeOffset hour, CancellationToken cancellationToken = default)
    {
        var request = new UpdateItemRequest
        {
            TableName = _tableName,
            Key = TableLayout.Key(TableLayout.MaintenancePartition, name),
            UpdateExpression = "SET #h = :h",
            ConditionExpression = "attribute_not_exists(#h) OR #h < :h",
            ExpressionAttributeNames = new() { ["#h"] = TableLayout.WatermarkHour },
            ExpressionAttributeValues = new() { [":h"] = Number(Buckets.StartOf(hour, Granularity.Hourly).ToUnixTimeSeconds()) },
        };
        try
        {
            await _retry.ExecuteAsync(token => _client.UpdateItemAsync(request, token), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // Another run already moved it as far or further.
            return false;
        }
    }

    private async Task<List<AggregateItem>> QueryPartitionAsync(string partition, string keyPrefix, CancellationToken cancellationToken) =>
        (await QueryRawAsync(partition, keyPrefix, cancellationToken).ConfigureAwait(false)).Select(ToAggregateItem).ToList();

    /// <summary>Reads an aggregate item: every numeric attribute but <c>expiresAt</c> is a counter.</summary>
    internal static AggregateItem ToAggregateItem(Dictionary<string, AttributeValue> item)
    {
        var partition = item[TableLayout.PartitionKey].S;
        var (granularity, start) = TableLayout.ParseAggregatePartition(partition);
        var counters = new AggregateCounters();
        long expiresAt = 0;
        foreach (var (name, value) in item)
        {
            if (value.N is null)
            {
                continue;
            }

            var number = long.Parse(value.N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (name == TableLayout.ExpiresAt)
            {
                expiresAt = number;
            }
            else if (!TableLayout.IsReserved(name))
            {
                counters.Add(name, number);
            }
        }

        return new AggregateItem(granularity, start, item[TableLayout.SortKey].S, counters, expiresAt);
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
