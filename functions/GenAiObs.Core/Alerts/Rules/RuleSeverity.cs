namespace GenAiObs.Core.Alerts.Rules;

/// <summary>Alert severities (the <c>severity</c> label the default routing matches on).</summary>
public static class RuleSeverity
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Info = "info";
}
