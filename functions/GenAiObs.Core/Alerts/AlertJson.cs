using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// JSON forms of alerts, group states and notifications, written with Utf8JsonWriter and read
/// with JsonDocument (no reflection: trim- and AOT-safe). The notification body is the
/// machine-readable message subscribers get (Alertmanager webhook-like field names).
/// </summary>
public static class AlertJson
{
    public const int NotificationVersion = 1;

    /// <summary>
    /// Minimal escaping: the output is never embedded in HTML, and the default encoder's
    /// \u0022 for every quote would multiply the size of a JSON body nested in SNS's JSON.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>ISO-8601 UTC with milliseconds, e.g. <c>2025-01-02T03:04:05.000Z</c>.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static void WriteAlert(Utf8JsonWriter writer, Alert alert)
    {
        writer.WriteStartObject();
        writer.WriteString("status", alert.Status.ToLabel());
        writer.WriteString("fingerprint", alert.Fingerprint);
        WriteLabels(writer, "labels", alert.Labels);
        WriteLabels(writer, "annotations", alert.Annotations);
        writer.WriteString("startsAt", FormatTime(alert.StartsAt));
        if (alert.EndsAt is { } endsAt)
        {
            writer.WriteString("endsAt", FormatTime(endsAt));
        }

        writer.WriteEndObject();
    }

    public static void WriteLabels(Utf8JsonWriter writer, string propertyName, LabelSet labels)
    {
        writer.WriteStartObject(propertyName);
        foreach (var (name, value) in labels)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    /// <exception cref="FormatException">The element is not an alert object.</exception>
    public static Alert ReadAlert(JsonElement element)
    {
        var labels = ReadLabels(Required(element, "labels", JsonValueKind.Object));
        var annotations = element.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object ? ReadLabels(a) : LabelSet.Empty;
        var startsAt = ReadTime(Required(element, "startsAt", JsonValueKind.String));
        DateTimeOffset? endsAt = element.TryGetProperty("endsAt", out var e) && e.ValueKind == JsonValueKind.String ? ReadTime(e) : null;
        try
        {
            return new Alert(labels, annotations, startsAt, endsAt);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException("invalid alert: " + ex.Message, ex);
        }
    }

    public static LabelSet ReadLabels(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("expected an object of strings");
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"label '{property.Name}' is not a string");
            }

