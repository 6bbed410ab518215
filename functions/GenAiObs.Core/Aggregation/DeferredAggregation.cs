using GenAiObs.Core.Cardinality;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The timing rules of deferred aggregate writes. A delivery's delta belongs to the 5-minute
/// window of its latest record (its latest fine bucket): derived from the records, so a
/// redelivery — minutes or hours later — names the same window and finds its own delta there.
/// A processor writes a delta only when it starts within <see cref="WriteGrace"/> of the window's
/// end; later deliveries go to the fine items directly. The evaluator rolls a window up once it
/// is closed: no processor that could still write to it is running (one that started by the end
/// of the grace period has finished by its timeout), plus a minute of margin.
/// </summary>
public static class DeferredAggregation
{
    /// <summary>How long after a window ends a processor may still start and write a delta to it (covers CloudWatch Logs' delivery lag).</summary>
    public static readonly TimeSpan WriteGrace = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The processors' Lambda timeout (template.yaml <c>Globals.Function.Timeout</c>; a template
    /// test keeps them equal): Lambda stops an invocation by then, so no delta write starts later.
    /// </summary>
    public static readonly TimeSpan ProcessorTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Margin for request latency and clock differences between the functions.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    /// <summary>Windows one evaluator run rolls up at most (oldest first; the next run continues).</summary>
    public const int MaxWindowsPerRun = 36;

    /// <summary>How far back the first roll-up (no watermark yet) starts.</summary>
    public static readonly TimeSpan FirstRollupLookback = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest a record waits to be rolled up into the items: its window, the grace, the timeout,
    /// the margin, then the evaluator's 5-minute period. Readers do not wait that long: they add the
    /// deltas not rolled up yet (<see cref="PendingDeltaAggregateReader"/>).
    /// </summary>
    public static TimeSpan MaxRollupDelay => Buckets.FineWidth + WriteGrace + ProcessorTimeout + Margin + TimeSpan.FromMinutes(5);

    /// <summary>The window of a batch: the start of its latest fine bucket.</summary>
    public static DateTimeOffset WindowOf(AggregateBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Deltas.Count == 0
            ? throw new ArgumentException("an empty batch has no window", nameof(batch))
            : Buckets.StartOf(batch.Deltas.Max(delta => delta.BucketStart), Granularity.Fine);
    }

    /// <summary>True when a processor that started at <paramref name="startedAt"/> may write a delta to <paramref name="window"/>.</summary>
    public static bool AcceptsDeltas(DateTimeOffset window, DateTimeOffset startedAt) =>
        startedAt < window + Buckets.FineWidth + WriteGrace;

    /// <summary>True when no processor can write to <paramref name="window"/> any more: it may be rolled up.</summary>
    public static bool IsClosed(DateTimeOffset window, DateTimeOffset now) =>
        now >= window + Buckets.FineWidth + WriteGrace + ProcessorTimeout + Margin;

    /// <summary>The latest closed window at <paramref name="now"/>.</summary>
    public static DateTimeOffset LatestClosed(DateTimeOffset now) =>
        Buckets.StartOf(now - Buckets.FineWidth - WriteGrace - ProcessorTimeout - Margin, Granularity.Fine);

    /// <summary>The batch id a window's roll-up applies under: deterministic, so a retried roll-up meets its own markers.</summary>
    public static string RollupBatchId(DateTimeOffset window) => "roll#" + Buckets.Label(window, Granularity.Fine);

    /// <summary>
    /// One batch holding the sum of <paramref name="batches"/>, folded per fine bucket to the
    /// per-bucket limits: one delta per distinct (fine bucket, key), counters added, and in each
    /// bucket every capped dimension over its limit cut to its top values by cost, the rest summed
    /// into <c>prefix#other</c> (<see cref="AggregateKeyFolding"/>, the ranking the processors use
    /// per delivery and maintenance per hour and day). Ordered by bucket then key.
    /// <para>
    /// Each delivery was folded on its own; a window merges dozens, so without this a 5-minute item
    /// set held the union of every delivery's top values (~105 principals a window at 1M invocations
    /// a month over 500 principals, one write each). The result depends only on the deltas' sums, so
    /// a retried roll-up under the same batch id writes the same items and the per-item markers keep
    /// it exactly-once; counters are only moved between keys, so every total is unchanged.
    /// </para>
    /// <para>
    /// Session keys are not folded again: RunawayAgentSession reads each session's model-call count,
    /// which a ranking by cost can fold into <c>other</c> (a cheap looping session behind 50 costlier
    /// ones), and session items are short-lived 5-minute items never rolled up or baselined, so they
    /// keep the per-delivery fold of direct writes. Trace keys are never capped.
    /// </para>
    /// </summary>
    /// <param name="batchId">The id the merged batch applies under (<see cref="RollupBatchId"/>).</param>
    /// <param name="batches">The window's deltas, in any order.</param>
    /// <param name="limits">The per-bucket limits (<c>GENAIOBS_MAX_VALUES</c>; default <see cref="CardinalityLimits.Default"/>): the processors' own.</param>
    public static AggregateBatch Merge(string batchId, IEnumerable<AggregateBatch> batches, CardinalityLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        limits ??= CardinalityLimits.Default;
        var summed = AggregateBatch.Sum(batchId, batches.SelectMany(batch => batch.Deltas));
        var deltas = new List<AggregateDelta>(summed.Deltas.Count);
        foreach (var bucket in summed.Deltas.Where(delta => !delta.Counters.IsEmpty).GroupBy(delta => delta.BucketStart))
        {
            var foldable = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
            foreach (var delta in bucket)
            {
                if (AggregateKeys.IsShortLived(delta.Key))
                {
                    deltas.Add(delta);
                }
                else
                {
                    foldable[delta.Key] = delta.Counters;
                }
            }

            foreach (var (key, counters) in AggregateKeyFolding.Fold(foldable, limits))
            {
                deltas.Add(new AggregateDelta(bucket.Key, key, counters));
            }
        }

        deltas.Sort(static (a, b) =>
        {
            var byBucket = a.BucketStart.CompareTo(b.BucketStart);
            return byBucket != 0 ? byBucket : string.CompareOrdinal(a.Key, b.Key);
        });
        return new AggregateBatch(batchId, deltas);
    }
}
