using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Costing;

/// <summary>
/// The evaluator's aggregate maintenance over a simulated month's deliveries, as deployed: the
/// fine items reach an in-memory store (direct writes: each delivery when it arrives; deferred: each
/// 5-minute window merged, once the evaluator's roll-up may take it, <see cref="DeferredAggregation.LatestClosed"/>,
/// metered as the packed items the DynamoDB store writes for it),
/// and every 5 minutes the real <see cref="AggregateMaintenance.MaintainAsync"/> runs against a
/// <see cref="MeteredAggregateStore"/> that counts what the DynamoDB store would send. The daily
/// roll-up of a day whose end the simulated hours do not reach is measured once at the end
/// (<see cref="MeasureDayRollup"/>). Pure: the clock is the simulation's.
/// </summary>
public sealed class MaintenanceSimulation
{
    private readonly AggregateWriteMode _mode;
    private readonly ManualClock _clock;
    private readonly InMemoryAggregateStore _items = new();
    private readonly MeteredAggregateStore _store;
    private readonly AggregateMaintenance _maintenance;
    private readonly SortedDictionary<DateTimeOffset, List<AggregateBatch>> _pendingWindows = [];
    private DateTimeOffset _nextRun;

    /// <param name="start">Where the simulated month starts (the first run is 5 minutes later).</param>
    /// <param name="mode">How the processors write aggregates.</param>
    public MaintenanceSimulation(DateTimeOffset start, AggregateWriteMode mode)
    {
        _mode = mode;
        _clock = new ManualClock(start);
        _store = new MeteredAggregateStore(_items);
        _maintenance = new AggregateMaintenance(_store, _clock);
        _nextRun = Buckets.StartOf(start, Granularity.Fine) + Buckets.FineWidth;
    }

    /// <summary>What the runs sent so far.</summary>
    public MeteredAggregateStore Meter => _store;

    /// <summary>Maintenance runs so far.</summary>
    public int Runs { get; private set; }

    /// <summary>One delivery's aggregate batch, written at its delivery (deferred: held until its window is rolled up).</summary>
    public void Deliver(AggregateBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Deltas.Count == 0)
        {
            return;
        }

        if (_mode == AggregateWriteMode.Direct)
        {
            _store.ApplyBatchAsync(batch).GetAwaiter().GetResult();
            return;
        }

        var window = DeferredAggregation.WindowOf(batch);
        if (!_pendingWindows.TryGetValue(window, out var batches))
        {
            _pendingWindows[window] = batches = [];
        }

        batches.Add(batch);
    }

    /// <summary>Runs the evaluator at every 5-minute boundary before <paramref name="time"/>.</summary>
    public void RunUntil(DateTimeOffset time)
    {
        for (; _nextRun < time; _nextRun += Buckets.FineWidth)
        {
            _clock.Now = _nextRun;
            if (_mode == AggregateWriteMode.Deferred)
            {
                var latest = DeferredAggregation.LatestClosed(_nextRun);
                foreach (var window in _pendingWindows.Keys.Where(window => window <= latest).ToList())
                {
                    _store.ApplyWindowAsync(window, DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(window), _pendingWindows[window])).GetAwaiter().GetResult();
                    _pendingWindows.Remove(window);
                }
            }

            _maintenance.MaintainAsync().GetAwaiter().GetResult();
            Runs++;

            // Maintenance reads fine buckets of recent hours only (late marks aside, which the simulation has none of).
            _store.Forget(_nextRun.AddHours(-3));
        }
    }

    /// <summary>
    /// The daily roll-up of <paramref name="day"/>, run once as the first run after the day would
    /// (its hours so far are rolled up): what it reads and writes, measured on a fresh meter so the
    /// runs' counts stay apart.
    /// </summary>
    public MeteredAggregateStore MeasureDayRollup(DateOnly day)
    {
        var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var meter = new MeteredAggregateStore(_items);
        var clock = new ManualClock(dayStart.AddDays(1).AddMinutes(5));
        new AggregateMaintenance(meter, clock).RollupAsync(Granularity.Daily, dayStart).GetAwaiter().GetResult();
        return meter;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
