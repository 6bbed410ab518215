using System.Collections.Frozen;
using System.Text;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Maps the finish reasons frameworks write into <c>gen_ai.response.finish_reasons</c> onto the
/// <see cref="StopReasons"/> vocabulary, so span finish reasons and invocation-log stop reasons
/// share one set of metric dimension values. The shared words (Converse, OpenAI-style
/// <c>stop</c>/<c>length</c>/<c>tool_calls</c>, Titan, Cohere …) come from
/// <see cref="StopReasonNormalizer"/>; only words seen in spans and never in Bedrock bodies
/// (Gemini's <c>SAFETY</c>, OpenAI's legacy <c>function_call</c> …) are added here.
/// </summary>
public static class FinishReasonNormalizer
{
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> SpanOnly =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            // OpenAI legacy / LiteLLM.
            ["function_call"] = StopReasons.ToolUse,
            ["max_length"] = StopReasons.MaxTokens,
            ["max_output_tokens"] = StopReasons.MaxTokens,
            ["model_length"] = StopReasons.MaxTokens,
            ["stop_sequences"] = StopReasons.StopSequence,
            ["end"] = StopReasons.EndTurn,
            ["eos"] = StopReasons.EndTurn,
            ["eos_token"] = StopReasons.EndTurn,

            // Gemini / Vertex (generate_content).
            ["SAFETY"] = StopReasons.ContentFiltered,
            ["RECITATION"] = StopReasons.ContentFiltered,
            ["BLOCKLIST"] = StopReasons.ContentFiltered,
            ["PROHIBITED_CONTENT"] = StopReasons.ContentFiltered,
            ["SPII"] = StopReasons.ContentFiltered,
            ["MALFORMED_FUNCTION_CALL"] = StopReasons.MalformedToolUse,

            // Bedrock guardrails as some instrumentations spell them.
            ["guardrail"] = StopReasons.GuardrailIntervened,
            ["guardrail_intervention"] = StopReasons.GuardrailIntervened,
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The canonical stop reason for a framework's finish reason; <c>unknown</c> when unrecognised.</summary>
    public static string Normalize(ReadOnlySpan<char> finishReason)
    {
        var trimmed = finishReason.Trim();
        if (trimmed.IsEmpty || trimmed.Length > StopReasonNormalizer.MaxWordBytes || !Ascii.IsValid(trimmed))
        {
            return StopReasons.Unknown;
        }

        Span<byte> utf8 = stackalloc byte[StopReasonNormalizer.MaxWordBytes];
        var length = Encoding.ASCII.GetBytes(trimmed, utf8);
        var shared = StopReasonNormalizer.Normalize(utf8[..length]);
        if (shared != StopReasons.Unknown)
        {
            return shared;
        }

        return SpanOnly.TryGetValue(trimmed, out var canonical) ? canonical : StopReasons.Unknown;
    }

    /// <inheritdoc cref="Normalize(ReadOnlySpan{char})"/>
    public static string Normalize(string? finishReason) =>
        finishReason is null ? StopReasons.Unknown : Normalize(finishReason.AsSpan());
}
