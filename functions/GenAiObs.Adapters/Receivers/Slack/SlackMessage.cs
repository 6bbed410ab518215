using System.Text;
using System.Text.Json;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers.Slack;

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
            // The fallback is mrkdwn too: escaped like every section, so a caller-chosen value
            // (a model id, a session id) cannot become a mention or a disguised link.
            writer.WriteString("text", Alert.Cut(Escape($"{title}: {Lead(notification)}"), MaxSectionLength));
            writer.WriteStartArray("blocks");

            Header(writer, title);

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

                var keys = alert.Labels.Where(p => p.Key is not (AlertLabels.AlertName or AlertLabels.CloudProvider)).Select(p => $"`{Escape(p.Key)}`={Escape(p.Value)}");
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
            var context = $"receiver `{Escape(notification.Receiver)}` · {Escape(notification.Reason)} · group `{Escape(notification.GroupKey)}` · {AlertJson.FormatTime(notification.At)}";
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
            writer.WriteString("text", Alert.Cut(Escape(alarm.Headline(MaxSectionLength)), MaxSectionLength));
            writer.WriteStartArray("blocks");

            Header(writer, title);

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

    /// <summary>
    /// Slack's mrkdwn control characters &amp;, &lt; and &gt; as entities
    /// (https://api.slack.com/reference/surfaces/formatting#escaping): every mention
    /// (<c>&lt;!channel&gt;</c>, <c>&lt;@U…&gt;</c>) and link (<c>&lt;url|text&gt;</c>) form starts with &lt;, so
    /// escaped text cannot notify a channel or disguise a link.
    /// </summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Lead(AlertNotification notification)
    {
        var first = notification.Alerts.FirstOrDefault(a => a.Status == notification.Status) ?? (notification.Alerts.Count > 0 ? notification.Alerts[0] : null);
        return first?.Summary ?? notification.AlertName;
    }

    private static void Header(Utf8JsonWriter writer, string title)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "header");
        writer.WriteStartObject("text");
        writer.WriteString("type", "plain_text");
        writer.WriteString("text", Alert.Cut(title, MaxHeaderLength));
        writer.WriteBoolean("emoji", true);
        writer.WriteEndObject();
        writer.WriteEndObject();
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
