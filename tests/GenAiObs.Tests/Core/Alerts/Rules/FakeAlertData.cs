using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Records;

namespace GenAiObs.Tests.Rules;

/// <summary>
/// A hand-written in-memory <see cref="IAlertDataReader"/>: counters per (key, 5-minute bucket),
/// every range answered from the fine buckets (perfect rollups), baselines set explicitly.
/// </summary>
internal sealed class FakeAlertData : IAlertDataReader
{
    private readonly Dictionary<(string Key, DateTimeOffset Bucket), AggregateCounters> _buckets = [];
    private readonly Dictionary<(string Key, DateOnly Day), Baseline> _baselines = [];

    public int Reads { get; private set; }

    /// <summary>Adds counters to the fine bucket holding <paramref name="time"/>.</summary>
    public FakeAlertData Add(string key, DateTimeOffset time, Action<AggregateCounters> add)
    {
        var bucket = Buckets.StartOf(time, Granularity.Fine);
        if (!_buckets.TryGetValue((key, bucket), out var counters))
        {
            counters = new AggregateCounters();
            _buckets[(key, bucket)] = counters;
        }

        add(counters);
        return this;
    }

    /// <summary>Invocations under total, the model and the principal (and the team when given).</summary>
    public FakeAlertData Invocations(
        DateTimeOffset time,
        long count,
        string model = "anthropic.claude-sonnet",
        string principal = "arn:aws:iam::123456789012:role/app",
        long errors = 0,
        decimal costUsd = 0m,
        double? latencyMs = null,
        long inputTokens = 0,
        long outputTokens = 0,
        long cacheReadTokens = 0,
        string? stopReason = StopReasons.EndTurn,
        long unpriced = 0,
        string? team = null)
    {
        void AddTo(AggregateCounters counters)
        {
            counters.Add(CounterNames.Requests, count);
            counters.Add(CounterNames.Errors, errors);
            counters.Add(CounterNames.CostMicros, AggregateCounters.ToMicros(costUsd));
            counters.Add(CounterNames.InputTokens, inputTokens);
            counters.Add(CounterNames.OutputTokens, outputTokens);
            counters.Add(CounterNames.CacheReadTokens, cacheReadTokens);
            counters.Add(CounterNames.UnpricedAny, unpriced);
            counters.Add(CounterNames.Unpriced, unpriced);
            if (stopReason is not null)
            {
                counters.Add(CounterNames.StopReason(stopReason), count - errors);
            }

            if (latencyMs is { } latency)
            {
                for (var i = 0; i < count; i++)
                {
                    counters.AddObservation(HistogramFamily.Latency, latency);
                }
            }
        }

        Add(AggregateKeys.Total, time, AddTo);
        Add(AggregateKeys.Model(model), time, AddTo);
        Add(AggregateKeys.Principal(principal), time, AddTo);
        if (team is not null)
        {
            Add(AggregateKeys.Team(team), time, AddTo);
        }

        return this;
    }

    /// <summary>A baseline for a key and day; warm unless said otherwise.</summary>
    public FakeAlertData Baseline(
        string key,
        DateOnly day,
        int historyDays = 30,
        IReadOnlyDictionary<int, IReadOnlyDictionary<BaselineMetric, BaselineStat>>? hourOfWeek = null)
    {
        _baselines[(key, day)] = new Baseline(
            key,
            day,
            historyDays,
            historyDays < BaselineSettings.Default.WarmupDays,
            new Dictionary<BaselineMetric, BaselineStat>(),
            hourOfWeek ?? new Dictionary<int, IReadOnlyDictionary<BaselineMetric, BaselineStat>>());
        return this;
    }

    /// <summary>Warm baselines for a key on every day of a range (inclusive).</summary>
    public FakeAlertData WarmFrom(string key, DateOnly first, DateOnly last, int historyDays = 30)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            Baseline(key, day, historyDays);
        }

        return this;
    }

    public Task<AggregateCounters> SumAsync(string key, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        Reads++;
        var sum = new AggregateCounters();
        foreach (var ((itemKey, bucket), counters) in _buckets)
        {
            if (itemKey == key && bucket >= from && bucket < to)
            {
                sum.Merge(counters);
            }
        }

        return Task.FromResult(sum);
    }

    public Task<IReadOnlyDictionary<string, AggregateCounters>> SumByPrefixAsync(string keyPrefix, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        Reads++;
        var sums = new SortedDictionary<string, AggregateCounters>(StringComparer.Ordinal);
        foreach (var ((key, bucket), counters) in _buckets)
        {
            if (key.StartsWith(keyPrefix, StringComparison.Ordinal) && bucket >= from && bucket < to && !counters.IsEmpty)
            {
                if (!sums.TryGetValue(key, out var sum))
                {
                    sum = new AggregateCounters();
                    sums[key] = sum;
                }

                sum.Merge(counters);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, AggregateCounters>>(sums);
    }

    public Task<IReadOnlyList<AggregateItem>> SeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        Reads++;
        var series = new SortedDictionary<DateTimeOffset, AggregateCounters>();
        foreach (var ((itemKey, bucket), counters) in _buckets)
        {
            var start = Buckets.StartOf(bucket, granularity);
            if (itemKey == key && start >= from && start < to)
            {
                if (!series.TryGetValue(start, out var sum))
                {
                    sum = new AggregateCounters();
                    series[start] = sum;
                }

                sum.Merge(counters);
            }
        }

        return Task.FromResult<IReadOnlyList<AggregateItem>>([.. series.Select(pair => new AggregateItem(granularity, pair.Key, key, pair.Value, 0))]);
    }

    public Task<Baseline?> BaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default)
    {
        Reads++;
        return Task.FromResult(_baselines.TryGetValue((key, day), out var baseline) ? baseline : null);
    }
}
