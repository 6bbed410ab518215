namespace GenAiObs.Core.Aggregation;

/// <summary>Knobs of the baseline maths.</summary>
public sealed record BaselineSettings
{
    /// <summary>Full days before the baseline's day that the daily baseline averages (docs/alerts-and-routing.md, Rules: "the mean daily cost of the 7 previous full days").</summary>
    public int DailyDays { get; init; } = 7;

    /// <summary>Weeks of hourly rollups the hour-of-week profile averages (hourly items are kept 35 days).</summary>
    public int ProfileWeeks { get; init; } = 4;

    /// <summary>Days of history a key needs before its baseline is trusted.</summary>
    public int WarmupDays { get; init; } = 7;

    /// <summary>How far back (days of daily rollups) the first appearance of a key is looked for.</summary>
    public int HistoryHorizonDays { get; init; } = 35;

    public static BaselineSettings Default { get; } = new();
}
