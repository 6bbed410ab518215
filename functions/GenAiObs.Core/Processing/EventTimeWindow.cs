namespace GenAiObs.Core.Processing;

/// <summary>
/// The event times a record may carry, one rule for invocation logs and spans alike. Two layers:
/// <list type="bullet">
/// <item>always, 2000-01-01 ≤ t &lt; 2100-01-01 (<see cref="EventTimeBounds.Plausible"/>): anything
/// else is a broken clock, rejected as <c>invalid_timestamp</c>;</item>
/// <item>in the Lambdas, relative to the time of processing: not older than <see cref="MaxAge"/>
/// (default: the 5-minute items' retention — an older record would land in an item TTL already
/// removes, and no rollup could include it) and not more than <see cref="MaxAhead"/> in the future
/// (default 1 day), rejected as <c>timestamp_out_of_window</c>.</item>
/// </list>
/// </summary>
/// <param name="MaxAge">How old a record may be; null for no age bound (<c>replay</c> of old exports).</param>
/// <param name="MaxAhead">How far in the future a record may be.</param>
public sealed record EventTimeWindow(TimeSpan? MaxAge, TimeSpan MaxAhead)
{
    /// <summary>The Lambdas' default: 3 days old (the 5-minute retention) to 1 day ahead.</summary>
    public static EventTimeWindow Default { get; } = new(TimeSpan.FromDays(3), TimeSpan.FromDays(1));

    /// <summary>The accepted [from, to] at <paramref name="now"/>, within the plausible years; saturating, never throwing.</summary>
    public EventTimeBounds At(DateTimeOffset now)
    {
        var plausible = EventTimeBounds.Plausible;
        var from = MaxAge is { } age ? SaturatingTime.Add(now, -age) : plausible.From;
        var to = SaturatingTime.Add(now, MaxAhead);
        return new EventTimeBounds(from > plausible.From ? from : plausible.From, to < plausible.To ? to : plausible.To);
    }
}

/// <summary>An inclusive range of accepted event times.</summary>
public readonly record struct EventTimeBounds(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>2000-01-01T00:00Z to 2100-01-01T00:00Z inclusive: outside it a timestamp is clock garbage.</summary>
    public static EventTimeBounds Plausible { get; } = new(
        new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public bool Contains(DateTimeOffset time) => time >= From && time <= To;
}
