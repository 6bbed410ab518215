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

/// <summary>A <c>times</c> entry: <c>start_time</c> inclusive, <c>end_time</c> exclusive, both <c>HH:MM</c> (<c>24:00</c> allowed as an end).</summary>
public sealed record TimeOfDaySpec(string? StartTime, string? EndTime);
