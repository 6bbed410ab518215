namespace GenAiObs.Core.Alerts.Rules;

/// <summary>The fixed IDs of the default rules (issue 5): the <c>alertname</c> label of every alert they raise.</summary>
public static class RuleIds
{
    public const string ErrorRateHigh = "ErrorRateHigh";
    public const string LatencyP95High = "LatencyP95High";
    public const string DailyCostAboveBaseline = "DailyCostAboveBaseline";
    public const string ModelUnavailable = "ModelUnavailable";
    public const string AgentErrorRateHigh = "AgentErrorRateHigh";
    public const string RunawayAgentSession = "RunawayAgentSession";
    public const string CompletionRateLow = "CompletionRateLow";
    public const string TokenUsageWeekOverWeek = "TokenUsageWeekOverWeek";
    public const string LatencyDegradation = "LatencyDegradation";
    public const string CacheHitRateDrop = "CacheHitRateDrop";
    public const string UnusualRequestVolume = "UnusualRequestVolume";
    public const string ComponentP95High = "ComponentP95High";
    public const string UnpricedModelInUse = "UnpricedModelInUse";
    public const string BudgetThreshold = "BudgetThreshold";
    public const string MonthlyBudgetExceeded = "MonthlyBudgetExceeded";
    public const string DailyDigest = "DailyDigest";
    public const string WeeklyUsageReport = "WeeklyUsageReport";

    /// <summary>Every rule, in the order of the table.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ErrorRateHigh, LatencyP95High, DailyCostAboveBaseline, ModelUnavailable, AgentErrorRateHigh,
        RunawayAgentSession, CompletionRateLow, TokenUsageWeekOverWeek, LatencyDegradation, CacheHitRateDrop,
        UnusualRequestVolume, ComponentP95High, UnpricedModelInUse, BudgetThreshold, MonthlyBudgetExceeded,
        DailyDigest, WeeklyUsageReport,
    ];
}

/// <summary>Alert severities (the <c>severity</c> label the default routing matches on).</summary>
public static class RuleSeverity
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Info = "info";
}

/// <summary>Label names alerts carry (Alertmanager conventions plus the rule's keys).</summary>
public static class RuleLabels
{
    public const string AlertName = "alertname";
    public const string Severity = "severity";
    public const string CloudProvider = "cloud_provider";

    /// <summary>The value of <see cref="CloudProvider"/> on every alert.</summary>
    public const string Aws = "aws";

    public const string Model = "model";
    public const string Session = "session";
    public const string Tool = "tool";
    public const string Component = "component";

    /// <summary>
    /// The period a one-shot alert is about (<c>2026-11</c>, <c>2026-11-05</c>, <c>2026-W45</c>):
    /// part of the labels, so each period is a distinct alert that is notified exactly once.
    /// </summary>
    public const string Period = "period";
}
