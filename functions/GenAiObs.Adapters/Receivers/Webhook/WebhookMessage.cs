using System.Text.Json;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers.Webhook;

/// <summary>
/// Alertmanager's webhook payload, version 4: <c>version</c>, <c>groupKey</c>, <c>truncatedAlerts</c>,
/// <c>status</c>, <c>receiver</c>, <c>groupLabels</c>, <c>commonLabels</c>, <c>commonAnnotations</c>,
/// <c>externalURL</c>, <c>alerts</c> [{<c>status</c>, <c>labels</c>, <c>annotations</c>, <c>startsAt</c>,
/// <c>endsAt</c>, <c>generatorURL</c>, <c>fingerprint</c>}]. A firing alert's <c>endsAt</c> is
/// <c>0001-01-01T00:00:00Z</c>, as Alertmanager sends it. JSON encoding is the only escaping a
/// consumer needs; values are never interpreted here.
/// </summary>
public static class WebhookMessage
{
    public const string Version = "4";
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <param name="notification">The notification.</param>
    /// <param name="maxAlerts">At most this many alerts (0 = all); the rest are counted in <c>truncatedAlerts</c>.</param>
    public static byte[] Build(AlertNotification notification, int maxAlerts = 0)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var shown = maxAlerts > 0 ? notification.Alerts.Take(maxAlerts).ToList() : [.. notification.Alerts];
        var truncated = notification.OmittedAlerts + notification.Alerts.Count - shown.Count;
        return Write(writer =>
        {
            writer.WriteString("version", Version);
            writer.WriteString("groupKey", notification.GroupKey);
            writer.WriteNumber("truncatedAlerts", truncated);
            writer.WriteString("status", notification.Status.ToLabel());
            writer.WriteString("receiver", notification.Receiver);
            AlertJson.WriteLabels(writer, "groupLabels", notification.GroupLabels);
            AlertJson.WriteLabels(writer, "commonLabels", notification.CommonLabels);
            AlertJson.WriteLabels(writer, "commonAnnotations", notification.CommonAnnotations);
            writer.WriteString("externalURL", string.Empty);
            writer.WriteStartArray("alerts");
            foreach (var alert in shown)
            {
                WriteAlert(writer, alert.Status.ToLabel(), alert.Labels, alert.Annotations, AlertJson.FormatTime(alert.StartsAt), alert.EndsAt is { } end ? AlertJson.FormatTime(end) : ZeroTime, alert.Fingerprint);
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>A CloudWatch alarm as one alert: <c>alertname</c> = the alarm name, <c>severity</c> critical, group key = the alarm's dedup key.</summary>
    public static byte[] BuildForAlarm(CloudWatchAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var status = alarm.NewState == AlarmState.Ok ? "resolved" : "firing";
        var labelPairs = new List<(string, string)> { (AlertLabels.AlertName, alarm.Name), (AlertLabels.Severity, "critical"), ("source", "cloudwatch") };
        if (alarm.Region is { } region)
        {
            labelPairs.Add(("region", region));
        }

        var annotationPairs = new List<(string, string)> { (AlertLabels.Summary, alarm.Headline(1024)) };
        if (alarm.Description is { Length: > 0 } description)
        {
            annotationPairs.Add((AlertLabels.Description, description));
        }

        var labels = LabelSet.From([.. labelPairs]);
        var annotations = LabelSet.From([.. annotationPairs]);
        var changed = alarm.StateChangeTime is { } t ? AlertJson.FormatTime(t) : ZeroTime;
        return Write(writer =>
        {
            writer.WriteString("version", Version);
            writer.WriteString("groupKey", alarm.DedupKey);
            writer.WriteNumber("truncatedAlerts", 0);
            writer.WriteString("status", status);
            writer.WriteString("receiver", "cloudwatch-alarm");
            AlertJson.WriteLabels(writer, "groupLabels", LabelSet.From((AlertLabels.AlertName, alarm.Name)));
            AlertJson.WriteLabels(writer, "commonLabels", labels);
            AlertJson.WriteLabels(writer, "commonAnnotations", annotations);
            writer.WriteString("externalURL", string.Empty);
            writer.WriteStartArray("alerts");
            WriteAlert(writer, status, labels, annotations, status == "firing" ? changed : ZeroTime, status == "resolved" ? changed : ZeroTime, alarm.DedupKey);
            writer.WriteEndArray();
        });
    }

    private static void WriteAlert(Utf8JsonWriter writer, string status, LabelSet labels, LabelSet annotations, string startsAt, string endsAt, string fingerprint)
    {
        writer.WriteStartObject();
        writer.WriteString("status", status);
        AlertJson.WriteLabels(writer, "labels", labels);
        AlertJson.WriteLabels(writer, "annotations", annotations);
        writer.WriteString("startsAt", startsAt);
        writer.WriteString("endsAt", endsAt);
        writer.WriteString("generatorURL", string.Empty);
        writer.WriteString("fingerprint", fingerprint);
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> writeFields)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            writeFields(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
