using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// The sums of runs of buckets that <see cref="AggregateStoreReader"/> read last, kept across
/// evaluations for a store with <see cref="IAggregateVersions"/>: a run that starts where a cached
/// one started and ends at or after it is the cached sums plus the buckets after its end, as long
/// as no bucket of the cached part has been written since. Replay's alert simulation evaluates at
/// every 5-minute boundary and the rules ask again for "today", "this hour", "month to date", the
/// last 24 hours: each of those grows by one bucket, so a run costs the new bucket instead of all
/// of them (about 35 for "today", which made the simulation's cost per evaluation grow with the
/// hour of the day). Only runs that start on an hour boundary are kept (a sliding window starts
/// somewhere else at every evaluation and would never be reused), and an entry unused for
/// <see cref="Capacity"/> look-ups is dropped, so the cache stays small.
/// </summary>
internal sealed class RunSumCache
{
    public const int Capacity = 256;

    private readonly IAggregateStore _store;
    private readonly IAggregateVersions _versions;
    private readonly Dictionary<(string KeyOrPrefix, bool Prefix, Granularity Granularity, DateTimeOffset From), Entry> _entries = [];
    private long _lookups;

    public RunSumCache(IAggregateStore store, IAggregateVersions versions)
    {
        _store = store;
        _versions = versions;
    }

    /// <summary>Per key, the sum of the items of one key (<paramref name="prefix"/> false) or of every key with a prefix, in [from, to) of one granularity — as <see cref="AggregateQueries.SumByKey"/> would sum them.</summary>
    /// <returns>The cache's own sums: read them, never change or keep them.</returns>
    public async Task<IReadOnlyDictionary<string, AggregateCounters>> SumAsync(string keyOrPrefix, bool prefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var id = (keyOrPrefix, prefix, granularity, from);
        var cacheable = Buckets.StartOf(from, Granularity.Hourly) == from;

        // Read before the items: a write meanwhile leaves a newer version, and the next look-up recomputes.
        var version = _versions.VersionOf(granularity, from, to);
        Entry? cached = null;
        lock (_entries)
        {
            _lookups++;
            if (cacheable && _entries.Remove(id, out var entry))
            {
                cached = entry;
            }
        }

        Dictionary<string, AggregateCounters> sums;
        var readFrom = from;
        if (cached is not null && cached.To <= to && _versions.VersionOf(granularity, from, cached.To) == cached.Version)
        {
            sums = cached.Sums;
            readFrom = cached.To;
        }
        else
        {
            sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
        }

        if (readFrom < to && _store is IAggregateSums own)
        {
            own.AddSums(sums, keyOrPrefix, prefix, granularity, readFrom, to);
        }
        else if (readFrom < to)
        {
            var items = prefix
                ? await _store.GetItemsAsync(keyOrPrefix, granularity, readFrom, to, cancellationToken).ConfigureAwait(false)
                : await _store.GetSeriesAsync(keyOrPrefix, granularity, readFrom, to, cancellationToken).ConfigureAwait(false);

            // A key's first item is taken whole and later ones merged, in bucket order, as SumByKey does.
            foreach (var item in items)
            {
                if (sums.TryGetValue(item.Key, out var sum))
                {
                    sum.Merge(item.Counters);
                }
                else
                {
                    sums[item.Key] = item.Counters;
                }
            }
        }

        if (cacheable)
        {
            lock (_entries)
            {
                _entries[id] = new Entry(to, version, sums, _lookups);
                if (_entries.Count > 2 * Capacity)
                {
                    foreach (var stale in _entries.Where(pair => pair.Value.LastUse < _lookups - Capacity).Select(pair => pair.Key).ToList())
                    {
                        _entries.Remove(stale);
                    }
                }
            }
        }

        return sums;
    }

    private sealed record Entry(DateTimeOffset To, long Version, Dictionary<string, AggregateCounters> Sums, long LastUse);
}
