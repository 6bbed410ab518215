namespace GenAiObs.Core.Alerts.Rules;

/// <summary>One rule's effective parameters. Fields a rule does not use keep their defaults and are ignored.</summary>
public sealed record RuleParameters
{
    public bool Enabled { get; init; } = true;

    /// <summary>The main threshold, in the unit the rule documents.</summary>
    public decimal Threshold { get; init; }

    /// <summary>The evaluation window (a multiple of 5 minutes; of an hour where the rule works on hours).</summary>
    public TimeSpan Window { get; init; }

    /// <summary>Below this many samples (invocations, spans, calls) the rule stays silent.</summary>
    public long MinSamples { get; init; }

    /// <summary>RunawayAgentSession: the span-priced cost of one session within the window.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>DailyDigest and WeeklyUsageReport: the hour (UTC) from which the report is due.</summary>
    public int HourUtc { get; init; }

    /// <summary>WeeklyUsageReport: the weekday it is sent.</summary>
    public DayOfWeek Day { get; init; } = DayOfWeek.Monday;
}
