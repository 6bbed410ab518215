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

    public AggregateMaintenance(IAggregateStore store, TimeProvider time, AggregateRetention? retention = null, BaselineSettings? baselines = null)
    {
        _store = store;
        _time = time;
        _retention = retention ?? AggregateRetention.Default;
        _baselines = baselines ?? BaselineSettings.Default;
    }

    /// <summary>Sums source items per key (short-lived session/trace keys are never rolled up).</summary>
    public static IReadOnlyDictionary<string, AggregateCounters> Combine(IReadOnlyDictionary<string, AggregateCounters> sourceSums) =>
        sourceSums
            .Where(pair => !AggregateKeys.IsShortLived(pair.Key) && !pair.Value.IsEmpty)
            .ToDictionary(pair => pair.Key, pair => pair.Value.Clone(), StringComparer.Ordinal);

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

        var sums = await _store.SumByPrefixAsync(string.Empty, source, start, end, cancellationToken).ConfigureAwait(false);
        return await _store.PutRollupAsync(target, start, Combine(sums), cancellationToken).ConfigureAwait(false);
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
    /// Brings rollups and baselines up to date at the current time: the hourly items of the
    /// current and previous <paramref name="lateHours"/> hours (late data), the daily items of
    /// today and yesterday, and today's baselines when they do not exist yet.
    /// </summary>
    public async Task MaintainAsync(int lateHours = 1, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var currentHour = Buckets.StartOf(now, Granularity.Hourly);
        for (var hour = currentHour.AddHours(-lateHours); hour <= currentHour; hour = hour.AddHours(1))
        {
            await RollupAsync(Granularity.Hourly, hour, cancellationToken).ConfigureAwait(false);
        }

        var today = Buckets.StartOf(now, Granularity.Daily);
        await RollupAsync(Granularity.Daily, today.AddDays(-1), cancellationToken).ConfigureAwait(false);
        await RollupAsync(Granularity.Daily, today, cancellationToken).ConfigureAwait(false);

        var day = DateOnly.FromDateTime(today.UtcDateTime);
        if (await _store.GetBaselineAsync(AggregateKeys.Total, day, cancellationToken).ConfigureAwait(false) is null)
        {
            await UpdateBaselinesAsync(day, cancellationToken).ConfigureAwait(false);
        }
    }

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
