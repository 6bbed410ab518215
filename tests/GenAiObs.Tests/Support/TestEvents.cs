using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Envelopes;

namespace GenAiObs.Tests.Parsing;

/// <summary>Builds real deliveries (JSON → gzip → base64) and loads invocation-log fixtures.</summary>
internal static class TestEvents
{
    public const string PromptCanary = "CANARY-PROMPT-7f3a";
    public const string ResponseCanary = "CANARY-RESPONSE-7f3a";

    public static byte[] Fixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "invocation-logs", name));

    /// <summary>A CloudWatch Logs payload (<c>Fixtures/runtime/NAME</c>) as the Runtime API hands it over inside a subscription event.</summary>
    public static byte[] RuntimeFixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "runtime", name));

    public static IEnumerable<string> AllFixtureNames() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "invocation-logs"), "*.json")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    /// <summary>The fixture as one compact line (what CloudWatch Logs carries as a message).</summary>
    public static byte[] CompactFixture(string name)
    {
        using var document = JsonDocument.Parse(Fixture(name));
        return JsonSerializer.SerializeToUtf8Bytes(document.RootElement);
    }

    public static LogEvent Event(string json, string id = "38000000000000000000000000000000000000000000000000000001", long timestampMs = 1_795_000_000_000) =>
        new(id, timestampMs, Encoding.UTF8.GetBytes(json));

    public static LogEvent Event(byte[] json, string id = "38000000000000000000000000000000000000000000000000000001", long timestampMs = 1_795_000_000_000) =>
        new(id, timestampMs, json);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A decoded subscription payload; each message is written as a JSON string (escaped like CloudWatch does).</summary>
    public static byte[] DataMessage(IEnumerable<(string Id, long Timestamp, byte[] Message)> events, string messageType = "DATA_MESSAGE", string logGroup = "/aws/bedrock/invocations", string owner = "111122223333")
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("messageType", messageType);
            writer.WriteString("owner", owner);
            writer.WriteString("logGroup", logGroup);
            writer.WriteString("logStream", "aws/bedrock/modelinvocations");
            writer.WriteStartArray("subscriptionFilters");
            writer.WriteStringValue("genai-obs");
            writer.WriteEndArray();
            writer.WriteStartArray("logEvents");
            foreach (var (id, timestamp, message) in events)
            {
                writer.WriteStartObject();
                writer.WriteString("id", id);
                writer.WriteNumber("timestamp", timestamp);
                writer.WriteString("message", Encoding.UTF8.GetString(message));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static byte[] DataMessage(params byte[][] messages) =>
        DataMessage(messages.Select((m, i) => (EventId(i), 1_795_000_000_000L + i, m)));

    public static string EventId(int index) => "3800000000000000000000000000000000000000000000000000" + index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] ControlMessage() =>
        DataMessage([("0", 1_795_000_000_000L, "CWL CONTROL MESSAGE: Checking health of destination Lambda."u8.ToArray())], "CONTROL_MESSAGE", string.Empty);

    public static byte[] SubscriptionEvent(byte[] payloadJson) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, Dictionary<string, string>>
        {
            ["awslogs"] = new() { ["data"] = Convert.ToBase64String(Gzip(payloadJson)) },
        });

    public static byte[] KinesisEvent(params string[] base64Data)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Records");
            for (var i = 0; i < base64Data.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteStartObject("kinesis");
                writer.WriteString("kinesisSchemaVersion", "1.0");
                writer.WriteString("partitionKey", "a1b2");
                writer.WriteString("sequenceNumber", $"4959000000000000000000000000000000000000000000000000000{i}");
                writer.WriteString("data", base64Data[i]);
                writer.WriteNumber("approximateArrivalTimestamp", 1795000000.123);
                writer.WriteEndObject();
                writer.WriteString("eventSource", "aws:kinesis");
                writer.WriteString("eventID", $"shardId-000000000000:4959{i}");
                writer.WriteString("eventName", "aws:kinesis:record");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static string GzipBase64(byte[] payloadJson) => Convert.ToBase64String(Gzip(payloadJson));
}
