using System.Globalization;
using System.Text.Json;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Reads the records of a Lambda Kinesis event (AWS Lambda Developer Guide, "Using Lambda with
/// Kinesis Data Streams": <c>{"Records":[{"kinesis":{"sequenceNumber","partitionKey","data"},
/// "eventID","eventSourceARN","awsRegion",…}]}</c>) without decoding their data. A record missing
/// its identity or data is still returned (with empty fields) so the caller can count it as rejected.
/// </summary>
public static class KinesisEventReader
{
    private const int MaxFieldBytes = 2048;

    /// <summary>
    /// True when <paramref name="eventJson"/> is an object with a <c>Records</c> array (a stream
    /// event); <paramref name="records"/> then holds its records in order. False for anything else
    /// (a CloudWatch Logs subscription event, or JSON too broken to tell), which the subscription
    /// decoder handles and rejects.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> eventJson, out IReadOnlyList<KinesisRecord> records, int maxDepth = 64)
    {
        records = [];
        var list = new List<KinesisRecord>();
        var reader = new Utf8JsonReader(eventJson.Span, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var sawRecords = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRecords = reader.ValueTextEquals("Records"u8);
                reader.Read();
                if (!isRecords || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                sawRecords = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(ReadRecord(ref reader, eventJson));
                }
            }

            if (!sawRecords)
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        records = list;
        return true;
    }

    private static KinesisRecord ReadRecord(ref Utf8JsonReader reader, ReadOnlyMemory<byte> source)
    {
        string arn = string.Empty, shard = string.Empty, sequence = string.Empty;
        string? partitionKey = null, region = null;
        var data = ReadOnlyMemory<byte>.Empty;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new KinesisRecord(arn, shard, sequence, partitionKey, region, data);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventID"u8))
            {
                reader.Read();

                // "shardId-000000000006:49590338271490256608559692538361571095921575989136588898"
                var eventId = ReadString(ref reader) ?? string.Empty;
                var colon = eventId.IndexOf(':', StringComparison.Ordinal);
                shard = colon > 0 ? eventId[..colon] : string.Empty;
            }
            else if (reader.ValueTextEquals("eventSourceARN"u8))
            {
                reader.Read();
                arn = ReadString(ref reader) ?? string.Empty;
            }
            else if (reader.ValueTextEquals("awsRegion"u8))
            {
                reader.Read();
                region = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("kinesis"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("sequenceNumber"u8))
                    {
                        reader.Read();
                        sequence = ReadString(ref reader) ?? string.Empty;
                    }
                    else if (reader.ValueTextEquals("partitionKey"u8))
                    {
                        reader.Read();
                        partitionKey = ReadString(ref reader);
                    }
                    else if (reader.ValueTextEquals("data"u8))
                    {
                        reader.Read();
                        data = ReadData(ref reader, source);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new KinesisRecord(arn, shard, sequence, partitionKey, region, data);
    }

    /// <summary>The base64 text: a slice of the event itself, or an unescaped copy when a serialiser escaped it (<c>\/</c>).</summary>
    private static ReadOnlyMemory<byte> ReadData(ref Utf8JsonReader reader, ReadOnlyMemory<byte> source)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return ReadOnlyMemory<byte>.Empty;
        }

        if (!reader.ValueIsEscaped)
        {
            // TokenStartIndex is the opening quote.
            return source.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        }

        var copy = new byte[reader.ValueSpan.Length];
        try
        {
            return copy.AsMemory(0, reader.CopyString(copy));
        }
        catch (InvalidOperationException)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxFieldBytes)
        {
            reader.Skip();
            return null;
        }

        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Where a record sits in its event, for rejection details: <c>Records[i]</c>.</summary>
    public static string Where(int index) => string.Create(CultureInfo.InvariantCulture, $"Records[{index}]");
}
