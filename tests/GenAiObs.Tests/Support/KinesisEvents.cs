using System.Globalization;
using System.Text.Json;
using GenAiObs.Tests.Parsing;

namespace GenAiObs.Tests.Kinesis;

/// <summary>
/// Lambda Kinesis events in the documented shape (AWS Lambda Developer Guide, "Using Lambda with
/// Kinesis Data Streams"), each record carrying one gzipped CloudWatch Logs payload as a
/// CloudWatch Logs destination writes it.
/// </summary>
internal static class KinesisEvents
{
    public const string StreamArn = "arn:aws:kinesis:us-east-1:999988887777:stream/genaiobs-central-ingestion";
    public const string Shard = "shardId-000000000003";

    /// <summary>One stream record: its sequence number and its base64 data.</summary>
    public sealed record StreamRecord(string SequenceNumber, string Data);

    /// <summary>The n-th sequence number of the test shard (increasing, 56 digits like real ones).</summary>
    public static string Sequence(int n) => "4965693043249732915532937331844" + n.ToString("D25", CultureInfo.InvariantCulture);

    /// <summary>A record holding a gzipped DATA_MESSAGE from <paramref name="owner"/>'s log group.</summary>
    public static StreamRecord Payload(int n, string owner, IEnumerable<(string Id, long Timestamp, byte[] Message)> events) =>
        new(Sequence(n), TestEvents.GzipBase64(TestEvents.DataMessage(events, owner: owner)));

    /// <summary>The CONTROL_MESSAGE CloudWatch Logs writes when a destination is created or checked.</summary>
    public static StreamRecord Control(int n) => new(Sequence(n), TestEvents.GzipBase64(TestEvents.ControlMessage()));

    /// <summary>Data no retry can decode: base64 of text that is not gzip.</summary>
    public static StreamRecord Poison(int n) => new(Sequence(n), Convert.ToBase64String("{\"logEvents\":[] not gzip}"u8.ToArray()));

    public static byte[] Event(IEnumerable<StreamRecord> records, string region = "us-east-1")
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Records");
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteStartObject("kinesis");
                writer.WriteString("kinesisSchemaVersion", "1.0");
                writer.WriteString("partitionKey", "c6bd2a09d1b5e0f0b7f33f1b2f6c3a1e");
                writer.WriteString("sequenceNumber", record.SequenceNumber);
                writer.WriteString("data", record.Data);
                writer.WriteNumber("approximateArrivalTimestamp", 1795687210.481);
                writer.WriteEndObject();
                writer.WriteString("eventSource", "aws:kinesis");
                writer.WriteString("eventVersion", "1.0");
                writer.WriteString("eventID", Shard + ":" + record.SequenceNumber);
                writer.WriteString("eventName", "aws:kinesis:record");
                writer.WriteString("invokeIdentityArn", "arn:aws:iam::999988887777:role/genaiobs-InvocationLogFunctionRole");
                writer.WriteString("awsRegion", region);
                writer.WriteString("eventSourceARN", StreamArn);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The sequence numbers of a partial batch response's <c>batchItemFailures</c>.</summary>
    public static IReadOnlyList<string> FailedSequenceNumbers(byte[] response)
    {
        using var document = JsonDocument.Parse(response);
        return [.. document.RootElement.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!)];
    }

    public static byte[] Fixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kinesis", name));
}
