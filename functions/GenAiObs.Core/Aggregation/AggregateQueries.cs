namespace GenAiObs.Core.Aggregation;

/// <summary>A key's share of a counter over a window.</summary>
/// <param name="Key">The full key (e.g. <c>principal#analytics-role</c>).</param>
/// <param name="Value">Its counter value.</param>
/// <param name="Share">Value / total over every key of the prefix (0 when the total is 0).</param>
public sealed record Contributor(string Key, long Value, double Share);

/// <summary>
/// Sums over <see cref="IAggregateStore"/>'s primitives at one granularity, for the report command
/// and the alert rules' reader (<see cref="Alerts.Rules.AggregateStoreReader"/>, which picks the
/// granularities for a window).
/// </summary>
public static class AggregateQueries
{
    /// <summary>The sum of one key's items at a granularity with bucket starts in [from, to).</summary>
    public static async Task<AggregateCounters> SumAsync(this IAggregateStore store, string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (store is IAggregateSums own)
        {
            var one = new Dictionary<string, AggregateCounters>(1, StringComparer.Ordinal);
            own.AddSums(one, key, prefix: false, granularity, from, to);

            // A bag of its own, as the merge below gives (the first item's is already a new one).
            return one.TryGetValue(key, out var found) ? found : new AggregateCounters();
        }

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
        if (store is IAggregateSums own)
        {
            var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
            own.AddSums(sums, keyPrefix, prefix: true, granularity, from, to);
            return sums;
        }

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
}
