using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// <see cref="IAlertDataReader"/> over an <see cref="IAggregateStore"/>. A range is read from the
/// coarsest items that cover it exactly — daily rollups for whole days, hourly for whole hours,
/// fine buckets for the 5-minute edges — so "last 7 days" costs a handful of reads and does not
/// depend on fine buckets that have already expired. Whole periods read this way lie before
/// <c>to</c>, which is never after the evaluation time, so a rollup is only read for a period
/// that has ended (the evaluator runs the store's maintenance first so it is current).
/// Session and trace keys are never rolled up and are always read from fine buckets. Over a store
/// with <see cref="IAggregateVersions"/> (the in-memory store replay simulates against), the sums
/// of runs that start on an hour boundary are kept and extended (<see cref="RunSumCache"/>).
/// </summary>
public sealed class AggregateStoreReader : IAlertDataReader
{
    private readonly IAggregateStore _store;
    private readonly RunSumCache? _runs;

    public AggregateStoreReader(IAggregateStore store)
    {
        _store = store;
        _runs = store is IAggregateVersions versions ? new RunSumCache(store, versions) : null;
    }

    public async Task<AggregateCounters> SumAsync(string key, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var sum = new AggregateCounters();
        foreach (var (granularity, start, end) in Segments(from, to, AggregateKeys.IsShortLived(key)))
        {
            if (_runs is null)
            {
                sum.Merge(await _store.SumAsync(key, granularity, start, end, cancellationToken).ConfigureAwait(false));
            }
            else if ((await _runs.SumAsync(key, prefix: false, granularity, start, end, cancellationToken).ConfigureAwait(false)).TryGetValue(key, out var run))
            {
                sum.Merge(run);
            }
        }

        return sum;
    }

    public async Task<IReadOnlyDictionary<string, AggregateCounters>> SumByPrefixAsync(string keyPrefix, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var shortLived = AggregateKeys.IsShortLived(keyPrefix);
        var sums = new SortedDictionary<string, AggregateCounters>(StringComparer.Ordinal);
        foreach (var (granularity, start, end) in Segments(from, to, shortLived))
        {
            var part = _runs is null
                ? await _store.SumByPrefixAsync(keyPrefix, granularity, start, end, cancellationToken).ConfigureAwait(false)
                : await _runs.SumAsync(keyPrefix, prefix: true, granularity, start, end, cancellationToken).ConfigureAwait(false);
            foreach (var (key, counters) in part)
            {
                if (counters.IsEmpty)
                {
                    continue;
                }

                if (!sums.TryGetValue(key, out var sum))
                {
                    sum = new AggregateCounters();
                    sums[key] = sum;
                }

                sum.Merge(counters);
            }
        }

        return sums;
    }

    public Task<IReadOnlyList<AggregateItem>> SeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        _store.GetSeriesAsync(key, granularity, from, to, cancellationToken);

    public Task<Baseline?> BaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default) =>
        _store.GetBaselineAsync(key, day, cancellationToken);

    /// <summary>
    /// Splits [from, to) into at most five runs of whole days, whole hours and 5-minute buckets
    /// (fine at the edges, coarse in the middle). Fine-only keys get one fine run.
    /// </summary>
    internal static IReadOnlyList<(Granularity Granularity, DateTimeOffset From, DateTimeOffset To)> Segments(DateTimeOffset from, DateTimeOffset to, bool fineOnly)
    {
        var segments = new List<(Granularity Granularity, DateTimeOffset From, DateTimeOffset To)>();
        if (to <= from)
        {
            return segments;
        }

        if (fineOnly)
        {
            segments.Add((Granularity.Fine, from, to));
            return segments;
        }

        var cursor = from;
        while (cursor < to)
        {
            var granularity = Granularity.Fine;
            if (IsAligned(cursor, Granularity.Daily) && cursor.AddDays(1) <= to)
            {
                granularity = Granularity.Daily;
            }
            else if (IsAligned(cursor, Granularity.Hourly) && cursor.AddHours(1) <= to)
            {
                granularity = Granularity.Hourly;
            }

            var next = granularity == Granularity.Fine
                ? Buckets.StartOf(cursor, Granularity.Fine) + Buckets.FineWidth
                : cursor + Buckets.Width(granularity);
            if (next > to)
            {
                next = to;
            }

            if (segments.Count > 0 && segments[^1].Granularity == granularity && segments[^1].To == cursor)
            {
                segments[^1] = (granularity, segments[^1].From, next);
            }
            else
            {
                segments.Add((granularity, cursor, next));
            }

            cursor = next;
        }

        return segments;
    }

    private static bool IsAligned(DateTimeOffset time, Granularity granularity) =>
        Buckets.StartOf(time, granularity) == time;
}
