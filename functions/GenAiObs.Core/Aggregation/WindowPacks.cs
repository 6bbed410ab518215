namespace GenAiObs.Core.Aggregation;

/// <summary>
/// How a deferred roll-up writes one window's merged batch (<see cref="DeferredAggregation.Merge"/>):
/// per fine bucket the window touches, one packed item holding that bucket's long-lived keys
/// (<see cref="Packs"/>, each a batch of one bucket under the window's batch id, stored with
/// <see cref="AggregateBatchCodec"/>), and the short-lived keys (sessions, traces) as per-key items
/// (<see cref="ShortLived"/>): RunawayAgentSession reads each session by name, and they expire sooner.
/// <para>
/// DynamoDB bills a write per started KB of each item: a window's ~70 long-lived keys of ~200 bytes
/// each cost ~72 write units as items of their own, and about 2 as one pack (~2 KB encoded).
/// </para>
/// </summary>
/// <param name="Packs">One batch per fine bucket with long-lived keys, in bucket order; keys in order.</param>
/// <param name="ShortLived">The session and trace deltas, under the merged batch's id.</param>
public sealed record WindowPacks(IReadOnlyList<AggregateBatch> Packs, AggregateBatch ShortLived)
{
    /// <summary>
    /// The largest pack encoding written as a pack (DynamoDB items are at most 400 KB, names included).
    /// A bucket whose keys encode larger — far beyond the default limits — is written per key instead.
    /// </summary>
    public const int MaxPackBytes = 350 * 1024;

    /// <summary>Splits a merged window batch into its packs and its short-lived deltas.</summary>
    public static WindowPacks Of(AggregateBatch merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var packs = merged.Deltas
            .Where(delta => !AggregateKeys.IsShortLived(delta.Key))
            .GroupBy(delta => delta.BucketStart)
            .OrderBy(bucket => bucket.Key)
            .Select(bucket => new AggregateBatch(merged.BatchId, [.. bucket.OrderBy(delta => delta.Key, StringComparer.Ordinal)]))
            .ToList();
        var shortLived = new AggregateBatch(merged.BatchId, [.. merged.Deltas.Where(delta => AggregateKeys.IsShortLived(delta.Key))]);
        return new WindowPacks(packs, shortLived);
    }
}
