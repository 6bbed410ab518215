using System.Text;
using System.Text.Json;

namespace GenAiObs.Core.Alerts;

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
        var text = $"[{CloudWatchAlarm.StateLabel(alarm.NewState)}] {alarm.Name}";
        if (alarm.Reason.Length > 0)
        {
            text += ": " + alarm.Reason;
        }

        return Alert.Cut(text.Replace('\n', ' '), MaxSummaryLength);
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

/// <summary>Slack incoming-webhook messages (Block Kit with a text fallback) for a notification.</summary>
public static class SlackMessage
{
    public const int MaxAlertSections = 10;
    private const int MaxHeaderLength = 150;
    private const int MaxSectionLength = 3000;

    public static byte[] Build(AlertNotification notification)
    {
        var title = NotificationText.Title(notification);
        var emoji = notification.Status == AlertStatus.Resolved ? ":white_check_mark:" : notification.Severity switch
        {
            AlertSeverity.Critical => ":rotating_light:",
            AlertSeverity.Warning => ":warning:",
            _ => ":information_source:",
        };

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            // The fallback shows in notifications and in clients that cannot render blocks.
            writer.WriteString("text", Alert.Cut($"{title}: {Lead(notification)}", MaxSectionLength));
            writer.WriteStartArray("blocks");

            writer.WriteStartObject();
            writer.WriteString("type", "header");
            writer.WriteStartObject("text");
            writer.WriteString("type", "plain_text");
            writer.WriteString("text", Alert.Cut(title, MaxHeaderLength));
            writer.WriteBoolean("emoji", true);
            writer.WriteEndObject();
            writer.WriteEndObject();

            if (notification.IsTest)
            {
                Section(writer, ":test_tube: *" + Escape(NotificationText.TestBanner) + "*");
            }

            foreach (var alert in notification.Alerts.Take(MaxAlertSections))
            {
                var text = new StringBuilder();
                text.Append(alert.Status == AlertStatus.Firing ? emoji : ":white_check_mark:").Append(" *").Append(Escape(alert.Summary)).Append('*');
                if (alert.Description is { } description)
                {
                    text.Append('\n').Append(Escape(description));
                }

                var keys = alert.Labels.Where(p => p.Key is not (AlertLabels.AlertName or AlertLabels.CloudProvider)).Select(p => $"`{p.Key}`={Escape(p.Value)}");
                text.Append('\n').Append(string.Join("  ", keys));
                text.Append('\n').Append("since ").Append(AlertJson.FormatTime(alert.StartsAt));
                if (alert.EndsAt is { } endsAt)
                {
                    text.Append(", resolved ").Append(AlertJson.FormatTime(endsAt));
                }

                Section(writer, Alert.Cut(text.ToString(), MaxSectionLength));
            }

            var omitted = notification.OmittedAlerts + Math.Max(0, notification.Alerts.Count - MaxAlertSections);
            writer.WriteStartObject();
            writer.WriteString("type", "context");
            writer.WriteStartArray("elements");
            writer.WriteStartObject();
            writer.WriteString("type", "mrkdwn");
            var context = $"receiver `{Escape(notification.Receiver)}` · {Escape(notification.Reason)} · group `{notification.GroupKey}` · {AlertJson.FormatTime(notification.At)}";
            if (omitted > 0)
            {
                context += $" · {omitted} more alert(s) not shown";
            }

            writer.WriteString("text", context);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A CloudWatch alarm state change as a Block Kit message with a text fallback.</summary>
    public static byte[] BuildForAlarm(CloudWatchAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var state = CloudWatchAlarm.StateLabel(alarm.NewState);
        var emoji = alarm.NewState switch
        {
            AlarmState.Alarm => ":rotating_light:",
            AlarmState.Ok => ":white_check_mark:",
            _ => ":grey_question:",
        };
        var title = $"{state}: {alarm.Name}";

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("text", Alert.Cut(PagerDutyEvent.AlarmSummary(alarm), MaxSectionLength));
            writer.WriteStartArray("blocks");

            writer.WriteStartObject();
            writer.WriteString("type", "header");
            writer.WriteStartObject("text");
            writer.WriteString("type", "plain_text");
            writer.WriteString("text", Alert.Cut(title, MaxHeaderLength));
            writer.WriteBoolean("emoji", true);
            writer.WriteEndObject();
            writer.WriteEndObject();

            var text = new StringBuilder();
            text.Append(emoji).Append(" *").Append(Escape(alarm.Name)).Append("* is ").Append(state);
            if (alarm.OldState is { } old)
            {
                text.Append(" (was ").Append(CloudWatchAlarm.StateLabel(old)).Append(')');
            }

            if (alarm.Description is { Length: > 0 } description)
            {
                text.Append('\n').Append(Escape(description));
            }

            if (alarm.Reason.Length > 0)
            {
                text.Append('\n').Append(Escape(alarm.Reason));
            }

            Section(writer, Alert.Cut(text.ToString(), MaxSectionLength));

            writer.WriteStartObject();
            writer.WriteString("type", "context");
            writer.WriteStartArray("elements");
            writer.WriteStartObject();
            writer.WriteString("type", "mrkdwn");
            var context = new List<string> { "CloudWatch alarm" };
            if (alarm.Region is { } region)
            {
                context.Add(Escape(region));
            }

            if (alarm.AccountId is { } account)
            {
                context.Add("account " + Escape(account));
            }

            if (alarm.StateChangeTime is { } changed)
            {
                context.Add(AlertJson.FormatTime(changed));
            }

            writer.WriteString("text", string.Join(" · ", context));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Slack's mrkdwn needs &amp;, &lt; and &gt; escaped; nothing else.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Lead(AlertNotification notification)
    {
        var first = notification.Alerts.FirstOrDefault(a => a.Status == notification.Status) ?? (notification.Alerts.Count > 0 ? notification.Alerts[0] : null);
        return first?.Summary ?? notification.AlertName;
    }

    private static void Section(Utf8JsonWriter writer, string mrkdwn)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "section");
        writer.WriteStartObject("text");
        writer.WriteString("type", "mrkdwn");
        writer.WriteString("text", mrkdwn);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
