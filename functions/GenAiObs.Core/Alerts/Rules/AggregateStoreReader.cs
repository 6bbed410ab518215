using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// <see cref="IAlertDataReader"/> over an <see cref="IAggregateStore"/>. A range is read from the
/// coarsest items that cover it exactly — daily rollups for whole days, hourly for whole hours,
/// fine buckets for the 5-minute edges — so "last 7 days" costs a handful of reads and does not
/// depend on fine buckets that have already expired. Whole periods read this way lie before
/// <c>to</c>, which is never after the evaluation time, so a rollup is only read for a period
/// that has ended (the evaluator runs the store's maintenance first so it is current). An hour
/// written since its last rollup (still marked after maintenance, <see cref="MaintenanceResult.MarkedHours"/>)
/// is read from its 5-minute items, and its day from the hours: a rollup is read only where it is current.
/// Session and trace keys are never rolled up and are always read from fine buckets. Over a store
/// with <see cref="IAggregateVersions"/> (the in-memory store replay simulates against), the sums
/// of runs that start on an hour boundary are kept and extended (<see cref="RunSumCache"/>).
/// </summary>
public sealed class AggregateStoreReader : IAlertDataReader
{
    private readonly IAggregateStore _store;
    private readonly RunSumCache? _runs;
    private readonly HashSet<DateTimeOffset> _markedHours;

    /// <param name="store">The aggregates.</param>
    /// <param name="markedHours">Hours written since their last rollup (<see cref="MaintenanceResult.MarkedHours"/>): read from the finer items.</param>
    public AggregateStoreReader(IAggregateStore store, IEnumerable<DateTimeOffset>? markedHours = null)
        : this(store, store is IAggregateVersions versions ? new RunSumCache(store, versions) : null, markedHours)
    {
    }

    private AggregateStoreReader(IAggregateStore store, RunSumCache? runs, IEnumerable<DateTimeOffset>? markedHours)
    {
        _store = store;
        _runs = runs;
        _markedHours = [.. (markedHours ?? []).Select(hour => Buckets.StartOf(hour, Granularity.Hourly))];
    }

    /// <summary>A reader of the same store, sharing its cached sums, after a maintenance run that left <paramref name="markedHours"/> marked.</summary>
    public AggregateStoreReader After(IEnumerable<DateTimeOffset> markedHours) => new(_store, _runs, markedHours);

    public async Task<AggregateCounters> SumAsync(string key, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var sum = new AggregateCounters();
        foreach (var (granularity, start, end) in Segments(from, to, AggregateKeys.IsShortLived(key), _markedHours))
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
        foreach (var (granularity, start, end) in Segments(from, to, shortLived, _markedHours))
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

    /// <summary>
    /// One key's stored items; an hourly or daily bucket that holds a marked hour (its rollup is not
    /// current) is summed from the finer items instead (an item with no <c>ExpiresAt</c>, absent when empty).
    /// </summary>
    public async Task<IReadOnlyList<AggregateItem>> SeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var items = await _store.GetSeriesAsync(key, granularity, from, to, cancellationToken).ConfigureAwait(false);
        if (granularity == Granularity.Fine || _markedHours.Count == 0)
        {
            return items;
        }

        var width = Buckets.Width(granularity);
        var stale = Buckets.StartsIn(from, to, granularity)
            .Where(start => HasMarkedHour(_markedHours, start, width))
            .ToList();
        if (stale.Count == 0)
        {
            return items;
        }

        var series = items.Where(item => !stale.Contains(item.BucketStart)).ToList();
        foreach (var start in stale)
        {
            var sum = await SumAsync(key, start, start + width, cancellationToken).ConfigureAwait(false);
            if (!sum.IsEmpty)
            {
                series.Add(new AggregateItem(granularity, start, key, sum, 0));
            }
        }

        return [.. series.OrderBy(item => item.BucketStart)];
    }

    public Task<Baseline?> BaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default) =>
        _store.GetBaselineAsync(key, day, cancellationToken);

    /// <summary>
    /// Splits [from, to) into runs of whole days, whole hours and 5-minute buckets (fine at the
    /// edges, coarse in the middle: at most five runs when no hour is marked). Fine-only keys get one
    /// fine run. A marked hour is read from its 5-minute buckets and its day from its hours.
    /// </summary>
    internal static IReadOnlyList<(Granularity Granularity, DateTimeOffset From, DateTimeOffset To)> Segments(DateTimeOffset from, DateTimeOffset to, bool fineOnly, IReadOnlySet<DateTimeOffset>? markedHours = null)
    {
        markedHours ??= NoMarks;
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
            if (IsAligned(cursor, Granularity.Daily) && cursor.AddDays(1) <= to && !HasMarkedHour(markedHours, cursor, Buckets.Width(Granularity.Daily)))
            {
                granularity = Granularity.Daily;
            }
            else if (IsAligned(cursor, Granularity.Hourly) && cursor.AddHours(1) <= to && !markedHours.Contains(cursor))
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

    private static readonly HashSet<DateTimeOffset> NoMarks = [];

    /// <summary>True when a marked hour lies in the bucket [<paramref name="start"/>, start + <paramref name="width"/>): its rollup is not current.</summary>
    private static bool HasMarkedHour(IReadOnlySet<DateTimeOffset> markedHours, DateTimeOffset start, TimeSpan width) =>
        markedHours.Count > 0 && markedHours.Any(hour => hour >= start && hour < start + width);

    private static bool IsAligned(DateTimeOffset time, Granularity granularity) =>
        Buckets.StartOf(time, granularity) == time;
}
