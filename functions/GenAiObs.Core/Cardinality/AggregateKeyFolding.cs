using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Cardinality;

/// <summary>
/// Folds the aggregate keys of one bucket: per capped key prefix (<see cref="CardinalityLimits.ForKeyPrefix"/>),
/// the top N values by cost keep their key and the rest are summed into <c>prefix#other</c>. The
/// processors fold each delivery's fine deltas the same way while they build them
/// (<see cref="AggregateBuilder"/>, ranked by <see cref="TopValues.Rank"/>), the deferred roll-up
/// folds each 5-minute window's merged deltas here (<see cref="DeferredAggregation.Merge"/>), and
/// maintenance folds every hourly and daily rollup again here, so the rollups, the baselines computed from them and
/// the alert rules reading them hold at most N + 1 keys per dimension and bucket whatever callers
/// put in requestMetadata.
/// </summary>
public static class AggregateKeyFolding
{
    /// <summary>Folds the keys of one bucket; returns the input itself when nothing exceeds its limit.</summary>
    public static IReadOnlyDictionary<string, AggregateCounters> Fold(IReadOnlyDictionary<string, AggregateCounters> items, CardinalityLimits limits)
    {
        var byPrefix = CountByPrefix(items.Keys, limits);
        if (byPrefix.Count == 0)
        {
            return items;
        }

        var kept = KeptValues(items, byPrefix, limits);
        var folded = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
        foreach (var (key, counters) in items)
        {
            var target = Target(key, kept);
            if (folded.TryGetValue(target, out var existing))
            {
                existing.Merge(counters);
            }
            else
            {
                // An "other" bucket is merged into below: never into the caller's own counters.
                folded[target] = target.EndsWith("#" + TopValues.Other, StringComparison.Ordinal) ? counters.Clone() : counters;
            }
        }

        return folded;
    }

    /// <summary>The key prefix (through the first <c>#</c>), or null for <c>total</c>.</summary>
    public static string? PrefixOf(string key)
    {
        var hash = key.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? null : key[..(hash + 1)];
    }

    // Prefixes over their limit, with their key counts (usually none: the common case allocates nothing more).
    private static Dictionary<string, int> CountByPrefix(IEnumerable<string> keys, CardinalityLimits limits)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (PrefixOf(key) is { } prefix && limits.ForKeyPrefix(prefix) is not null)
            {
                counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
            }
        }

        foreach (var prefix in counts.Keys.ToList())
        {
            if (counts[prefix] <= limits.ForKeyPrefix(prefix))
            {
                counts.Remove(prefix);
            }
        }

        return counts;
    }

    private static Dictionary<string, HashSet<string>> KeptValues(IReadOnlyDictionary<string, AggregateCounters> items, Dictionary<string, int> over, CardinalityLimits limits)
    {
        var rankings = over.Keys.ToDictionary(prefix => prefix, _ => new TopValues(), StringComparer.Ordinal);
        foreach (var (key, counters) in items)
        {
            if (PrefixOf(key) is { } prefix && rankings.TryGetValue(prefix, out var ranking))
            {
                // Invocation keys rank by cost then requests, span keys by span cost then spans (env# holds both).
                var weight = AggregateCounters.FromMicros(counters[CounterNames.CostMicros] + counters[CounterNames.SpanCostMicros]);
                ranking.Add(key[prefix.Length..], weight, counters[CounterNames.Requests] + counters[CounterNames.Spans]);
            }
        }

        return rankings.ToDictionary(pair => pair.Key, pair => pair.Value.Keep(limits.ForKeyPrefix(pair.Key)!.Value), StringComparer.Ordinal);
    }

    private static string Target(string key, Dictionary<string, HashSet<string>> kept)
    {
        if (PrefixOf(key) is { } prefix && kept.TryGetValue(prefix, out var values) && !values.Contains(key[prefix.Length..]))
        {
            return prefix + TopValues.Other;
        }

        return key;
    }
}
