namespace GenAiObs.Core.Aggregation;

/// <summary>
/// How a deferred roll-up writes one window's merged batch (<see cref="DeferredAggregation.Merge"/>):
/// per fine bucket the window touches, one packed item holding that bucket's long-lived keys
/// (<see cref="Packs"/>, stored with <see cref="AggregateBatchCodec"/>), and as per-key items
/// (<see cref="PerKey"/>) the short-lived keys (sessions, traces: RunawayAgentSession reads each
/// session by name, and they expire sooner) and the keys of any bucket whose encoding passes the pack
/// limit (<see cref="OversizedBuckets"/>). The DynamoDB store writes a window this way and the cost
/// model bills it this way, so the choice is made here once.
/// <para>
/// DynamoDB bills a write per started KB of each item: a window's ~70 long-lived keys of ~200 bytes
/// each cost ~72 write units as items of their own, and about 2 as one pack (~2 KB encoded).
/// </para>
/// </summary>
/// <param name="Packs">One pack per fine bucket with long-lived keys within the limit, in bucket order.</param>
/// <param name="PerKey">The deltas written per key, under the merged batch's id: short-lived keys, then oversized buckets' keys.</param>
/// <param name="OversizedBuckets">The buckets whose long-lived keys encode past the limit (written per key; a pack an earlier attempt left there is deleted).</param>
public sealed record WindowPacks(IReadOnlyList<WindowPack> Packs, AggregateBatch PerKey, IReadOnlyList<DateTimeOffset> OversizedBuckets)
{
    /// <summary>
    /// The largest pack encoding written as a pack (DynamoDB items are at most 400 KB, names included).
    /// A bucket whose keys encode larger — far beyond the default limits — is written per key instead.
    /// </summary>
    public const int MaxPackBytes = 350 * 1024;

    /// <summary>Splits a merged window batch into its packs (encoded once) and its per-key deltas.</summary>
    /// <param name="merged">The window's merged batch.</param>
    /// <param name="maxPackBytes">The largest encoding written as a pack (<see cref="MaxPackBytes"/> unless a test lowers it).</param>
    public static WindowPacks Of(AggregateBatch merged, int maxPackBytes = MaxPackBytes)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var packs = new List<WindowPack>();
        var oversized = new List<DateTimeOffset>();
        var perKey = merged.Deltas.Where(delta => AggregateKeys.IsShortLived(delta.Key)).ToList();
        var buckets = merged.Deltas
            .Where(delta => !AggregateKeys.IsShortLived(delta.Key))
            .GroupBy(delta => delta.BucketStart)
            .OrderBy(bucket => bucket.Key);
        foreach (var bucket in buckets)
        {
            var batch = new AggregateBatch(merged.BatchId, [.. bucket.OrderBy(delta => delta.Key, StringComparer.Ordinal)]);
            var encoded = AggregateBatchCodec.Encode(batch);
            if (encoded.Length > maxPackBytes)
            {
                oversized.Add(bucket.Key);
                perKey.AddRange(batch.Deltas);
            }
            else
            {
                packs.Add(new WindowPack(bucket.Key, batch, encoded));
            }
        }

        return new WindowPacks(packs, new AggregateBatch(merged.BatchId, perKey), oversized);
    }
}
