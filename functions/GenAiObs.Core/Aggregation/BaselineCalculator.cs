namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Baseline maths. Method: plain mean and sample standard deviation over a fixed trailing
/// window of full periods (the previous <see cref="BaselineSettings.DailyDays"/> days for the
/// daily baseline; the same hour of the week in the previous <see cref="BaselineSettings.ProfileWeeks"/>
/// weeks for the profile). Chosen over EWMA because it is a pure function of the rollups: a
/// recomputation (a retried job, two concurrent evaluators, late data re-rolled) gives exactly the
/// same numbers, while an EWMA update depends on how many times and in which order it ran.
/// Periods after the key first appeared count as zero when they hold no data (a quiet day is a
/// real observation); periods before it are not samples. Latency p95 and cache hit rate are
/// ratios, so periods without latency data / input tokens are left out instead.
/// </summary>
public static class BaselineCalculator
{
    /// <summary>The value of a metric in one period's counters; null when the metric is undefined there.</summary>
    public static double? ValueOf(BaselineMetric metric, AggregateCounters counters)
    {
        switch (metric)
        {
            case BaselineMetric.CostMicros:
                return counters[CounterNames.CostMicros];
            case BaselineMetric.Tokens:
                return counters[CounterNames.InputTokens] + counters[CounterNames.OutputTokens] +
                       counters[CounterNames.CacheReadTokens] + counters[CounterNames.CacheWriteTokens];
            case BaselineMetric.Requests:
                return counters[CounterNames.Requests];
            case BaselineMetric.Errors:
                return counters[CounterNames.Errors];
            case BaselineMetric.LatencyP95Ms:
                return counters.Histogram(HistogramFamily.Latency).Quantile(0.95);
            case BaselineMetric.CacheHitRate:
                var input = counters[CounterNames.InputTokens] + counters[CounterNames.CacheReadTokens] + counters[CounterNames.CacheWriteTokens];
                return input > 0 ? (double)counters[CounterNames.CacheReadTokens] / input : null;
            default:
                throw new ArgumentOutOfRangeException(nameof(metric));
        }
    }

    /// <summary>Mean and sample standard deviation (n − 1; 0 for fewer than two samples).</summary>
    public static BaselineStat Stat(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0)
        {
            return new BaselineStat(0, 0, 0);
        }

        var mean = samples.Sum() / samples.Count;
        if (samples.Count < 2)
        {
            return new BaselineStat(mean, 0, samples.Count);
        }

        var squares = samples.Sum(value => (value - mean) * (value - mean));
        return new BaselineStat(mean, Math.Sqrt(squares / (samples.Count - 1)), samples.Count);
    }

    /// <summary>
    /// A key's baseline for <paramref name="day"/>.
    /// </summary>
    /// <param name="key">The dimension key.</param>
    /// <param name="day">Data strictly before this UTC day is used.</param>
    /// <param name="daily">The key's daily rollups by day (any span; days outside the horizon are ignored).</param>
    /// <param name="hourly">The key's hourly rollups by hour start (any span; hours outside the profile window are ignored).</param>
    /// <param name="settings">Window sizes and warm-up.</param>
    public static Baseline Compute(
        string key,
        DateOnly day,
        IReadOnlyDictionary<DateOnly, AggregateCounters> daily,
        IReadOnlyDictionary<DateTimeOffset, AggregateCounters> hourly,
        BaselineSettings settings)
    {
        var horizonStart = day.AddDays(-settings.HistoryHorizonDays);
        DateOnly? firstSeen = null;
        foreach (var (seenDay, counters) in daily)
        {
            if (seenDay >= horizonStart && seenDay < day && !counters.IsEmpty && (firstSeen is null || seenDay < firstSeen))
            {
                firstSeen = seenDay;
            }
        }

        var historyDays = firstSeen is { } first ? day.DayNumber - first.DayNumber : 0;
        var empty = new AggregateCounters();

        var dailySamples = NewSamples();
        if (firstSeen is { } seen)
        {
            var start = day.AddDays(-settings.DailyDays);
            for (var d = start > seen ? start : seen; d < day; d = d.AddDays(1))
            {
                AddSamples(dailySamples, daily.TryGetValue(d, out var counters) ? counters : empty);
            }
        }

        var profileSamples = new Dictionary<int, Dictionary<BaselineMetric, List<double>>>();
        if (firstSeen is { } seenForProfile)
        {
            var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var windowStart = dayStart.AddDays(-7 * settings.ProfileWeeks);
            var firstHour = new DateTimeOffset(seenForProfile.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            for (var hour = windowStart > firstHour ? windowStart : firstHour; hour < dayStart; hour = hour.AddHours(1))
            {
                var slot = Baseline.SlotOf(hour);
                if (!profileSamples.TryGetValue(slot, out var samples))
                {
                    samples = NewSamples();
                    profileSamples[slot] = samples;
                }

                AddSamples(samples, hourly.TryGetValue(hour, out var counters) ? counters : empty);
            }
        }

        return new Baseline(
            key,
            day,
            Math.Min(historyDays, settings.HistoryHorizonDays),
            historyDays < settings.WarmupDays,
            ToStats(dailySamples),
            profileSamples.ToDictionary(pair => pair.Key, pair => ToStats(pair.Value)));
    }

    private static Dictionary<BaselineMetric, List<double>> NewSamples() =>
        Enum.GetValues<BaselineMetric>().ToDictionary(metric => metric, _ => new List<double>());

    private static void AddSamples(Dictionary<BaselineMetric, List<double>> samples, AggregateCounters counters)
    {
        foreach (var (metric, values) in samples)
        {
            if (ValueOf(metric, counters) is { } value)
            {
                values.Add(value);
            }
        }
    }

    private static IReadOnlyDictionary<BaselineMetric, BaselineStat> ToStats(Dictionary<BaselineMetric, List<double>> samples) =>
        samples.Where(pair => pair.Value.Count > 0).ToDictionary(pair => pair.Key, pair => Stat(pair.Value));
}
