namespace GenAiObs.Core.Alerts.Rules;

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
    public const string Feature = "feature";
    public const string Variant = "variant";
}
