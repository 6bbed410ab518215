namespace GenAiObs.Cli;

/// <summary>
/// A clock that only moves when told: the replay's alert simulation walks event time with it,
/// and waits (the evaluator's group_wait follow-up) advance it instead of sleeping.
/// </summary>
public sealed class SimulatedClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now;

    public SimulatedClock(DateTimeOffset start)
    {
        _now = start.ToUniversalTime();
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <summary>Moves the clock to <paramref name="time"/> (never backwards).</summary>
    public void Set(DateTimeOffset time)
    {
        lock (_gate)
        {
            if (time > _now)
            {
                _now = time.ToUniversalTime();
            }
        }
    }

    public void Advance(TimeSpan by) => Set(GetUtcNow() + by);
}
