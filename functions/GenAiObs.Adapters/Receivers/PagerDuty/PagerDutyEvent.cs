using System.Text.Json;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers.PagerDuty;

/// <summary>PagerDuty Events API v2 events for a notification.</summary>
public static class PagerDutyEvent
{
    public const int MaxSummaryLength = 1024;
    public const int MaxAlertsInDetails = 20;

    /// <summary>PagerDuty's severity for ours (PagerDuty also knows "error", which we do not use).</summary>
    public static string Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.Warning => "warning",
        _ => "info",
    };

    /// <summary>
    /// A trigger while the group fires, a resolve when it has cleared; the dedup_key is the group
    /// fingerprint so every notification of the group lands on the same incident.
    /// </summary>
    public static byte[] Build(AlertNotification notification, string routingKey) =>
        Event(routingKey, notification.Status == AlertStatus.Firing, notification.GroupKey, 2048, writer =>
        {
            writer.WriteString("summary", Summary(notification));
            writer.WriteString("source", "genaiobs/" + notification.Receiver);
            writer.WriteString("severity", Severity(notification.Severity));
            writer.WriteString("timestamp", AlertJson.FormatTime(notification.At));
            writer.WriteString("component", "genai-observability");
            writer.WriteString("group", notification.GroupLabels.Get(AlertLabels.CloudProvider) ?? "aws");
            writer.WriteString("class", notification.AlertName);
            writer.WriteStartObject("custom_details");
            writer.WriteString("reason", notification.Reason);
            writer.WriteString("notification_id", notification.Id);
            writer.WriteBoolean("test", notification.IsTest);
            writer.WriteNumber("firing", notification.FiringCount);
            writer.WriteNumber("resolved", notification.ResolvedCount);
            AlertJson.WriteLabels(writer, "group_labels", notification.GroupLabels);
            writer.WriteStartArray("alerts");
            foreach (var alert in notification.Alerts.Take(MaxAlertsInDetails))
            {
                AlertJson.WriteAlert(writer, alert);
            }

            writer.WriteEndArray();
            var omitted = notification.OmittedAlerts + Math.Max(0, notification.Alerts.Count - MaxAlertsInDetails);
            writer.WriteNumber("omitted_alerts", omitted);
            writer.WriteEndObject();
        });

    /// <summary>
    /// The event for a CloudWatch alarm state change: ALARM → trigger, OK → resolve, both with the
    /// alarm's <see cref="CloudWatchAlarm.DedupKey"/>. The template's native alarms are the
    /// critical tier's backstop, so a trigger is <c>critical</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The alarm is in INSUFFICIENT_DATA (nothing to trigger or resolve).</exception>
    public static byte[] BuildForAlarm(CloudWatchAlarm alarm, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        if (alarm.NewState == AlarmState.InsufficientData)
        {
            throw new ArgumentException("An INSUFFICIENT_DATA alarm neither triggers nor resolves an incident.", nameof(alarm));
        }

        return Event(routingKey, alarm.NewState == AlarmState.Alarm, alarm.DedupKey, 1024, writer =>
        {
            writer.WriteString("summary", AlarmSummary(alarm));
            writer.WriteString("source", "cloudwatch/" + (alarm.Region ?? alarm.AccountId ?? "aws"));
            writer.WriteString("severity", Severity(AlertSeverity.Critical));
            if (alarm.StateChangeTime is { } changed)
            {
                writer.WriteString("timestamp", AlertJson.FormatTime(changed));
            }

            writer.WriteString("component", "genai-observability");
            writer.WriteString("group", "cloudwatch-alarm");
            writer.WriteString("class", alarm.MetricName ?? "CloudWatchAlarm");
            writer.WriteStartObject("custom_details");
            AlarmDetails(writer, alarm);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// An Events API v2 event: <c>trigger</c> with a payload, or a bare <c>resolve</c> (PagerDuty
    /// needs only the routing and dedup keys to resolve an incident).
    /// </summary>
    private static byte[] Event(string routingKey, bool trigger, string dedupKey, int capacity, Action<Utf8JsonWriter> writePayload)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(capacity);
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("routing_key", routingKey);
            writer.WriteString("event_action", trigger ? "trigger" : "resolve");
            writer.WriteString("dedup_key", dedupKey);
            writer.WriteString("client", "genaiobs");
            if (trigger)
            {
                writer.WriteStartObject("payload");
                writePayload(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>[ALARM] name: reason</c>, ≤ 1024 characters.</summary>
    public static string AlarmSummary(CloudWatchAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        return alarm.Headline(MaxSummaryLength);
    }

    internal static void AlarmDetails(Utf8JsonWriter writer, CloudWatchAlarm alarm)
    {
        writer.WriteString("alarm_name", alarm.Name);
        WriteOptional(writer, "alarm_arn", alarm.Arn);
        WriteOptional(writer, "description", alarm.Description);
        writer.WriteString("state", CloudWatchAlarm.StateLabel(alarm.NewState));
        WriteOptional(writer, "previous_state", alarm.OldState is { } old ? CloudWatchAlarm.StateLabel(old) : null);
        writer.WriteString("reason", alarm.Reason);
        WriteOptional(writer, "state_change_time", alarm.StateChangeTime is { } t ? AlertJson.FormatTime(t) : null);
        WriteOptional(writer, "account", alarm.AccountId);
        WriteOptional(writer, "region", alarm.Region);
        WriteOptional(writer, "metric_namespace", alarm.MetricNamespace);
        WriteOptional(writer, "metric_name", alarm.MetricName);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>The incident title: the first firing alert's summary and how many more, ≤ 1024 characters.</summary>
    public static string Summary(AlertNotification notification)
    {
        var firing = notification.Alerts.Where(a => a.Status == AlertStatus.Firing).ToList();
        var lead = firing.Count > 0 ? firing[0].Summary : notification.AlertName;
        var text = $"{(notification.IsTest ? "[TEST] " : string.Empty)}[{notification.Severity.ToLabel()}] {notification.AlertName}: {lead}";
        if (firing.Count > 1)
        {
            text += $" (+{firing.Count - 1} more)";
        }

        return Alert.Cut(text.Replace('\n', ' '), MaxSummaryLength);
    }
}
