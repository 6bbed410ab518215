using GenAiObs.Core.Cardinality;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Deferred aggregate writes read as fresh as direct ones: an <see cref="IAggregateStore"/> whose
/// reads add the deltas of the windows the evaluator has not rolled up yet (after the roll-up
/// watermark, up to the window of the clock's now) to the stored items, and return the items that
/// so far exist only in deltas. Writes pass through to the store.
/// <para>
/// Every granularity is overlaid. Fine items hold a window's deltas only once it is rolled up;
/// hourly and daily items are recomputed by maintenance from the fine and hourly items, which it
/// runs after the roll-up, so they too hold no window after the watermark: a pending delta is added
/// to the hour and day of its 5-minute bucket (session and trace keys, never rolled up, only to
/// fine reads). Each window's deltas are merged and folded per bucket exactly as the roll-up will
/// apply them (<see cref="DeferredAggregation.Merge"/>, with the same limits), so a fine read gives
/// the same items before and after the window is rolled up. Hourly and daily reads add those folded
/// windows to the stored hour and day; maintenance folds the whole hour again once the window is
/// in it, so a value beyond the hour's top N may move into <c>&lt;prefix&gt;#other</c> then —
/// totals are the same.
/// </para>
/// <para>
/// The pending windows' deltas are fetched once, on the first read (one Query per window, the
/// watermark read before and after: windows rolled up meanwhile are dropped). A roll-up that
/// completes a pending window while the reader lives would count it twice (in the items and in the
/// overlay), so once the oldest pending window may be closed (<see cref="DeferredAggregation.IsClosed"/>,
/// less a margin for clock differences) every read re-reads the watermark afterwards and, when it
/// moved, drops the rolled-up windows and reads again. Before that time no roll-up can touch them and
/// no re-read is needed — the evaluator's case right after its own roll-up. Not covered: a roll-up
/// applying a window's items at the moment of a read (before it advances the watermark), or one that
/// failed part-way: the items it reached count that window twice until the next roll-up run
/// completes it (its per-item markers keep the items themselves exact).
/// </para>
/// </summary>
public sealed class PendingDeltaAggregateReader : IAggregateStore
{
    private readonly IAggregateStore _store;
    private readonly IAggregateDeltaStore _deltas;
    private readonly TimeProvider _time;
    private readonly AggregateRetention _retention;
    private readonly CardinalityLimits _limits;
    private readonly object _gate = new();
    private Task<PendingDeltas>? _loading;

    /// <param name="store">The aggregate items.</param>
    /// <param name="deltas">The deferred deltas and their roll-up watermark.</param>
    /// <param name="time">Decides the newest pending window and when a roll-up may run.</param>
    /// <param name="retention">The TTL given to items that exist only in deltas.</param>
    /// <param name="limits">Values kept per capped dimension and bucket: the roll-up's (<c>GENAIOBS_MAX_VALUES</c>; default <see cref="CardinalityLimits.Default"/>).</param>
    public PendingDeltaAggregateReader(IAggregateStore store, IAggregateDeltaStore deltas, TimeProvider time, AggregateRetention? retention = null, CardinalityLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(deltas);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _deltas = deltas;
        _time = time;
        _retention = retention ?? AggregateRetention.Default;
        _limits = limits ?? CardinalityLimits.Default;
    }

    /// <summary>The windows whose deltas the reads add (after the first read; empty before).</summary>
    public IReadOnlyList<DateTimeOffset> PendingWindows
    {
        get
        {
            lock (_gate)
            {
                return _loading is { IsCompletedSuccessfully: true } loaded ? [.. loaded.Result.Windows.Select(window => window.Window)] : [];
            }
        }
    }

