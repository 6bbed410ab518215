namespace GenAiObs.Core.Alerts;

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
