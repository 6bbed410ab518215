using System.Collections.Frozen;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// The registration table of the alert rules: each rule is listed here once, and everything else
/// (the definitions, the IDs, the variables <see cref="RuleSettingsParser"/> accepts, the
/// evaluator's default rules) is derived from it. A new rule is one class exposing its
/// <see cref="RuleDefinition"/> plus one line here.
/// </summary>
public static class RuleCatalog
{
    /// <summary>Every rule, in the order of the rule table in docs/alerts-and-routing.md. Rules are stateless, so one instance serves every evaluation.</summary>
    public static IReadOnlyList<IAlertRule> Rules { get; } =
    [
        new ErrorRateHighRule(),
        new LatencyP95HighRule(),
        new DailyCostAboveBaselineRule(),
        new ModelUnavailableRule(),
        new AgentErrorRateHighRule(),
        new RunawayAgentSessionRule(),
        new CompletionRateLowRule(),
        new TokenUsageWeekOverWeekRule(),
        new LatencyDegradationRule(),
        new CacheHitRateDropRule(),
        new QualityDropRule(),
        new UnusualRequestVolumeRule(),
        new ComponentP95HighRule(),
        new UnpricedModelInUseRule(),
        new BudgetThresholdRule(),
        new MonthlyBudgetExceededRule(),
        new BudgetForecastExceededRule(),
        new DailyDigestRule(),
        new WeeklyUsageReportRule(),
    ];

    /// <summary>The definitions of <see cref="Rules"/>, in the same order.</summary>
    public static IReadOnlyList<RuleDefinition> All { get; } = [.. Rules.Select(rule => rule.Definition)];

    private static readonly FrozenDictionary<string, RuleDefinition> ById =
        All.ToFrozenDictionary(definition => definition.Id, StringComparer.Ordinal);

    /// <summary>The definition of a rule ID; throws for an unknown ID.</summary>
    public static RuleDefinition Get(string ruleId) =>
        ById.TryGetValue(ruleId, out var definition)
            ? definition
            : throw new ArgumentOutOfRangeException(nameof(ruleId), ruleId, "Unknown rule ID.");
}
