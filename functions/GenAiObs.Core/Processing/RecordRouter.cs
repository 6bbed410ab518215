using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Routes a message by content: <c>"schemaType":"ModelInvocationLog"</c> → invocation log, an
/// object with <c>traceId</c> and <c>spanId</c> → span (or an evaluation log record: the span parser tells them
/// apart), <c>"schema":"genaiobs.feedback/1"</c> → user feedback; another schemaType → unsupported_schema;
/// anything else → unknown_record_type. It stops reading as soon as the kind is known, so a
/// record's bodies are normally not scanned twice.
/// </summary>
internal static class RecordRouter
{
    public static RecordKind Route(in LogEvent logEvent, int maxJsonDepth, out Rejection? rejection)
    {
        var json = logEvent.Message.Span;
        rejection = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxJsonDepth });
        try
        {
            if (!reader.Read())
            {
                rejection = new Rejection(logEvent.Id, RejectReasons.InvalidJson, "empty message");
                return RecordKind.Rejected;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                reader.Read();
                rejection = new Rejection(logEvent.Id, RejectReasons.NotAnObject, "root");
                return RecordKind.Rejected;
            }

            var traceId = false;
            var spanId = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("schemaType"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("ModelInvocationLog"u8))
                    {
                        return RecordKind.Invocation;
                    }

                    rejection = new Rejection(logEvent.Id, RejectReasons.UnsupportedSchema, "schemaType");
                    return RecordKind.Rejected;
                }

                if (reader.ValueTextEquals("schema"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(FeedbackParser.Schema))
                    {
                        return RecordKind.Feedback;
                    }

                    reader.Skip();
                    continue;
                }

                traceId |= reader.ValueTextEquals("traceId"u8);
                spanId |= reader.ValueTextEquals("spanId"u8);
                reader.Read();
                reader.Skip();
                if (traceId && spanId)
                {
                    return RecordKind.Span;
                }
            }

            reader.Read();
        }
        catch (JsonException)
        {
            rejection = InvocationLogParser.JsonFailure(logEvent.Id, json, maxJsonDepth, source: null);
            return RecordKind.Rejected;
        }
        catch (InvalidOperationException)
        {
            // Comparing an escaped name or value unescapes it: a lone surrogate escape ("\uD800")
            // throws here. It must cost this record only, never the delivery.
            rejection = new Rejection(logEvent.Id, RejectReasons.InvalidJson, "invalid text encoding");
            return RecordKind.Rejected;
        }

        rejection = new Rejection(logEvent.Id, RejectReasons.UnknownRecordType, "no schemaType, traceId or spanId");
        return RecordKind.Rejected;
    }
}
