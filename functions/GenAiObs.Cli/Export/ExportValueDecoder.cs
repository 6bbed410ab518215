using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Cli.Export;

/// <summary>
/// One JSON value of an export file, held whole (a line, a small document, or one element of a
/// top-level array), added to a delivery by what it is: a Lambda subscription or Kinesis event,
/// a decoded DATA_MESSAGE, <c>aws logs filter-log-events</c> / <c>get-log-events</c> output
/// <c>{"events":[…]}</c>, a JSON array of these, or a raw record (anything else: a line that is
/// not valid JSON is kept as a record so the parser rejects it by name).
/// </summary>
internal static class ExportValueDecoder
{
    public static void Add(ReadOnlySpan<byte> value, DeliveryBuilder builder, bool allowArray) =>
        Add(value, Classify(value, builder.EnvelopeReaderOptions), builder, allowArray);

    /// <summary>Adds a value already classified (<see cref="Classify"/>).</summary>
    public static void Add(ReadOnlySpan<byte> value, ExportValueKind kind, DeliveryBuilder builder, bool allowArray)
    {
        switch (kind)
        {
            case ExportValueKind.LambdaEvent:
                builder.AddLambdaEvent(value);
                break;
            case ExportValueKind.DataMessage:
                builder.AddDataMessage(value, "file");
                break;
            case ExportValueKind.EventsExport:
                AddEventsExport(value, builder);
                break;
            case ExportValueKind.Array when allowArray:
                AddArrayElements(value, builder);
                break;
            default:
                builder.AddRawRecord(value);
                break;
        }
    }

    /// <summary>What a complete value is. <see cref="ExportValueKind.Incomplete"/>: valid JSON so far, but the value goes on beyond the bytes given.</summary>
    public static ExportValueKind Classify(ReadOnlySpan<byte> value, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(value, options);
        var envelope = false;
        var logEvents = false;
        var messageType = false;
        var eventsArray = false;
        try
        {
            if (!reader.Read())
            {
                return ExportValueKind.Raw;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                return reader.TrySkip() ? ExportValueKind.Array : ExportValueKind.Raw;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return ExportValueKind.Raw;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("awslogs"u8) || reader.ValueTextEquals("Records"u8))
                {
                    envelope = true;
                }
                else if (reader.ValueTextEquals("logEvents"u8))
                {
                    logEvents = true;
                }
                else if (reader.ValueTextEquals("messageType"u8))
                {
                    messageType = true;
                }
                else if (reader.ValueTextEquals("schemaType"u8) || reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("spanId"u8))
                {
                    // A record, whatever else it holds: no need to read the rest of it here.
                    return ExportValueKind.Raw;
                }
                else if (reader.ValueTextEquals("events"u8))
                {
                    reader.Read();
                    eventsArray = reader.TokenType == JsonTokenType.StartArray;
                    reader.Skip();
                    continue;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not a complete value: either the start of one that spans more lines, or not JSON at all.
            return IsValidPrefix(value, options) ? ExportValueKind.Incomplete : ExportValueKind.Raw;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape in a name: a raw record, which the parsers then reject by name.
            return ExportValueKind.Raw;
        }

        return envelope ? ExportValueKind.LambdaEvent
            : logEvents || messageType ? ExportValueKind.DataMessage
            : eventsArray ? ExportValueKind.EventsExport
            : ExportValueKind.Raw;
    }

    /// <summary>True when <paramref name="bytes"/> is the unfinished start of an object or array (more input could complete it).</summary>
    public static bool IsValidPrefix(ReadOnlySpan<byte> bytes, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, new JsonReaderState(options));
        try
        {
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.CurrentDepth == 0)
                {
                    // The value ended inside these bytes: it is complete (and something followed it), not a prefix.
                    return false;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void AddArrayElements(ReadOnlySpan<byte> value, DeliveryBuilder builder)
    {
        var reader = new Utf8JsonReader(value, builder.EnvelopeReaderOptions);
        reader.Read();
        var any = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            any = true;
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            Add(value[start..(int)reader.BytesConsumed], builder, allowArray: false);
        }

        if (!any)
        {
            builder.Reject(RejectReasons.EmptyBatch, "file array is empty");
        }
    }

    private static void AddEventsExport(ReadOnlySpan<byte> value, DeliveryBuilder builder)
    {
        var countBefore = builder.Count;
        var reader = new Utf8JsonReader(value, builder.EnvelopeReaderOptions);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isEvents = reader.ValueTextEquals("events"u8);
                reader.Read();
                if (!isEvents || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    if (!builder.AddLogEvent(value[start..(int)reader.BytesConsumed]))
                    {
                        // A lone surrogate escape in a key the decoder compared: the events before it are sound.
                        builder.Reject(RejectReasons.InvalidPayloadJson, "file: events");
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            builder.Reject(RejectReasons.InvalidPayloadJson, "file: events");
            return;
        }

        if (builder.Count == countBefore)
        {
            builder.Reject(RejectReasons.EmptyBatch, "events is empty");
        }
    }
}
