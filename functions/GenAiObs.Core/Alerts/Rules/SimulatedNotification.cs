using System.Text.Json;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// One notification the scheduled evaluator would have sent, as <c>replay --json</c> reports it
/// in <c>"alerts":[…]</c>.
/// </summary>
/// <param name="Rule">The alert name (the rule ID).</param>
/// <param name="Severity">critical, warning or info.</param>
/// <param name="Receiver">The receiver the routing chose.</param>
/// <param name="Status">firing or resolved.</param>
/// <param name="At">When it would have been sent (UTC).</param>
/// <param name="Labels">The alert's labels (the labels the group's alerts share when it holds several).</param>
/// <param name="Summary">The alert's summary (the alerts' summaries joined by "; " when the group holds several).</param>
public sealed record SimulatedNotification(
    string Rule,
    string Severity,
    string Receiver,
    string Status,
    DateTimeOffset At,
    LabelSet Labels,
    string Summary)
{
    /// <summary>The entry for a notification.</summary>
    public static SimulatedNotification From(AlertNotification notification)
    {
        var alerts = notification.Status == AlertStatus.Firing
            ? notification.Alerts.Where(alert => alert.Status == AlertStatus.Firing).ToList()
            : [.. notification.Alerts];
        var labels = alerts.Count == 1 ? alerts[0].Labels : notification.CommonLabels;
        var summary = alerts.Count == 1 ? alerts[0].Summary : string.Join("; ", alerts.Select(alert => alert.Summary));
        return new SimulatedNotification(
            notification.AlertName,
            notification.Severity.ToLabel(),
            notification.Receiver,
            notification.Status.ToLabel(),
            notification.At,
            labels,
            summary);
    }

    /// <summary>Writes <c>{"rule":…,"severity":…,"receiver":…,"status":…,"at":…,"labels":{…},"summary":…}</c>.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("rule", Rule);
        writer.WriteString("severity", Severity);
        writer.WriteString("receiver", Receiver);
        writer.WriteString("status", Status);
        writer.WriteString("at", AlertJson.FormatTime(At));
        AlertJson.WriteLabels(writer, "labels", Labels);
        writer.WriteString("summary", Summary);
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>"alerts":[…]</c> (the property and the array) inside the caller's open object.</summary>
    public static void WriteJsonArray(Utf8JsonWriter writer, IReadOnlyList<SimulatedNotification> notifications, string propertyName = "alerts")
    {
        writer.WritePropertyName(propertyName);
        writer.WriteStartArray();
        foreach (var notification in notifications)
        {
            notification.WriteJson(writer);
        }

        writer.WriteEndArray();
    }
}
