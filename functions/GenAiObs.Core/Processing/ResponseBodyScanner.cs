using System.Text.Json;

namespace GenAiObs.Core.Processing;

/// <summary>What an output body tells about the call, gathered without keeping any of its text.</summary>
internal struct ResponseBodyFacts
{
    /// <summary>Canonical stop reason (a <see cref="Records.StopReasons"/> constant), when found.</summary>
    public string? StopReason;
    public double? LatencyMs;
    public double? FirstByteMs;

    /// <summary>Token counts from a stream's <c>amazon-bedrock-invocationMetrics</c> (fallback when the record lacks them).</summary>
    public long? StreamInputTokens;
    public long? StreamOutputTokens;

    /// <summary>
    /// <c>"amazon-bedrock-guardrailAction":"INTERVENED"</c> in an InvokeModel body or a stream chunk
    /// (Amazon Bedrock User Guide, "Use a guardrail with InvokeModel"): the guardrail replaced the
    /// answer, whatever stop reason the model reported.
    /// </summary>
    public bool GuardrailIntervened;
}

/// <summary>
/// Reads an <c>outputBodyJson</c> by its JSON kind: an object is one response (Converse,
/// ConverseStream, or an InvokeModel native body of any family), an array is the decoded chunks
/// of InvokeModelWithResponseStream. Only the fields named in wire-formats §2 are looked at; all
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

    /// <summary>One response object or stream chunk; within it the first stop reason found wins.</summary>
    private static void ScanObject(ref Utf8JsonReader reader, ref ResponseBodyFacts facts)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!MayBeInteresting(ref reader))
            {
                // Most names in a body ("text", "type", "role", "content" …) match nothing below:
                // one length test instead of thirteen comparisons (stream bodies hold hundreds of chunks).
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("stopReason"u8) ||      // Converse, ConverseStream, Nova
                reader.ValueTextEquals("stop_reason"u8) ||     // Anthropic, Llama, Mistral outputs[]/choices[]
                reader.ValueTextEquals("finish_reason"u8) ||   // Cohere, OpenAI-style choices[]
                reader.ValueTextEquals("completionReason"u8))  // Titan results[] and stream chunks
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    facts.StopReason ??= NormalizeToken(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("amazon-bedrock-guardrailAction"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    facts.GuardrailIntervened |= reader.ValueTextEquals("INTERVENED"u8);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                reader.Read();
                ScanNumbers(ref reader, ref facts, invocationMetrics: false);
            }
            else if (reader.ValueTextEquals("amazon-bedrock-invocationMetrics"u8))
            {
                reader.Read();
                ScanNumbers(ref reader, ref facts, invocationMetrics: true);
            }
            else if (reader.ValueTextEquals("delta"u8) ||       // Anthropic message_delta.delta.stop_reason
                     reader.ValueTextEquals("messageStop"u8) || // Nova / Converse stream events
                     reader.ValueTextEquals("metadata"u8))      // Converse stream metadata.metrics.latencyMs
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ScanObject(ref reader, ref facts);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("results"u8) ||     // Titan
                     reader.ValueTextEquals("outputs"u8) ||     // Mistral text
                     reader.ValueTextEquals("choices"u8) ||     // Mistral chat, OpenAI-style
                     reader.ValueTextEquals("generations"u8))   // Cohere legacy
            {
                reader.Read();
                ScanCandidates(ref reader, ref facts);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>False only when the property name cannot be one <see cref="ScanObject"/> looks for (by its length).</summary>
    private static bool MayBeInteresting(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length switch
        {
            5 => true,   // delta
            7 => true,   // metrics, results, outputs, choices
            8 => true,   // metadata
            10 => true,  // stopReason
            11 => true,  // stop_reason, messageStop, generations
            13 => true,  // finish_reason
            16 => true,  // completionReason
            30 => true,  // amazon-bedrock-guardrailAction
            32 => true,  // amazon-bedrock-invocationMetrics
            _ => false,
        };

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
