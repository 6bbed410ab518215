namespace GenAiObs.Core.Alerts.Rules;

/// <summary>The parameters a rule may take from the environment (each rule supports a subset, see <see cref="RuleDefinition.Parameters"/>).</summary>
[Flags]
public enum RuleParameterKinds
{
    None = 0,

    /// <summary><c>_ENABLED</c>: every rule.</summary>
    Enabled = 1,

    /// <summary><c>_THRESHOLD</c>: the rule's main threshold in its documented unit (percent, ms, calls, σ).</summary>
    Threshold = 2,

    /// <summary><c>_WINDOW</c>: a duration such as <c>15m</c>, <c>2h</c>, <c>7d</c>.</summary>
    Window = 4,

    /// <summary><c>_MIN_SAMPLES</c>: the minimum count below which the rule stays silent.</summary>
    MinSamples = 8,

    /// <summary><c>_COST_USD</c>: a second, dollar threshold (RunawayAgentSession).</summary>
    CostUsd = 16,

    /// <summary><c>_HOUR_UTC</c>: the hour (0–23, UTC) a report is sent.</summary>
    HourUtc = 32,

    /// <summary><c>_DAY</c>: the weekday a weekly report is sent.</summary>
    Day = 64,
}
