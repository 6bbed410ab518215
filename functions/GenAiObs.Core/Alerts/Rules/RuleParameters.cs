using GenAiObs.Core.Statistics;

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

    /// <summary>The histogram's p95 when it has at least <see cref="MinSamples"/> (and one) samples and the p95 is above <see cref="Threshold"/>; otherwise null.</summary>
    public double? P95AboveThreshold(LogHistogram histogram) =>
        histogram.Count > 0 && histogram.Count >= MinSamples && histogram.Quantile(0.95) is { } p95 && (decimal)p95 > Threshold ? p95 : null;

    /// <summary>RunawayAgentSession: the span-priced cost of one session within the window.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>DailyDigest and WeeklyUsageReport: the hour (UTC) from which the report is due.</summary>
    public int HourUtc { get; init; }

    /// <summary>WeeklyUsageReport: the weekday it is sent.</summary>
    public DayOfWeek Day { get; init; } = DayOfWeek.Monday;
}
