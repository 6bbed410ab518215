using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>What a rule evaluates against.</summary>
public sealed class RuleContext
{
    public RuleContext(IAlertDataReader data, RuleSettings settings, DateTimeOffset now)
    {
        Data = data;
        Settings = settings;
        Now = now.ToUniversalTime();
        At = Buckets.StartOf(Now, Granularity.Fine);
    }

    public IAlertDataReader Data { get; }

    public RuleSettings Settings { get; }

    /// <summary>The evaluation time as given.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>
    /// The end of every window: <see cref="Now"/> rounded down to a 5-minute boundary, so an
    /// evaluation a few seconds after the schedule fires sees exactly the completed buckets.
    /// </summary>
    public DateTimeOffset At { get; }

    /// <summary>Start (UTC) of the day holding <see cref="At"/>.</summary>
    public DateTimeOffset DayStart => Buckets.StartOf(At, Granularity.Daily);

    /// <summary>Start (UTC) of the hour holding <see cref="At"/> (the end of the last full hour).</summary>
    public DateTimeOffset HourStart => Buckets.StartOf(At, Granularity.Hourly);

    /// <summary>Start (UTC) of the month holding <see cref="At"/>.</summary>
    public DateTimeOffset MonthStart => new(At.Year, At.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public DateOnly Today => DateOnly.FromDateTime(DayStart.UtcDateTime);

    public RuleParameters Parameters(string ruleId) => Settings.For(ruleId);

    /// <summary>True when a key's baseline for today exists and is past its warm-up (enough history).</summary>
    public async Task<bool> IsWarmAsync(string key, CancellationToken cancellationToken, int? days = null)
    {
        var baseline = await Data.BaselineAsync(key, Today, cancellationToken).ConfigureAwait(false);
        return baseline is not null && !baseline.WarmingUp && baseline.HistoryDays >= (days ?? Settings.WarmupDays);
    }
}
