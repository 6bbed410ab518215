using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Costing;

/// <summary>
/// An <see cref="IAggregateStore"/> over another one that counts the DynamoDB requests and
/// capacity units the DynamoDB store (<c>Adapters.DynamoDb.DynamoDbAggregateStore</c>) would
/// send for the same calls, so <see cref="MonthSimulator"/> can bill the evaluator's maintenance
/// by running the real <see cref="AggregateMaintenance"/> against it:
/// <list type="bullet">
/// <item>a roll-up's source read (<see cref="GetItemsAsync"/> over exactly one hour of fine items or one
/// day of hourly items): one strongly consistent Query per bucket partition, a read unit per started
/// 4 KB of the partition's items (every key, session and trace keys included; a deferred window's
/// long-lived keys as the packed item <see cref="ApplyWindowAsync"/> leaves, at the encoding's size,
/// <see cref="WindowPacks"/>), at least one;</item>
/// <item><see cref="PutRollupAsync"/>: a strongly consistent Query of the target partition, a PutItem per
/// item whose counters changed (write units: the larger of the old and new item, per started KB) and
/// a DeleteItem per stale item (the old item's size);</item>
/// <item>the hour marks (a Query of their partition; a DeleteItem per clear; an UpdateItem per hour a
/// batch or window touches in <see cref="ApplyBatchAsync"/> and <see cref="ApplyWindowAsync"/>) and the watermark (a GetItem and a conditional UpdateItem):
/// one unit each.</item>
/// </list>
/// Baselines and other reads (the daily baselines' weeks of hourly and daily items) pass through
/// uncounted. Deliberately not <see cref="IAggregateVersions"/>: the DynamoDB store has no versions,
/// so maintenance recomputes every roll-up it is asked for, as it does in Lambda. Item sizes follow
/// DynamoDB's sizing rules as <see cref="DynamoDbWriteEstimator"/> does (fine items carry one
/// 16-character batch marker per batch applied).
/// </summary>
public sealed class MeteredAggregateStore : IAggregateStore
{
    private const int MarkerBytes = 16;

    private readonly IAggregateStore _store;
    private readonly Dictionary<(DateTimeOffset Bucket, string Key), int> _markers = [];

    // Deferred windows' packs: their bytes per fine bucket, and the keys they hold (read through the pack, not as items).
    private readonly Dictionary<DateTimeOffset, long> _packBytes = [];
    private readonly HashSet<(DateTimeOffset Bucket, string Key)> _packed = [];

    public MeteredAggregateStore(IAggregateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Roll-up source Queries (one per fine or hourly bucket partition read).</summary>
    public long SourceQueries { get; private set; }

    /// <summary>Read units of the roll-up source Queries.</summary>
    public long SourceReadUnits { get; private set; }

    /// <summary>Read units of <see cref="PutRollupAsync"/>'s Query of the target partition.</summary>
    public long TargetReadUnits { get; private set; }

    /// <summary>Read units of the marks Query and the watermark GetItems.</summary>
    public long BookkeepingReadUnits { get; private set; }

    /// <summary>Write units of clearing marks and advancing the watermark (maintenance's own bookkeeping).</summary>
    public long BookkeepingWriteUnits { get; private set; }

    /// <summary>Write units of the hour marks <see cref="ApplyBatchAsync"/> writes (one UpdateItem per hour a batch touches).</summary>
    public long MarkWriteUnits { get; private set; }

    /// <summary>PutItems and DeleteItems of hourly roll-up items.</summary>
    public long HourlyItemWrites { get; private set; }

    /// <summary>PutItems and DeleteItems of daily roll-up items.</summary>
    public long DailyItemWrites { get; private set; }

    /// <summary>Write units of the hourly and daily roll-up items' PutItems and DeleteItems.</summary>
    public long RollupWriteUnits { get; private set; }

    /// <summary>Every read unit counted.</summary>
    public long ReadUnits => SourceReadUnits + TargetReadUnits + BookkeepingReadUnits;

    /// <summary>Every write unit of maintenance (roll-up items and bookkeeping; not the marks batches write).</summary>
    public long WriteUnits => RollupWriteUnits + BookkeepingWriteUnits;

    /// <summary>The size DynamoDB bills for an aggregate item: names and values of pk, sk, expiresAt, the counters (and a fine item's batch markers).</summary>
    public static long ItemBytes(Granularity granularity, DateTimeOffset bucketStart, string key, AggregateCounters counters, int markers = 0)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(counters);

        // pk "F#2026-11-02T10:05" / "H#2026-11-02T10" / "D#2026-11-02"; expiresAt ~ 6 bytes as a number.
        long bytes = 2 + 2 + Buckets.Label(bucketStart, granularity).Length + 2 + key.Length + 9 + 6;
        if (markers > 0)
        {
            bytes += 7 + ((long)markers * MarkerBytes);
        }

        foreach (var (name, value) in counters.Values)
        {
            bytes += DynamoDbWriteEstimator.CounterBytes(name, value);
        }

        return bytes;
    }

