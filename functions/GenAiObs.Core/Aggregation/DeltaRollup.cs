using GenAiObs.Core.Cardinality;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The evaluator's first step in deferred mode: for each closed window after the roll-up
/// watermark (oldest first, at most <see cref="DeferredAggregation.MaxWindowsPerRun"/> a run), merge
/// the window's deltas into one batch folded per bucket to the per-bucket limits
/// (<see cref="DeferredAggregation.Merge"/>) and apply it to the fine items under the window's
/// deterministic batch id (<see cref="IAggregateStore.ApplyWindowAsync"/>: in DynamoDB one packed
/// item per fine bucket, <see cref="WindowPacks"/>), then advance the watermark to that window. The
/// merge is deterministic, so a roll-up that failed part-way and is run again writes the same items
/// and counts once; applying the window marks the hours it touched, so maintenance rolls them into
/// the hourly and daily items as it does for direct writes.
/// </summary>
public sealed class DeltaRollup
{
    private readonly IAggregateStore _store;
    private readonly IAggregateDeltaStore _deltas;
    private readonly int _maxWindows;
    private readonly CardinalityLimits _limits;

    /// <param name="store">The fine items.</param>
    /// <param name="deltas">The deltas and the roll-up watermark.</param>
    /// <param name="maxWindows">Windows one run rolls up at most.</param>
    /// <param name="limits">Values kept per capped dimension and bucket (the processors' <c>GENAIOBS_MAX_VALUES</c>; default <see cref="CardinalityLimits.Default"/>).</param>
    public DeltaRollup(IAggregateStore store, IAggregateDeltaStore deltas, int maxWindows = DeferredAggregation.MaxWindowsPerRun, CardinalityLimits? limits = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWindows, 1);
        _store = store;
        _deltas = deltas;
        _maxWindows = maxWindows;
        _limits = limits ?? CardinalityLimits.Default;
    }

    /// <summary>Rolls up the closed windows due at <paramref name="now"/>.</summary>
    public async Task<DeltaRollupResult> RunAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var latest = DeferredAggregation.LatestClosed(now);
        var watermark = await _deltas.GetRollupWatermarkAsync(cancellationToken).ConfigureAwait(false);
        var window = watermark is { } done
            ? done + Buckets.FineWidth
            : Buckets.StartOf(latest - DeferredAggregation.FirstRollupLookback, Granularity.Fine);
        int windows = 0, deltas = 0, items = 0;
        for (; window <= latest && windows < _maxWindows; window += Buckets.FineWidth)
        {
            var batches = await _deltas.GetDeltasAsync(window, cancellationToken).ConfigureAwait(false);
            if (batches.Count > 0)
            {
                var merged = DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(window), batches, _limits);
                var applied = await _store.ApplyWindowAsync(window, merged, cancellationToken).ConfigureAwait(false);
                deltas += batches.Count;
                items += applied.Applied;
            }

            await _deltas.AdvanceRollupWatermarkAsync(window, cancellationToken).ConfigureAwait(false);
            windows++;
        }

        return new DeltaRollupResult(windows, deltas, items, window <= latest);
    }
}

/// <summary>What one roll-up run did.</summary>
/// <param name="Windows">Windows rolled up (including empty ones).</param>
/// <param name="Deltas">Deltas merged.</param>
/// <param name="ItemsApplied">Fine (bucket, key) counters written (in packs or per-key items).</param>
/// <param name="Behind">True when closed windows remain for the next run.</param>
public sealed record DeltaRollupResult(int Windows, int Deltas, int ItemsApplied, bool Behind);
