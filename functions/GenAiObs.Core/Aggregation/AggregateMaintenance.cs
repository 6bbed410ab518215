using GenAiObs.Core.Cardinality;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Rollups (fine → hourly → daily) and baselines, computed from what the store holds. Both are
/// whole-item overwrites computed deterministically from their sources, so running them again,
/// late or concurrently gives the same items. The evaluator calls <see cref="MaintainAsync"/>
/// at the start of every run.
/// </summary>
public sealed class AggregateMaintenance
{
    private readonly IAggregateStore _store;
    private readonly TimeProvider _time;
    private readonly AggregateRetention _retention;
    private readonly BaselineSettings _baselines;
    private readonly MaintenanceSettings _maintenance;

    // Per rollup bucket, the source and target versions its last computation saw (stores with
    // IAggregateVersions only): unchanged versions mean a recomputation would write nothing.
    private readonly Dictionary<(Granularity Target, DateTimeOffset Start), (long Source, long Target)> _computed = [];

    public AggregateMaintenance(IAggregateStore store, TimeProvider time, AggregateRetention? retention = null, BaselineSettings? baselines = null, MaintenanceSettings? maintenance = null)
    {
        _maintenance = maintenance ?? MaintenanceSettings.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_maintenance.MaxHoursPerRun, 1, nameof(maintenance));
        _store = store;
        _time = time;
        _retention = retention ?? AggregateRetention.Default;
        _baselines = baselines ?? BaselineSettings.Default;
    }

    /// <summary>
    /// Sums source items per key (short-lived session/trace keys are never rolled up) and folds
    /// each capped dimension to its top <paramref name="limits"/> values by cost, the rest into <c>other</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, AggregateCounters> Combine(IReadOnlyDictionary<string, AggregateCounters> sourceSums, CardinalityLimits? limits = null) =>
        CombineOwned(sourceSums.ToDictionary(pair => pair.Key, pair => pair.Value.Clone(), StringComparer.Ordinal), limits);

    // Combine on sums nobody else holds (fresh from a query): no copy of every key's counters first.
    private static IReadOnlyDictionary<string, AggregateCounters> CombineOwned(IReadOnlyDictionary<string, AggregateCounters> sourceSums, CardinalityLimits? limits) =>
        AggregateKeyFolding.Fold(
            sourceSums
                .Where(pair => !AggregateKeys.IsShortLived(pair.Key) && !pair.Value.IsEmpty)
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal),
            limits ?? CardinalityLimits.Default);

    /// <summary>
    /// Recomputes the hourly or daily items of one bucket from its source items. Returns the
    /// number of items that changed; −1 when the source is past its retention (a rollup from
    /// partly expired sources would lose data, so the existing rollup is kept).
    /// </summary>
    public async Task<int> RollupAsync(Granularity target, DateTimeOffset bucketStart, CancellationToken cancellationToken = default)
    {
        var source = Buckets.SourceOf(target);
        var start = Buckets.StartOf(bucketStart, target);
        var end = start + Buckets.Width(target);
        var sourceRetention = source == Granularity.Fine ? _retention.Fine : _retention.Hourly;
        if (start + sourceRetention < _time.GetUtcNow())
        {
            return -1;
        }

        var versions = _store as IAggregateVersions;
        var sourceVersion = versions?.VersionOf(source, start, end) ?? 0;
        if (versions is not null && Computed(target, start) == (sourceVersion, versions.VersionOf(target, start, end)))
        {
            // The same sources give the same items, and nothing else has written the target since.
            return 0;
        }

        var sums = await _store.SumByPrefixAsync(string.Empty, source, start, end, cancellationToken).ConfigureAwait(false);
        var changed = await _store.PutRollupAsync(target, start, CombineOwned(sums, _maintenance.Limits), cancellationToken).ConfigureAwait(false);
        if (versions is not null)
        {
            // The source version read before the query: a write during it leaves a newer one, so the next run recomputes.
            var targetVersion = versions.VersionOf(target, start, end);
            lock (_computed)
            {
                _computed[(target, start)] = (sourceVersion, targetVersion);
            }
        }

        return changed;
    }

    private (long Source, long Target)? Computed(Granularity target, DateTimeOffset start)
    {
        lock (_computed)
        {
            return _computed.TryGetValue((target, start), out var seen) ? seen : null;
        }
    }

    /// <summary>Computes and stores the baselines for <paramref name="day"/> of every key that has one (see <see cref="AggregateKeys.HasBaseline"/>); "total" is always written.</summary>
    public async Task<int> UpdateBaselinesAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var daily = new Dictionary<string, Dictionary<DateOnly, AggregateCounters>>(StringComparer.Ordinal);
        foreach (var item in await _store.GetItemsAsync(string.Empty, Granularity.Daily, dayStart.AddDays(-_baselines.HistoryHorizonDays), dayStart, cancellationToken).ConfigureAwait(false))
        {
            if (AggregateKeys.HasBaseline(item.Key))
            {
                Of(daily, item.Key)[DateOnly.FromDateTime(item.BucketStart.UtcDateTime)] = item.Counters;
            }
        }

        var hourly = new Dictionary<string, Dictionary<DateTimeOffset, AggregateCounters>>(StringComparer.Ordinal);
        foreach (var item in await _store.GetItemsAsync(string.Empty, Granularity.Hourly, dayStart.AddDays(-7 * _baselines.ProfileWeeks), dayStart, cancellationToken).ConfigureAwait(false))
        {
            if (AggregateKeys.HasBaseline(item.Key))
            {
                Of(hourly, item.Key)[item.BucketStart] = item.Counters;
            }
        }

        var keys = new SortedSet<string>(daily.Keys, StringComparer.Ordinal) { AggregateKeys.Total };
        var baselines = keys
            .Select(key => BaselineCalculator.Compute(
                key,
                day,
                daily.TryGetValue(key, out var days) ? days : [],
                hourly.TryGetValue(key, out var hours) ? hours : [],
                _baselines))
            .ToList();
        await _store.PutBaselinesAsync(baselines, cancellationToken).ConfigureAwait(false);
        return baselines.Count;
    }

    /// <summary>
    /// Brings rollups and baselines up to date at the current time, idempotently. A period is rolled
    /// up once it has ended — the first run after its end — and again only when a later write marks
    /// it; the open hour and today never are (the rules read a rollup only for a period that has
    /// ended, <see cref="Alerts.Rules.AggregateStoreReader"/>, so rewriting them every run bought
    /// nothing but DynamoDB writes):
    /// <list type="number">
    /// <item>hourly rollups of every hour after the maintenance watermark (the last hour a run has
    /// completed) and before the recent ones, oldest first, at most <see cref="MaintenanceSettings.MaxHoursPerRun"/>
    /// of them per run (the next run continues), never older than the fine retention (those sources may
    /// have expired: their rollups are kept as they are) — this fills the gap an evaluator outage leaves;</item>
    /// <item>the recent hours — the <paramref name="lateHours"/> ended hours before the current one — while
    /// they are after the watermark: in steady state the hour that has just ended, once;</item>
    /// <item>every older hour a write has marked since its last rollup (<see cref="IAggregateStore.GetMarkedHoursAsync"/>:
    /// data hours late — throttled retries, DLQ redrive, delivery lag, and in deferred mode the roll-up
    /// of an hour's last windows) while its 5-minute items exist;</item>
    /// <item>the daily rollup of every ended day one of those hours belongs to (the first run after
    /// midnight rolls up the last hour of yesterday, and so yesterday);</item>
    /// <item>baselines: today's when missing, and — when a rollup of an earlier day changed — again
    /// for every later day up to today, within the baselines' horizon, that has baselines (their inputs changed);</item>
    /// <item>the marks of the hours rolled up are cleared (unless written again meanwhile);</item>
    /// <item>finally the watermark moves forward (a conditional write: concurrent runs never move it back).</item>
    /// </list>
    /// With no watermark yet (first run) there is nothing to backfill: it starts at the recent hours.
    /// The hours still marked afterwards (the open hour, late hours beyond the per-run bound, hours a
    /// write marked again) are in <see cref="MaintenanceResult.MarkedHours"/>: their rollups, and
    /// their days', are not current, and readers read them from the finer items.
    /// </summary>
    public async Task<MaintenanceResult> MaintainAsync(int lateHours = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lateHours);
        var now = _time.GetUtcNow();
        var currentHour = Buckets.StartOf(now, Granularity.Hourly);
        var recentStart = currentHour.AddHours(-lateHours);
        var watermark = await _store.GetWatermarkAsync(_maintenance.WatermarkName, cancellationToken).ConfigureAwait(false);

        // The oldest hour whose fine sources are all still within retention (RollupAsync refuses older ones).
        var oldest = Buckets.StartOf(now - _retention.Fine + Buckets.Width(Granularity.Hourly) - TimeSpan.FromTicks(1), Granularity.Hourly);
        var backfillStart = watermark is { } last ? Max(last.AddHours(1), oldest) : recentStart;
        var backfill = new List<DateTimeOffset>();
        for (var hour = backfillStart; hour < recentStart && backfill.Count < _maintenance.MaxHoursPerRun; hour = hour.AddHours(1))
        {
            backfill.Add(hour);
        }

        // The recent ended hours after the watermark are rolled up below whatever the backfill's bound.
        var caughtUp = backfillStart.AddHours(backfill.Count) >= recentStart;

        // Late data: every ended hour a run had completed (at or before the watermark) that a write has
        // marked since, while its 5-minute items exist. Hours after the watermark are the backfill's.
        var marks = await _store.GetMarkedHoursAsync(cancellationToken).ConfigureAwait(false);
        var late = marks
            .Select(mark => mark.Hour)
            .Where(hour => watermark is { } done && hour <= done && hour >= oldest && hour < currentHour)
            .Take(_maintenance.MaxHoursPerRun);
        var recent = Hours(recentStart, currentHour.AddHours(-1)).Where(hour => watermark is not { } done || hour > done);
        var hours = backfill.Concat(late).Concat(recent).Distinct().Order().ToList();

        var itemsChanged = 0;
        var changedDays = new SortedSet<DateOnly>();
        foreach (var hour in hours)
        {
            var changed = await RollupAsync(Granularity.Hourly, hour, cancellationToken).ConfigureAwait(false);
            if (changed > 0)
            {
                itemsChanged += changed;
                changedDays.Add(DayOf(hour));
            }
        }

        // A day is rolled up with its hours, once it has ended: its last hour's first rollup comes
        // after midnight, so the day's does too; a late hour rolls its (ended) day up again.
        var today = DayOf(now);
        var days = new SortedSet<DateOnly>(hours.Select(DayOf).Where(day => day < today));
        foreach (var day in days)
        {
            var changed = await RollupAsync(Granularity.Daily, StartOf(day), cancellationToken).ConfigureAwait(false);
            if (changed > 0)
            {
                itemsChanged += changed;
                changedDays.Add(day);
            }
        }

        // A day's baselines read the days and hours of their horizon before it: a change reaches
        // at most that far, so an old late day never walks every day up to today.
        var baselineDays = 0;
        var reach = Math.Max(_baselines.HistoryHorizonDays, 7 * _baselines.ProfileWeeks);
        var earliestPastChange = changedDays.Where(day => day < today).Select(day => (DateOnly?)day).FirstOrDefault();
        var candidates = new SortedSet<DateOnly> { today };
        if (earliestPastChange is { } changedDay)
        {
            for (var day = changedDay.AddDays(1); day <= today && day.DayNumber - changedDay.DayNumber <= reach; day = day.AddDays(1))
            {
                candidates.Add(day);
            }
        }

        foreach (var day in candidates)
        {
            var existing = await _store.GetBaselineAsync(AggregateKeys.Total, day, cancellationToken).ConfigureAwait(false);
            var inputsChanged = earliestPastChange is { } first && day > first;
            if ((existing is null && day == today) || (existing is not null && inputsChanged))
            {
                await UpdateBaselinesAsync(day, cancellationToken).ConfigureAwait(false);
                baselineDays++;
            }
        }

        // The marks of the hours just rolled up (and of hours whose items are gone) are cleared,
        // last, so a failed run leaves them for the next; a mark written again meanwhile stays.
        // With no watermark (first run) there is nothing to catch up, marks included.
        var stillMarked = new List<DateTimeOffset>();
        foreach (var mark in marks)
        {
            var clear = mark.Hour < oldest || hours.Contains(mark.Hour) || (watermark is null && mark.Hour < recentStart);
            if (!clear || !await _store.ClearHourMarkAsync(mark, cancellationToken).ConfigureAwait(false))
            {
                stillMarked.Add(mark.Hour);
            }
        }

        // Completed: the last closed hour of an unbroken run of rolled-up hours.
        var completed = caughtUp ? currentHour.AddHours(-1) : backfill[^1];
        var advanced = await _store.AdvanceWatermarkAsync(_maintenance.WatermarkName, completed, cancellationToken).ConfigureAwait(false);
        var after = advanced ? completed : await _store.GetWatermarkAsync(_maintenance.WatermarkName, cancellationToken).ConfigureAwait(false);
        return new MaintenanceResult(watermark, after, hours.Count, days.Count, itemsChanged, baselineDays, caughtUp) { MarkedHours = stillMarked };
    }

    private static IEnumerable<DateTimeOffset> Hours(DateTimeOffset first, DateTimeOffset last)
    {
        for (var hour = first; hour <= last; hour = hour.AddHours(1))
        {
            yield return hour;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateOnly DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static Dictionary<TKey, AggregateCounters> Of<TKey>(Dictionary<string, Dictionary<TKey, AggregateCounters>> map, string key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var inner))
        {
            inner = [];
            map[key] = inner;
        }

        return inner;
    }
}