    /// <summary>Drops the marker counts of fine buckets before <paramref name="before"/> (maintenance no longer reads them).</summary>
    public void Forget(DateTimeOffset before)
    {
        foreach (var key in _markers.Keys.Where(key => key.Bucket < before).ToList())
        {
            _markers.Remove(key);
        }

        foreach (var bucket in _packBytes.Keys.Where(bucket => bucket < before).ToList())
        {
            _packBytes.Remove(bucket);
        }

        _packed.RemoveWhere(key => key.Bucket < before);
    }

    public async Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var result = await _store.ApplyBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        foreach (var delta in batch.Deltas)
        {
            var key = (delta.BucketStart, delta.Key);
            _markers[key] = _markers.GetValueOrDefault(key) + 1;
        }

        MarkWriteUnits += batch.Hours.Count;
        return result;
    }

    public async Task<ApplyResult> ApplyWindowAsync(DateTimeOffset window, AggregateBatch merged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var result = await _store.ApplyWindowAsync(window, merged, cancellationToken).ConfigureAwait(false);
        var packs = WindowPacks.Of(merged);
        foreach (var pack in packs.Packs)
        {
            foreach (var delta in pack.Batch.Deltas)
            {
                _packed.Add((delta.BucketStart, delta.Key));
            }

            _packBytes[pack.Bucket] = _packBytes.GetValueOrDefault(pack.Bucket) + DynamoDbWriteEstimator.PackItemBytes(pack.Encoded.Length);
        }

        foreach (var delta in packs.PerKey.Deltas)
        {
            var key = (delta.BucketStart, delta.Key);
            _markers[key] = _markers.GetValueOrDefault(key) + 1;
        }

        MarkWriteUnits += merged.Hours.Count;
        return result;
    }

    public async Task<IReadOnlyList<HourMark>> GetMarkedHoursAsync(CancellationToken cancellationToken = default)
    {
        BookkeepingReadUnits++;
        return await _store.GetMarkedHoursAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ClearHourMarkAsync(HourMark mark, CancellationToken cancellationToken = default)
    {
        BookkeepingWriteUnits++;
        return await _store.ClearHourMarkAsync(mark, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        _store.GetSeriesAsync(key, granularity, from, to, cancellationToken);

    public async Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var items = await _store.GetItemsAsync(keyPrefix, granularity, from, to, cancellationToken).ConfigureAwait(false);
        if (keyPrefix.Length == 0 && IsRollupSource(granularity, from, to))
        {
            foreach (var start in Buckets.StartsIn(from, to, granularity))
            {
                SourceQueries++;
                SourceReadUnits += QueryReadUnits(items.Where(item => item.BucketStart == start), granularity == Granularity.Fine ? _packBytes.GetValueOrDefault(start) : 0);
            }
        }

        return items;
    }

    public async Task<int> PutRollupAsync(Granularity granularity, DateTimeOffset bucketStart, IReadOnlyDictionary<string, AggregateCounters> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var start = Buckets.StartOf(bucketStart, granularity);
        var existing = (await _store.GetItemsAsync(string.Empty, granularity, start, start + Buckets.Width(granularity), cancellationToken).ConfigureAwait(false))
            .ToDictionary(item => item.Key, StringComparer.Ordinal);
        TargetReadUnits += QueryReadUnits(existing.Values);

        // As the DynamoDB store: a PutItem per item whose counters changed, a DeleteItem per key no longer there.
        var writes = 0L;
        foreach (var (key, counters) in items)
        {
            var stored = existing.GetValueOrDefault(key);
            if (stored is not null && stored.Counters.ContentEquals(counters))
            {
                continue;
            }

            var bytes = Math.Max(ItemBytes(granularity, start, key, counters), stored is null ? 0 : ItemBytes(granularity, start, key, stored.Counters));
            RollupWriteUnits += (bytes + 1023) / 1024;
            writes++;
        }

        foreach (var stale in existing.Values.Where(item => !items.ContainsKey(item.Key)))
        {
            RollupWriteUnits += (ItemBytes(granularity, start, stale.Key, stale.Counters) + 1023) / 1024;
            writes++;
        }

        if (granularity == Granularity.Daily)
        {
            DailyItemWrites += writes;
        }
        else
        {
            HourlyItemWrites += writes;
        }

        return await _store.PutRollupAsync(granularity, bucketStart, items, cancellationToken).ConfigureAwait(false);
    }

    public Task<Baseline?> GetBaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default) =>
        _store.GetBaselineAsync(key, day, cancellationToken);

    public Task PutBaselinesAsync(IReadOnlyList<Baseline> baselines, CancellationToken cancellationToken = default) =>
        _store.PutBaselinesAsync(baselines, cancellationToken);

    public async Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken = default)
    {
        BookkeepingReadUnits++;
        return await _store.GetWatermarkAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> AdvanceWatermarkAsync(string name, DateTimeOffset hour, CancellationToken cancellationToken = default)
    {
        // A conditional write that fails is billed like one that succeeds.
        BookkeepingWriteUnits++;
        return await _store.AdvanceWatermarkAsync(name, hour, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exactly the range <see cref="AggregateMaintenance.RollupAsync"/> reads: one hour of fine items or one day of hourly items.</summary>
    private static bool IsRollupSource(Granularity granularity, DateTimeOffset from, DateTimeOffset to) => granularity switch
    {
        Granularity.Fine => Buckets.StartOf(from, Granularity.Hourly) == from && to - from == Buckets.Width(Granularity.Hourly),
        Granularity.Hourly => Buckets.StartOf(from, Granularity.Daily) == from && to - from == Buckets.Width(Granularity.Daily),
        _ => false,
    };

    /// <summary>
    /// A strongly consistent Query: a read unit per started 4 KB of the items returned, at least one.
    /// A fine key held only in packs is read as part of them (<paramref name="packBytes"/>, the
    /// bucket's packed items), not as an item of its own.
    /// </summary>
    private long QueryReadUnits(IEnumerable<AggregateItem> items, long packBytes = 0)
    {
        var bytes = packBytes + items
            .Where(item => item.Granularity != Granularity.Fine || !_packed.Contains((item.BucketStart, item.Key)) || _markers.ContainsKey((item.BucketStart, item.Key)))
            .Sum(item => ItemBytes(item.Granularity, item.BucketStart, item.Key, item.Counters, item.Granularity == Granularity.Fine ? _markers.GetValueOrDefault((item.BucketStart, item.Key), 1) : 0));
        return Math.Max(1, (bytes + 4095) / 4096);
    }
}
