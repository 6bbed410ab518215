using System.Text;
using System.Text.Json;

namespace GenAiObs.Core.Alerts;

/// <summary>One SNS message attribute (DataType String).</summary>
public sealed record SnsMessageAttribute(string Name, string Value, string DataType = "String");

/// <summary>What an SNS Publish carries, before the Query-protocol encoding.</summary>
public sealed record SnsPublishRequest(string TopicArn, string? Subject, string Message, string? MessageStructure, IReadOnlyList<SnsMessageAttribute> Attributes)
{
    /// <summary>The bytes SNS counts against its 256 KB limit: the message and the attributes' names, types and values.</summary>
    public int SizeInBytes =>
        Encoding.UTF8.GetByteCount(Message)
        + Attributes.Sum(a => Encoding.UTF8.GetByteCount(a.Name) + Encoding.UTF8.GetByteCount(a.DataType) + Encoding.UTF8.GetByteCount(a.Value));
}

/// <summary>
/// Builds the SNS Publish of a notification: <c>MessageStructure=json</c> with readable
/// <c>default</c> and <c>email</c> text and the machine-readable JSON body under <c>sqs</c>,
/// <c>lambda</c> and <c>https</c> (what those subscribers receive); attributes severity,
/// alertname, receiver and status so subscriptions can filter; alerts left out, with the cut
/// marked in both forms, until the whole publish fits SNS's 262,144-byte limit.
/// </summary>
public static class SnsAlertMessage
{
    public const int MaxPublishBytes = 262_144;

    /// <summary>The protocols that receive the JSON body rather than the readable text.</summary>
    public static readonly IReadOnlyList<string> JsonProtocols = ["sqs", "lambda", "https"];

    public static SnsPublishRequest Build(AlertNotification notification, string topicArn, int maxBytes = MaxPublishBytes)
    {
        var attributes = new List<SnsMessageAttribute>
        {
            new("severity", notification.Severity.ToLabel()),
            new("alertname", notification.AlertName),
            new("receiver", notification.Receiver),
            new("status", notification.Status.ToLabel()),
        };
        var subject = NotificationText.Subject(notification);

        SnsPublishRequest Make(int maxAlerts, bool minimal) =>
            new(topicArn, subject, Compose(notification, maxAlerts, minimal), "json", attributes);

        var full = Make(notification.Alerts.Count, minimal: false);
        if (full.SizeInBytes <= maxBytes)
        {
            return full;
        }

        // The largest number of alerts that fits (size grows with the count).
        int low = 0, high = notification.Alerts.Count - 1;
        SnsPublishRequest? best = null;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var candidate = Make(mid, minimal: false);
            if (candidate.SizeInBytes <= maxBytes)
            {
                best = candidate;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        // Only pathological label sets do not fit even without alerts: send the bare facts.
        return best ?? Make(0, minimal: true);
    }

    private static string Compose(AlertNotification notification, int maxAlerts, bool minimal)
    {
        var shown = minimal ? notification with { Alerts = [], OmittedAlerts = notification.OmittedAlerts + notification.Alerts.Count, GroupLabels = notification.GroupLabels.Only([AlertLabels.AlertName]) } : notification;
        var text = NotificationText.Body(shown, maxAlerts);
        var body = Encoding.UTF8.GetString(AlertJson.SerializeNotification(shown, maxAlerts));

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(text.Length * 2 + body.Length * 4);
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("default", text);
            writer.WriteString("email", text);
            foreach (var protocol in JsonProtocols)
            {
                writer.WriteString(protocol, body);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
