namespace GenAiObs.Core.Alerts.Rules;

/// <summary>MonthlyBudgetExceeded (warning, once per month): month-to-date cost ≥ threshold (100%) of the budget.</summary>
public sealed class MonthlyBudgetExceededRule : BudgetRuleBase
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "MonthlyBudgetExceeded",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
        new() { Threshold = 100m },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of GENAIOBS_MONTHLY_BUDGET_USD");

    private protected override RuleDefinition Own => Definition;

    private protected override string Headline => "Monthly budget exceeded for";
}
