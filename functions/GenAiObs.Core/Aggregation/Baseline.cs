namespace GenAiObs.Core.Aggregation;

/// <summary>Mean and sample standard deviation of a metric over <see cref="Samples"/> periods.</summary>
public readonly record struct BaselineStat(double Mean, double StdDev, int Samples);

/// <summary>
/// A key's baseline as of the start of <see cref="Day"/> (UTC): computed only from full periods
/// before that day, so it is the same however often it is recomputed.
/// </summary>
/// <param name="Key">The dimension key.</param>
/// <param name="Day">The day the baseline is for (data strictly before it).</param>
/// <param name="HistoryDays">Full days since the key was first seen (capped at the horizon); 0 when never seen.</param>
/// <param name="WarmingUp">True while <paramref name="HistoryDays"/> is below the warm-up: baseline-relative alerts must stay silent.</param>
/// <param name="Daily">Per metric: mean and standard deviation of the daily values.</param>
/// <param name="HourOfWeek">Per hour-of-week slot (<c>(int)DayOfWeek * 24 + hour</c>, Sunday 00:00 UTC = 0) and metric.</param>
public sealed record Baseline(
    string Key,
    DateOnly Day,
    int HistoryDays,
    bool WarmingUp,
    IReadOnlyDictionary<BaselineMetric, BaselineStat> Daily,
    IReadOnlyDictionary<int, IReadOnlyDictionary<BaselineMetric, BaselineStat>> HourOfWeek)
{
    /// <summary>The hour-of-week slot of a UTC time.</summary>
    public static int SlotOf(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return ((int)utc.DayOfWeek * 24) + utc.Hour;
    }

    /// <summary>The profile entry for the slot of <paramref name="time"/>, when there is one.</summary>
    public BaselineStat? ForHour(DateTimeOffset time, BaselineMetric metric) =>
        HourOfWeek.TryGetValue(SlotOf(time), out var metrics) && metrics.TryGetValue(metric, out var stat) ? stat : null;

    /// <summary>Content equality (records compare dictionaries by reference).</summary>
    public bool ContentEquals(Baseline other) =>
        Key == other.Key && Day == other.Day && HistoryDays == other.HistoryDays && WarmingUp == other.WarmingUp &&
        SameStats(Daily, other.Daily) &&
        HourOfWeek.Count == other.HourOfWeek.Count &&
        HourOfWeek.All(pair => other.HourOfWeek.TryGetValue(pair.Key, out var stats) && SameStats(pair.Value, stats));

    private static bool SameStats(IReadOnlyDictionary<BaselineMetric, BaselineStat> left, IReadOnlyDictionary<BaselineMetric, BaselineStat> right) =>
        left.Count == right.Count && left.All(pair => right.TryGetValue(pair.Key, out var stat) && stat == pair.Value);
}
