namespace GenAiObs.Core.Alerts.Rules;

/// <summary>A rule's fixed identity, what it accepts from the environment and its defaults.</summary>
/// <param name="Id">The fixed rule ID (the <c>alertname</c>).</param>
/// <param name="Severity">The fixed severity.</param>
/// <param name="Parameters">Which parameters it accepts.</param>
/// <param name="Defaults">Its default parameters.</param>
/// <param name="WindowUnit">Windows must be a positive multiple of this.</param>
/// <param name="ThresholdUnit">How its threshold is expressed (for documentation and error messages).</param>
public sealed record RuleDefinition(
    string Id,
    string Severity,
    RuleParameterKinds Parameters,
    RuleParameters Defaults,
    TimeSpan WindowUnit,
    string ThresholdUnit)
{
    /// <summary>Enabled, Threshold, Window and MinSamples: what most rate and latency rules take.</summary>
    public const RuleParameterKinds BasicParameters =
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window | RuleParameterKinds.MinSamples;
}
