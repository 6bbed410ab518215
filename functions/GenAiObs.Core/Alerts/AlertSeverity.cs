namespace GenAiObs.Core.Alerts;

/// <summary>Alert severities, most urgent first; the label value is the lowercase name.</summary>
public enum AlertSeverity
{
    Critical,
    Warning,
    Info,
}
