namespace GenAiObs.Core.Aggregation;

/// <summary>The counters one batch adds to one fine (bucket, key) item.</summary>
public sealed record AggregateDelta(DateTimeOffset BucketStart, string Key, AggregateCounters Counters);

/// <summary>
/// A batch's coalesced deltas, one per distinct (fine bucket, key), in a stable order. Applying
/// it is exactly-once per item thanks to <see cref="BatchId"/>.
/// </summary>
/// <param name="BatchId">The delivery's stable id (derived from its log-event ids).</param>
/// <param name="Deltas">Ordered by bucket, then key (ordinal).</param>
public sealed record AggregateBatch(string BatchId, IReadOnlyList<AggregateDelta> Deltas)
{
    /// <summary>Distinct (bucket, key) pairs: the number of aggregate UpdateItem requests applying it needs.</summary>
    public int ItemCount => Deltas.Count;

    /// <summary>The distinct hours the deltas fall in, in order: the hours applying the batch marks for maintenance.</summary>
    public IReadOnlyList<DateTimeOffset> Hours => [.. Deltas.Select(delta => Buckets.StartOf(delta.BucketStart, Granularity.Hourly)).Distinct().Order()];

    /// <summary>
    /// One batch holding the sum of <paramref name="deltas"/>: one delta per distinct (fine bucket,
    /// key), counters added into copies (the inputs are left unchanged), ordered by bucket, then key.
    /// </summary>
    public static AggregateBatch Sum(string batchId, IEnumerable<AggregateDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var summed = new Dictionary<(DateTimeOffset Bucket, string Key), AggregateCounters>();
        foreach (var delta in deltas)
        {
            if (summed.TryGetValue((delta.BucketStart, delta.Key), out var counters))
            {
                counters.Merge(delta.Counters);
            }
            else
            {
                summed[(delta.BucketStart, delta.Key)] = delta.Counters.Clone();
            }
        }

        return new AggregateBatch(
            batchId,
            [.. summed
                .OrderBy(pair => pair.Key.Bucket)
                .ThenBy(pair => pair.Key.Key, StringComparer.Ordinal)
                .Select(pair => new AggregateDelta(pair.Key.Bucket, pair.Key.Key, pair.Value))]);
    }
}

/// <summary>One stored aggregate item read back.</summary>
/// <param name="Granularity">Fine, hourly or daily.</param>
/// <param name="BucketStart">UTC start of its bucket.</param>
/// <param name="Key">Dimension key.</param>
/// <param name="Counters">Its counters.</param>
/// <param name="ExpiresAt">Its TTL, epoch seconds (see <see cref="AggregateRetention"/>).</param>
public sealed record AggregateItem(Granularity Granularity, DateTimeOffset BucketStart, string Key, AggregateCounters Counters, long ExpiresAt);

/// <summary>What applying a batch did.</summary>
/// <param name="Applied">Items the batch was added to now.</param>
/// <param name="AlreadyApplied">Items that had already absorbed this batch (a redelivery) and were left alone.</param>
/// <param name="Requests">Write requests sent (DynamoDB UpdateItem calls, retries not counted).</param>
public sealed record ApplyResult(int Applied, int AlreadyApplied, int Requests);

/// <summary>An hour whose 5-minute items changed since its last rollup, and the mark's version (see <see cref="IAggregateStore.GetMarkedHoursAsync"/>).</summary>
public readonly record struct HourMark(DateTimeOffset Hour, long Version);
