namespace GenAiObs.Core.Alerts;

/// <summary>
/// A named time interval as written in the configuration (Alertmanager's top-level
/// <c>time_intervals</c>, or the deprecated <c>mute_time_intervals</c> with the same shape),
/// values still as text so validation can name the offending setting.
/// </summary>
/// <param name="Name">The name routes refer to.</param>
/// <param name="Path">Where it is written, e.g. <c>time_intervals[0]</c>.</param>
/// <param name="Intervals">Its <c>time_intervals</c>: the instant is in the named interval when it is in any of them.</param>
public sealed record TimeIntervalSpec(string? Name, string Path, IReadOnlyList<TimeIntervalRangeSpec> Intervals);

/// <summary>
/// One <c>time_interval_spec</c>: every field optional (null = any value matches); a given list
/// matches when any of its entries does, and the instant must match every given field.
/// </summary>
public sealed record TimeIntervalRangeSpec
{
    public IReadOnlyList<TimeOfDaySpec>? Times { get; init; }

    /// <summary>E.g. <c>monday:friday</c>, <c>saturday</c> (case-insensitive).</summary>
    public IReadOnlyList<string>? Weekdays { get; init; }

    /// <summary>E.g. <c>1:5</c>, <c>-3:-1</c> (negative counts from the month's end).</summary>
    public IReadOnlyList<string>? DaysOfMonth { get; init; }

    /// <summary>E.g. <c>1:3</c>, <c>may:august</c>, <c>december</c>.</summary>
    public IReadOnlyList<string>? Months { get; init; }

    /// <summary>E.g. <c>2020:2022</c>, <c>2030</c>.</summary>
    public IReadOnlyList<string>? Years { get; init; }

    /// <summary>An IANA time zone (e.g. <c>Europe/Berlin</c>), <c>UTC</c> or <c>Local</c>; UTC when absent.</summary>
    public string? Location { get; init; }
}

/// <summary>A <c>times</c> entry: <c>start_time</c> inclusive, <c>end_time</c> exclusive, both <c>HH:MM</c> (<c>24:00</c> allowed as an end).</summary>
public sealed record TimeOfDaySpec(string? StartTime, string? EndTime);