    public async Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var items = await ReadAsync(
            () => _store.GetSeriesAsync(key, granularity, from, to, cancellationToken),
            candidate => string.Equals(candidate, key, StringComparison.Ordinal),
            granularity,
            from,
            to,
            cancellationToken).ConfigureAwait(false);
        return [.. items.OrderBy(item => item.BucketStart)];
    }

    public Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadAsync(
            () => _store.GetItemsAsync(keyPrefix, granularity, from, to, cancellationToken),
            candidate => candidate.StartsWith(keyPrefix, StringComparison.Ordinal),
            granularity,
            from,
            to,
            cancellationToken);

    public Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default) =>
        _store.ApplyBatchAsync(batch, cancellationToken);

    public Task<ApplyResult> ApplyWindowAsync(DateTimeOffset window, AggregateBatch merged, CancellationToken cancellationToken = default) =>
        _store.ApplyWindowAsync(window, merged, cancellationToken);

    public Task<IReadOnlyList<HourMark>> GetMarkedHoursAsync(CancellationToken cancellationToken = default) =>
        _store.GetMarkedHoursAsync(cancellationToken);

    public Task<bool> ClearHourMarkAsync(HourMark mark, CancellationToken cancellationToken = default) =>
        _store.ClearHourMarkAsync(mark, cancellationToken);

    public Task<int> PutRollupAsync(Granularity granularity, DateTimeOffset bucketStart, IReadOnlyDictionary<string, AggregateCounters> items, CancellationToken cancellationToken = default) =>
        _store.PutRollupAsync(granularity, bucketStart, items, cancellationToken);

    public Task<Baseline?> GetBaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default) =>
        _store.GetBaselineAsync(key, day, cancellationToken);

    public Task PutBaselinesAsync(IReadOnlyList<Baseline> baselines, CancellationToken cancellationToken = default) =>
        _store.PutBaselinesAsync(baselines, cancellationToken);

    public Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken = default) =>
        _store.GetWatermarkAsync(name, cancellationToken);

    public Task<bool> AdvanceWatermarkAsync(string name, DateTimeOffset hour, CancellationToken cancellationToken = default) =>
        _store.AdvanceWatermarkAsync(name, hour, cancellationToken);

    private async Task<IReadOnlyList<AggregateItem>> ReadAsync(
        Func<Task<IReadOnlyList<AggregateItem>>> read,
        Func<string, bool> keyMatches,
        Granularity granularity,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var pending = await PendingAsync(cancellationToken).ConfigureAwait(false);

        // Terminates: each pass that reads again has dropped at least one window, and with none
        // left there is nothing a roll-up could count twice.
        while (true)
        {
            var items = await read().ConfigureAwait(false);
            if (_time.GetUtcNow() < pending.RollupPossibleFrom)
            {
                return pending.AddTo(items, keyMatches, granularity, from, to, _retention);
            }

            var watermark = await _deltas.GetRollupWatermarkAsync(cancellationToken).ConfigureAwait(false);
            if (!pending.IsBehind(watermark))
            {
                return pending.AddTo(items, keyMatches, granularity, from, to, _retention);
            }

            pending = Replace(pending, pending.After(watermark!.Value));
        }
    }

    private Task<PendingDeltas> PendingAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // A failed load is not cached: the next read tries again.
            if (_loading is null || _loading.IsFaulted || _loading.IsCanceled)
            {
                _loading = LoadAsync(cancellationToken);
            }

            return _loading;
        }
    }

    private PendingDeltas Replace(PendingDeltas stale, PendingDeltas fresh)
    {
        lock (_gate)
        {
            if (_loading is { IsCompletedSuccessfully: true } current && ReferenceEquals(current.Result, stale))
            {
                _loading = Task.FromResult(fresh);
            }

            return fresh;
        }
    }

    private async Task<PendingDeltas> LoadAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var watermark = await _deltas.GetRollupWatermarkAsync(cancellationToken).ConfigureAwait(false);

        // Without a watermark, where the first roll-up will start (DeltaRollup): older deltas are never rolled up.
        var first = watermark is { } done
            ? done + Buckets.FineWidth
            : Buckets.StartOf(DeferredAggregation.LatestClosed(now) - DeferredAggregation.FirstRollupLookback, Granularity.Fine);
        var windows = new List<PendingWindow>();
        for (var window = first; window <= Buckets.StartOf(now, Granularity.Fine); window += Buckets.FineWidth)
        {
            var batches = await _deltas.GetDeltasAsync(window, cancellationToken).ConfigureAwait(false);
            windows.Add(new PendingWindow(window, DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(window), batches, _limits)));
        }

        var loaded = new PendingDeltas(windows);
        var after = await _deltas.GetRollupWatermarkAsync(cancellationToken).ConfigureAwait(false);
        return loaded.IsBehind(after) ? loaded.After(after!.Value) : loaded;
    }

    /// <summary>One pending window and its deltas merged and folded as its roll-up will apply them.</summary>
    private sealed record PendingWindow(DateTimeOffset Window, AggregateBatch Merged);

    /// <summary>The pending windows' deltas, summed per (bucket, key) at each granularity on first use.</summary>
    private sealed class PendingDeltas
    {
        private readonly Dictionary<Granularity, Dictionary<(DateTimeOffset Bucket, string Key), AggregateCounters>> _sums = [];

        public PendingDeltas(IReadOnlyList<PendingWindow> windows)
        {
            Windows = windows;

            // A roll-up of the oldest window may start once it is closed; clocks may differ by the margin.
            RollupPossibleFrom = windows.Count == 0
                ? DateTimeOffset.MaxValue
                : windows[0].Window + Buckets.FineWidth + DeferredAggregation.WriteGrace + DeferredAggregation.ProcessorTimeout;
        }

        public IReadOnlyList<PendingWindow> Windows { get; }

        public DateTimeOffset RollupPossibleFrom { get; }

        /// <summary>True when <paramref name="watermark"/> has reached a pending window (it was rolled up since the load).</summary>
        public bool IsBehind(DateTimeOffset? watermark) =>
            watermark is { } rolled && Windows.Count > 0 && Windows[0].Window <= rolled;

        public PendingDeltas After(DateTimeOffset watermark) => new([.. Windows.Where(window => window.Window > watermark)]);

        public IReadOnlyList<AggregateItem> AddTo(IReadOnlyList<AggregateItem> items, Func<string, bool> keyMatches, Granularity granularity, DateTimeOffset from, DateTimeOffset to, AggregateRetention retention)
        {
            var sums = SumsAt(granularity);
            if (sums.Count == 0)
            {
                return items;
            }

            var result = new List<AggregateItem>(items.Count);
            var added = new HashSet<(DateTimeOffset Bucket, string Key)>();
            foreach (var item in items)
            {
                if (sums.TryGetValue((item.BucketStart, item.Key), out var pending))
                {
                    var counters = item.Counters.Clone();
                    counters.Merge(pending);
                    result.Add(item with { Counters = counters });
                    added.Add((item.BucketStart, item.Key));
                }
                else
                {
                    result.Add(item);
                }
            }

            foreach (var ((bucket, key), pending) in sums)
            {
                if (bucket >= from && bucket < to && keyMatches(key) && !added.Contains((bucket, key)))
                {
                    result.Add(new AggregateItem(granularity, bucket, key, pending.Clone(), retention.ExpiresAt(granularity, bucket, key)));
                }
            }

            return result;
        }

        private Dictionary<(DateTimeOffset Bucket, string Key), AggregateCounters> SumsAt(Granularity granularity)
        {
            lock (_sums)
            {
                if (_sums.TryGetValue(granularity, out var cached))
                {
                    return cached;
                }

                var sums = new Dictionary<(DateTimeOffset Bucket, string Key), AggregateCounters>();
                foreach (var delta in Windows.SelectMany(window => window.Merged.Deltas))
                {
                    // Session and trace keys live in 5-minute items only; maintenance never rolls them up.
                    if (delta.Counters.IsEmpty || (granularity != Granularity.Fine && AggregateKeys.IsShortLived(delta.Key)))
                    {
                        continue;
                    }

                    var bucket = (Buckets.StartOf(delta.BucketStart, granularity), delta.Key);
                    if (sums.TryGetValue(bucket, out var sum))
                    {
                        sum.Merge(delta.Counters);
                    }
                    else
                    {
                        sums[bucket] = delta.Counters.Clone();
                    }
                }

                _sums[granularity] = sums;
                return sums;
            }
        }
    }
}
