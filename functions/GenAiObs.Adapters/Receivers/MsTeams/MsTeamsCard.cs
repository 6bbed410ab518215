using System.Text;
using System.Text.Json;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers.MsTeams;

/// <summary>
/// The Adaptive Card message a Teams webhook takes: <c>{"type":"message","attachments":[{"contentType":
/// "application/vnd.microsoft.card.adaptive","content":{AdaptiveCard 1.4}}]}</c>
/// (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card).
/// A title TextBlock, one TextBlock and FactSet per alert (up to <see cref="MaxAlerts"/>), a footer.
/// Every text is Markdown in Teams, so every caller-controlled value is escaped (<see cref="Escape"/>).
/// </summary>
public static class MsTeamsCard
{
    public const int MaxAlerts = 10;

    /// <summary>Teams rejects webhook messages over 28 KB; descriptions are cut well below.</summary>
    private const int MaxTextLength = 2000;

    public static byte[] Build(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var color = notification.Status == AlertStatus.Resolved ? "Good" : notification.Severity switch
        {
            AlertSeverity.Critical => "Attention",
            AlertSeverity.Warning => "Warning",
            _ => "Accent",
        };
        return Card(writer =>
        {
            TextBlock(writer, Escape(NotificationText.Title(notification)), color, heading: true);
            if (notification.IsTest)
            {
                TextBlock(writer, Escape(NotificationText.TestBanner));
            }

            foreach (var alert in notification.Alerts.Take(MaxAlerts))
            {
                var text = new StringBuilder();
                text.Append(alert.Status == AlertStatus.Firing ? "**FIRING** " : "**RESOLVED** ").Append(Escape(alert.Summary));
                if (alert.Description is { } description)
                {
                    text.Append("\n\n").Append(Escape(Alert.Cut(description, MaxTextLength)));
                }

                TextBlock(writer, text.ToString(), separator: true);
                var facts = alert.Labels
                    .Where(p => p.Key is not (AlertLabels.AlertName or AlertLabels.CloudProvider))
                    .Select(p => (p.Key, p.Value))
                    .Append(("since", AlertJson.FormatTime(alert.StartsAt)));
                if (alert.EndsAt is { } endsAt)
                {
                    facts = facts.Append(("resolved", AlertJson.FormatTime(endsAt)));
                }

                FactSet(writer, facts);
            }

            var omitted = notification.OmittedAlerts + Math.Max(0, notification.Alerts.Count - MaxAlerts);
            var footer = $"receiver {Escape(notification.Receiver)} · {Escape(notification.Reason)} · group {Escape(notification.GroupKey)} · {AlertJson.FormatTime(notification.At)}";
            if (omitted > 0)
            {
                footer += $" · {omitted} more alert(s) not shown";
            }

            TextBlock(writer, footer, subtle: true);
        });
    }

    /// <summary>A CloudWatch alarm state change.</summary>
    public static byte[] BuildForAlarm(CloudWatchAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var state = CloudWatchAlarm.StateLabel(alarm.NewState);
        return Card(writer =>
        {
            TextBlock(writer, Escape($"{state}: {alarm.Name}"), alarm.NewState == AlarmState.Ok ? "Good" : "Attention", heading: true);
            if (alarm.Reason.Length > 0)
            {
                TextBlock(writer, Escape(Alert.Cut(alarm.Reason, MaxTextLength)));
            }

            var facts = new List<(string, string)> { ("state", state) };
            if (alarm.OldState is { } old)
            {
                facts.Add(("previous", CloudWatchAlarm.StateLabel(old)));
            }

            if (alarm.Description is { Length: > 0 } description)
            {
                facts.Add(("description", Alert.Cut(description, MaxTextLength)));
            }

            if (alarm.Region is { } region)
            {
                facts.Add(("region", region));
            }

            if (alarm.StateChangeTime is { } changed)
            {
                facts.Add(("changed", AlertJson.FormatTime(changed)));
            }

            FactSet(writer, facts);
        });
    }

    /// <summary>
    /// Backslash-escapes what Teams' TextBlock Markdown acts on — emphasis and code (<c>* _ ~ `</c>),
    /// links (<c>[ ]</c>), the escape itself, and a list or heading marker (<c># - +</c>) at the start of
    /// a line — plus <c>&lt; &gt; &amp;</c> (entities and <c>&lt;at&gt;</c> mention tags), so a
    /// caller-chosen value is shown as written and can neither format, link nor mention
    /// (https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features).
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length + 8);
        var lineStart = true;
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '[' or ']' or '<' or '>' or '&' || (lineStart && c is '#' or '-' or '+'))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
            lineStart = c == '\n' || (lineStart && c == ' ');
        }

        return escaped.ToString();
    }

    private static byte[] Card(Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "message");
            writer.WriteStartArray("attachments");
            writer.WriteStartObject();
            writer.WriteString("contentType", "application/vnd.microsoft.card.adaptive");
            writer.WriteNull("contentUrl");
            writer.WriteStartObject("content");
            writer.WriteString("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
            writer.WriteString("type", "AdaptiveCard");
            writer.WriteString("version", "1.4");
            writer.WriteStartArray("body");
            writeBody(writer);
            writer.WriteEndArray();
            writer.WriteStartObject("msteams");
            writer.WriteString("width", "Full");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void TextBlock(Utf8JsonWriter writer, string text, string? color = null, bool heading = false, bool separator = false, bool subtle = false)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "TextBlock");
        writer.WriteString("text", text);
        writer.WriteBoolean("wrap", true);
        if (heading)
        {
            writer.WriteString("weight", "Bolder");
            writer.WriteString("size", "Medium");
        }

        if (color is not null)
        {
            writer.WriteString("color", color);
        }

        if (separator)
        {
            writer.WriteBoolean("separator", true);
        }

        if (subtle)
        {
            writer.WriteBoolean("isSubtle", true);
            writer.WriteString("size", "Small");
        }

        writer.WriteEndObject();
    }

    private static void FactSet(Utf8JsonWriter writer, IEnumerable<(string Title, string Value)> facts)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "FactSet");
        writer.WriteStartArray("facts");
        foreach (var (title, value) in facts)
        {
            writer.WriteStartObject();
            writer.WriteString("title", Escape(title));
            writer.WriteString("value", Escape(value));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
