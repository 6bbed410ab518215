namespace GenAiObs.Core.Alerts;

/// <summary>Whether an alert (or a notification about a group) is firing or resolved.</summary>
public enum AlertStatus
{
    Firing,
    Resolved,
}
