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
    /// One batch holding the sum of <paramref name="batches"/>: one delta per distinct (fine
    /// bucket, key), counters added, ordered by bucket then key — the same items and counters as
    /// applying the batches one by one.
    /// </summary>
    public static AggregateBatch Merge(string batchId, IEnumerable<AggregateBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var summed = AggregateBatch.Sum(batchId, batches.SelectMany(batch => batch.Deltas));
        return summed with { Deltas = [.. summed.Deltas.Where(delta => !delta.Counters.IsEmpty)] };
    }
}
