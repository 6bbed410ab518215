namespace GenAiObs.Core.Aggregation;

/// <summary>A key's share of a counter over a window.</summary>
/// <param name="Key">The full key (e.g. <c>principal#analytics-role</c>).</param>
/// <param name="Value">Its counter value.</param>
/// <param name="Share">Value / total over every key of the prefix (0 when the total is 0).</param>
public sealed record Contributor(string Key, long Value, double Share);

/// <summary>The read side the evaluator and reports use, built on <see cref="IAggregateStore"/>'s primitives.</summary>
public static class AggregateQueries
{
    /// <summary>The sum of one key's items at a granularity with bucket starts in [from, to).</summary>
    public static async Task<AggregateCounters> SumAsync(this IAggregateStore store, string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var sum = new AggregateCounters();
        foreach (var item in await store.GetSeriesAsync(key, granularity, from, to, cancellationToken).ConfigureAwait(false))
        {
            sum.Merge(item.Counters);
        }

        return sum;
    }

    /// <summary>Per key starting with <paramref name="keyPrefix"/> ("" for every key): the sum of its items with bucket starts in [from, to).</summary>
    public static async Task<IReadOnlyDictionary<string, AggregateCounters>> SumByPrefixAsync(this IAggregateStore store, string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var items = await store.GetItemsAsync(keyPrefix, granularity, from, to, cancellationToken).ConfigureAwait(false);
        return SumByKey(items);
    }

    /// <summary>Sums items per key.</summary>
    public static IReadOnlyDictionary<string, AggregateCounters> SumByKey(IEnumerable<AggregateItem> items)
    {
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            // A key's first item is copied whole (one dictionary copy, not an add per counter).
            if (sums.TryGetValue(item.Key, out var sum))
            {
                sum.Merge(item.Counters);
            }
            else
            {
                sums[item.Key] = item.Counters.Clone();
            }
        }

        return sums;
    }

    /// <summary>
    /// The window "last N minutes" at <paramref name="now"/>: fine buckets starting in
    /// [now − N min, now). At a 5-minute boundary (the evaluator's schedule) that is exactly N
    /// minutes of data; in between, the current bucket is partial.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) LastMinutes(DateTimeOffset now, int minutes) =>
        (now.AddMinutes(-minutes), now);

    /// <summary>One key's counters over the last N minutes (fine buckets).</summary>
    public static Task<AggregateCounters> SumLastMinutesAsync(this IAggregateStore store, string key, int minutes, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var (from, to) = LastMinutes(now, minutes);
        return store.SumAsync(key, Granularity.Fine, from, to, cancellationToken);
    }

    /// <summary>Every key of a prefix over the last N minutes (fine buckets).</summary>
    public static Task<IReadOnlyDictionary<string, AggregateCounters>> SumByPrefixLastMinutesAsync(this IAggregateStore store, string keyPrefix, int minutes, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var (from, to) = LastMinutes(now, minutes);
        return store.SumByPrefixAsync(keyPrefix, Granularity.Fine, from, to, cancellationToken);
    }

    /// <summary>The q-quantile (ms) of a key's histogram over a window; null when it holds no observations.</summary>
    public static async Task<double?> PercentileAsync(this IAggregateStore store, string key, HistogramFamily family, double quantile, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var sum = await store.SumAsync(key, granularity, from, to, cancellationToken).ConfigureAwait(false);
        return sum.Histogram(family).Quantile(quantile);
    }

    /// <summary>The keys of a prefix with the largest value of a counter over a window, with their shares.</summary>
    public static async Task<IReadOnlyList<Contributor>> TopContributorsAsync(this IAggregateStore store, string keyPrefix, string counter, int limit, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var sums = await store.SumByPrefixAsync(keyPrefix, granularity, from, to, cancellationToken).ConfigureAwait(false);
        return Top(sums, counter, limit);
    }

    /// <summary>The top contributors of a counter among already-summed keys (ties broken by key).</summary>
    public static IReadOnlyList<Contributor> Top(IReadOnlyDictionary<string, AggregateCounters> sums, string counter, int limit)
    {
        var total = sums.Values.Sum(counters => counters[counter]);
        return sums
            .Select(pair => (pair.Key, Value: pair.Value[counter]))
            .Where(pair => pair.Value != 0)
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(pair => new Contributor(pair.Key, pair.Value, total == 0 ? 0 : (double)pair.Value / total))
            .ToList();
    }

    /// <summary>
    /// Invocation cost (micro-dollars) of the UTC month up to <paramref name="now"/>, from the
    /// daily rollups (run <see cref="AggregateMaintenance.MaintainAsync"/> first so today's is current).
    /// </summary>
    public static async Task<long> MonthToDateCostMicrosAsync(this IAggregateStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var utc = now.ToUniversalTime();
        var monthStart = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var sum = await store.SumAsync(AggregateKeys.Total, Granularity.Daily, monthStart, Buckets.StartOf(utc, Granularity.Daily).AddDays(1), cancellationToken).ConfigureAwait(false);
        return sum[CounterNames.CostMicros];
    }
}
