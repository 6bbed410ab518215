using System.Text.Json;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Reads an <c>outputBodyJson</c> by its JSON kind: an object is one response (Converse,
/// ConverseStream, or an InvokeModel native body of any family), an array is the decoded chunks
/// of InvokeModelWithResponseStream. Only the stop-reason and usage fields of the
/// model invocation log (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html) are looked at; all
/// content (messages, text, tool input) is skipped with <see cref="Utf8JsonReader.Skip"/>.
/// </summary>
internal static class ResponseBodyScanner
{
    /// <summary>The reader is on the body's first token; on return it is on the body's last token.</summary>
    public static void Scan(ref Utf8JsonReader reader, ref ResponseBodyFacts facts)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                ScanObject(ref reader, ref facts);
                break;
            case JsonTokenType.StartArray:
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    // Streams: the last chunk that names a stop reason wins (message_delta, final
                    // Titan/Llama/Cohere chunk, messageStop), earlier ones carry null.
                    var chunk = default(ResponseBodyFacts);
                    ScanObject(ref reader, ref chunk);
                    facts.StopReason = chunk.StopReason ?? facts.StopReason;
                    facts.LatencyMs = chunk.LatencyMs ?? facts.LatencyMs;
                    facts.FirstByteMs = chunk.FirstByteMs ?? facts.FirstByteMs;
                    facts.StreamInputTokens = chunk.StreamInputTokens ?? facts.StreamInputTokens;
                    facts.StreamOutputTokens = chunk.StreamOutputTokens ?? facts.StreamOutputTokens;
                    facts.GuardrailIntervened |= chunk.GuardrailIntervened;
                }

                break;
            default:
                // A string or other scalar body (non-JSON content): nothing to learn.
                reader.Skip();
                break;
        }
    }

    /// <summary>What a property of a response body is to the scanner.</summary>
    internal enum BodyField
    {
        None,
        StopReason,
        Metrics,
        InvocationMetrics,
        Nested,
        Candidates,
        GuardrailAction,
        Images,
        ImageFinishReasons,
    }

    /// <summary>Every property name the scanner looks at, once: adding a provider's field is one line here.</summary>
    internal static readonly PropertyNameTable<BodyField> Fields = new(
        ("stopReason", BodyField.StopReason),              // Converse, ConverseStream, Nova
        ("stop_reason", BodyField.StopReason),             // Anthropic, Llama, Mistral outputs[]/choices[]
        ("finish_reason", BodyField.StopReason),           // Cohere, OpenAI-style choices[]
        ("completionReason", BodyField.StopReason),        // Titan results[] and stream chunks
        ("metrics", BodyField.Metrics),                    // Converse metrics.latencyMs
        ("amazon-bedrock-invocationMetrics", BodyField.InvocationMetrics), // the last chunk of a stream
        ("delta", BodyField.Nested),                       // Anthropic message_delta.delta.stop_reason
        ("messageStop", BodyField.Nested),                 // Nova / Converse stream events
        ("metadata", BodyField.Nested),                    // Converse stream metadata.metrics.latencyMs
        ("results", BodyField.Candidates),                 // Titan
        ("outputs", BodyField.Candidates),                 // Mistral text
        ("choices", BodyField.Candidates),                 // Mistral chat, OpenAI-style
        ("generations", BodyField.Candidates),             // Cohere legacy
        ("amazon-bedrock-guardrailAction", BodyField.GuardrailAction), // InvokeModel body or stream chunk with a guardrail
        ("images", BodyField.Images),                      // Titan Image Generator, Nova Canvas, Stability AI: base64 images
        ("finish_reasons", BodyField.ImageFinishReasons)); // Stability AI image responses (null per image, or why it was filtered)

    /// <summary>One response object or stream chunk; within it the first stop reason found wins.</summary>
    private static void ScanObject(ref Utf8JsonReader reader, ref ResponseBodyFacts facts)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            reader.Read();
            switch (field)
            {
                case BodyField.StopReason when reader.TokenType == JsonTokenType.String:
                    facts.StopReason ??= NormalizeToken(ref reader);
                    break;
                case BodyField.GuardrailAction when reader.TokenType == JsonTokenType.String:
                    facts.GuardrailIntervened |= reader.ValueTextEquals("INTERVENED"u8);
                    break;
                case BodyField.Metrics:
                    ScanNumbers(ref reader, ref facts, invocationMetrics: false);
                    break;
                case BodyField.InvocationMetrics:
                    ScanNumbers(ref reader, ref facts, invocationMetrics: true);
                    break;
                case BodyField.Nested when reader.TokenType == JsonTokenType.StartObject:
                    ScanObject(ref reader, ref facts);
                    break;
                case BodyField.Candidates:
                    ScanCandidates(ref reader, ref facts);
                    break;
                case BodyField.Images when reader.TokenType == JsonTokenType.StartArray:
                    // Each image is a base64 string of up to megabytes: counted, skipped, never copied.
                    facts.ImageCount = RequestBodyScanner.CountElements(ref reader);
                    break;
                case BodyField.ImageFinishReasons:
                    facts.ImageCount ??= 0;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    /// <summary>The field the property name the reader is on names, or <see cref="BodyField.None"/>.</summary>
    private static BodyField FieldOf(ref Utf8JsonReader reader) =>
        Fields.TryFind(ref reader, out var field) ? field : BodyField.None;

    private static void ScanCandidates(ref Utf8JsonReader reader, ref ResponseBodyFacts facts)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ScanObject(ref reader, ref facts);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ScanNumbers(ref Utf8JsonReader reader, ref ResponseBodyFacts facts, bool invocationMetrics)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!invocationMetrics && reader.ValueTextEquals("latencyMs"u8))
            {
                reader.Read();
                facts.LatencyMs = ReadDuration(ref reader) ?? facts.LatencyMs;
            }
            else if (invocationMetrics && reader.ValueTextEquals("invocationLatency"u8))
            {
                reader.Read();
                facts.LatencyMs = ReadDuration(ref reader) ?? facts.LatencyMs;
            }
            else if (invocationMetrics && reader.ValueTextEquals("firstByteLatency"u8))
            {
                reader.Read();
                facts.FirstByteMs = ReadDuration(ref reader) ?? facts.FirstByteMs;
            }
            else if (invocationMetrics && reader.ValueTextEquals("inputTokenCount"u8))
            {
                reader.Read();
                facts.StreamInputTokens = ReadCount(ref reader) ?? facts.StreamInputTokens;
            }
            else if (invocationMetrics && reader.ValueTextEquals("outputTokenCount"u8))
            {
                reader.Read();
                facts.StreamOutputTokens = ReadCount(ref reader) ?? facts.StreamOutputTokens;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    // Body metrics belong to the model's format, not to the log schema: a malformed or absurd one
    // (negative, beyond a day) is ignored (treated as absent) rather than costing the record — an
    // absurd latency would otherwise own every p95 and push EMF values past what CloudWatch takes.
    private static double? ReadDuration(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && value is >= 0 and <= InvocationLogParser.MaxLatencyMs ? value : null;

    private static long? ReadCount(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value is >= 0 and <= InvocationLogParser.MaxTokenCount ? value : null;

    private static string NormalizeToken(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return StopReasonNormalizer.Normalize(raw);
        }

        if (raw.Length > StopReasonNormalizer.MaxWordBytes * 6)
        {
            return Records.StopReasons.Unknown;
        }

        Span<byte> word = stackalloc byte[StopReasonNormalizer.MaxWordBytes * 6];
        return StopReasonNormalizer.Normalize(word[..reader.CopyString(word)]);
    }
}
