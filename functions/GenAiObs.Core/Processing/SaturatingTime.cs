namespace GenAiObs.Core.Processing;

/// <summary>
/// Date arithmetic that clamps at <see cref="DateTimeOffset.MinValue"/> / <see cref="DateTimeOffset.MaxValue"/>
/// instead of throwing: a TTL or window computed from an extreme time must never fail a delivery.
/// </summary>
public static class SaturatingTime
{
    public static DateTimeOffset Add(DateTimeOffset time, TimeSpan span)
    {
        var ticks = time.UtcTicks;
        if (span.Ticks > 0 && span.Ticks > DateTimeOffset.MaxValue.UtcTicks - ticks)
        {
            return DateTimeOffset.MaxValue;
        }

        // UtcTicks is never negative, so the sum cannot overflow.
        if (span.Ticks < 0 && ticks + span.Ticks < DateTimeOffset.MinValue.UtcTicks)
        {
            return DateTimeOffset.MinValue;
        }

        return new DateTimeOffset(ticks + span.Ticks, TimeSpan.Zero);
    }

    /// <summary>Epoch seconds of <paramref name="time"/> + <paramref name="span"/>, saturated.</summary>
    public static long UnixSeconds(DateTimeOffset time, TimeSpan span) => Add(time, span).ToUnixTimeSeconds();
}