            pairs.Add(new(property.Name, property.Value.GetString()!));
        }

        return LabelSet.From(pairs);
    }

    public static string SerializeState(AlertGroupState state)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("receiver", state.Receiver);
            writer.WriteString("groupKey", state.GroupKey);
            WriteLabels(writer, "groupLabels", state.GroupLabels);
            writer.WriteNumber("groupWaitMs", (long)state.GroupWait.TotalMilliseconds);
            writer.WriteNumber("groupIntervalMs", (long)state.GroupInterval.TotalMilliseconds);
            writer.WriteNumber("repeatIntervalMs", (long)state.RepeatInterval.TotalMilliseconds);
            writer.WriteString("createdAt", FormatTime(state.CreatedAt));
            writer.WriteBoolean("hasFlushed", state.HasFlushed);
            writer.WriteString("nextFlushAt", FormatTime(state.NextFlushAt));
            if (state.LastNotifiedAt is { } last)
            {
                writer.WriteString("lastNotifiedAt", FormatTime(last));
            }

            WriteStrings(writer, "notifiedFiring", state.NotifiedFiring);
            WriteStrings(writer, "notifiedResolved", state.NotifiedResolved);
            writer.WriteStartArray("alerts");
            foreach (var alert in state.Alerts)
            {
                WriteAlert(writer, alert);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">The text is not a serialized group state.</exception>
    public static AlertGroupState DeserializeState(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new AlertGroupState
            {
                Receiver = Required(root, "receiver", JsonValueKind.String).GetString()!,
                GroupKey = Required(root, "groupKey", JsonValueKind.String).GetString()!,
                GroupLabels = ReadLabels(Required(root, "groupLabels", JsonValueKind.Object)),
                GroupWait = TimeSpan.FromMilliseconds(Required(root, "groupWaitMs", JsonValueKind.Number).GetInt64()),
                GroupInterval = TimeSpan.FromMilliseconds(Required(root, "groupIntervalMs", JsonValueKind.Number).GetInt64()),
                RepeatInterval = TimeSpan.FromMilliseconds(Required(root, "repeatIntervalMs", JsonValueKind.Number).GetInt64()),
                CreatedAt = ReadTime(Required(root, "createdAt", JsonValueKind.String)),
                HasFlushed = root.TryGetProperty("hasFlushed", out var f) && f.ValueKind == JsonValueKind.True,
                NextFlushAt = ReadTime(Required(root, "nextFlushAt", JsonValueKind.String)),
                LastNotifiedAt = root.TryGetProperty("lastNotifiedAt", out var l) && l.ValueKind == JsonValueKind.String ? ReadTime(l) : null,
                NotifiedFiring = ReadStrings(root, "notifiedFiring"),
                NotifiedResolved = ReadStrings(root, "notifiedResolved"),
                Alerts = [.. Required(root, "alerts", JsonValueKind.Array).EnumerateArray().Select(ReadAlert)],
            };
        }
        catch (JsonException ex)
        {
            throw new FormatException("group state is not valid JSON", ex);
        }
    }

    /// <summary>Writes the machine-readable notification body.</summary>
    public static void WriteNotification(Utf8JsonWriter writer, AlertNotification notification, int maxAlerts = int.MaxValue)
    {
        var included = notification.Alerts.Take(maxAlerts).ToList();
        var omitted = notification.OmittedAlerts + (notification.Alerts.Count - included.Count);
        writer.WriteStartObject();
        writer.WriteNumber("version", NotificationVersion);
        writer.WriteString("source", "genaiobs");
        writer.WriteString("id", notification.Id);
        writer.WriteString("receiver", notification.Receiver);
        writer.WriteString("status", notification.Status.ToLabel());
        writer.WriteString("reason", notification.Reason);
        writer.WriteString("groupKey", notification.GroupKey);
        writer.WriteString("alertname", notification.AlertName);
        writer.WriteString("severity", notification.Severity.ToLabel());
        writer.WriteString("at", FormatTime(notification.At));
        writer.WriteBoolean("test", notification.IsTest);
        writer.WriteNumber("firing", notification.FiringCount);
        writer.WriteNumber("resolved", notification.ResolvedCount);
        WriteLabels(writer, "groupLabels", notification.GroupLabels);
        WriteLabels(writer, "commonLabels", notification.CommonLabels);
        WriteLabels(writer, "commonAnnotations", notification.CommonAnnotations);
        writer.WriteStartArray("alerts");
        foreach (var alert in included)
        {
            WriteAlert(writer, alert);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("truncated", omitted > 0);
        writer.WriteNumber("omittedAlerts", omitted);
        writer.WriteEndObject();
    }

    public static byte[] SerializeNotification(AlertNotification notification, int maxAlerts = int.MaxValue)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteNotification(writer, notification, maxAlerts);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a notification body; false (with a reason) when it is not one of ours.</summary>
    public static bool TryParseNotification(ReadOnlySpan<byte> json, out AlertNotification? notification, out string? problem)
    {
        notification = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.String || source.GetString() != "genaiobs")
            {
                problem = "not a genaiobs notification";
                return false;
            }

            var status = Required(root, "status", JsonValueKind.String).GetString() switch
            {
                "firing" => AlertStatus.Firing,
                "resolved" => AlertStatus.Resolved,
                _ => throw new FormatException("unknown status"),
            };
            notification = new AlertNotification
            {
                Id = Required(root, "id", JsonValueKind.String).GetString()!,
                Receiver = Required(root, "receiver", JsonValueKind.String).GetString()!,
                GroupKey = Required(root, "groupKey", JsonValueKind.String).GetString()!,
                GroupLabels = ReadLabels(Required(root, "groupLabels", JsonValueKind.Object)),
                Status = status,
                Reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : string.Empty,
                At = ReadTime(Required(root, "at", JsonValueKind.String)),
                Alerts = [.. Required(root, "alerts", JsonValueKind.Array).EnumerateArray().Select(ReadAlert)],
                OmittedAlerts = root.TryGetProperty("omittedAlerts", out var o) && o.TryGetInt32(out var omitted) ? omitted : 0,
                IsTest = root.TryGetProperty("test", out var t) && t.ValueKind == JsonValueKind.True,
            };
            problem = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            problem = ex is JsonException ? "invalid JSON" : ex.Message;
            return false;
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string[] ReadStrings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];

    private static JsonElement Required(JsonElement element, string name, JsonValueKind kind)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new FormatException($"missing or mistyped field '{name}'");
        }

        return value;
    }

    private static DateTimeOffset ReadTime(JsonElement element)
    {
        if (!DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new FormatException("invalid timestamp");
        }

        return time;
    }
}
