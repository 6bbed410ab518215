namespace GenAiObs.Core.Alerts.Rules;

/// <summary>One alert rule: a pure function of the data view, its parameters and the evaluation time.</summary>
public interface IAlertRule
{
    /// <summary>The rule's fixed ID (the <c>alertname</c>), severity, parameters and defaults.</summary>
    RuleDefinition Definition { get; }

    /// <summary>The alerts the rule raises at <see cref="RuleContext.At"/>; empty when it is silent.</summary>
    Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken);
}
