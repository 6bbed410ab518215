namespace GenAiObs.Core.Alerts.Rules;

/// <summary>BudgetThreshold (warning, once per month): month-to-date cost ≥ threshold (80%) of the budget.</summary>
public sealed class BudgetThresholdRule : BudgetRuleBase
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "BudgetThreshold",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
        new() { Threshold = 80m },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of GENAIOBS_MONTHLY_BUDGET_USD");

    private protected override RuleDefinition Own => Definition;

    private protected override string Headline => "Budget threshold reached for";
}
