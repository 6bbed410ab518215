namespace GenAiObs.Core.Alerts;

/// <summary>Why a group was notified (Alertmanager's notify reasons, snake_case).</summary>
public static class NotifyReasons
{
    public const string FirstNotification = "first_notification";
    public const string NewAlertsInGroup = "new_alerts_in_group";
    public const string NewResolvedAlerts = "new_resolved_alerts";
    public const string RepeatIntervalElapsed = "repeat_interval_elapsed";
    public const string AllAlertsResolved = "all_alerts_resolved";
    public const string Test = "test";
}
