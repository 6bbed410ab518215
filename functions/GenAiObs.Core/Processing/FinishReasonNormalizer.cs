using System.Collections.Frozen;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Maps the finish reasons frameworks write into <c>gen_ai.response.finish_reasons</c> (OpenAI
/// <c>stop</c>/<c>length</c>/<c>tool_calls</c>, Gemini <c>STOP</c>/<c>MAX_TOKENS</c>/<c>SAFETY</c>,
/// Bedrock Converse <c>end_turn</c>/<c>tool_use</c> …) onto the <see cref="StopReasons"/>
/// vocabulary, so span finish reasons and invocation-log stop reasons share one set of metric
/// dimension values. Kept in one small class so it can fold into a shared normaliser later.
/// </summary>
public static class FinishReasonNormalizer
{
    private static readonly FrozenDictionary<string, string> Map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // Converse vocabulary itself.
        [StopReasons.EndTurn] = StopReasons.EndTurn,
        [StopReasons.ToolUse] = StopReasons.ToolUse,
        [StopReasons.MaxTokens] = StopReasons.MaxTokens,
        [StopReasons.StopSequence] = StopReasons.StopSequence,
        [StopReasons.GuardrailIntervened] = StopReasons.GuardrailIntervened,
        [StopReasons.ContentFiltered] = StopReasons.ContentFiltered,
        [StopReasons.MalformedModelOutput] = StopReasons.MalformedModelOutput,
        [StopReasons.MalformedToolUse] = StopReasons.MalformedToolUse,
        [StopReasons.ModelContextWindowExceeded] = StopReasons.ModelContextWindowExceeded,

        // OpenAI / LangChain / LiteLLM.
        ["stop"] = StopReasons.EndTurn,
        ["length"] = StopReasons.MaxTokens,
        ["tool_calls"] = StopReasons.ToolUse,
        ["tool_call"] = StopReasons.ToolUse,
        ["function_call"] = StopReasons.ToolUse,
        ["content_filter"] = StopReasons.ContentFiltered,

        // Titan / Nova / Cohere / Mistral / Llama families.
        ["FINISH"] = StopReasons.EndTurn,
        ["COMPLETE"] = StopReasons.EndTurn,
        ["end"] = StopReasons.EndTurn,
        ["eos"] = StopReasons.EndTurn,
        ["eos_token"] = StopReasons.EndTurn,
        ["max_length"] = StopReasons.MaxTokens,
        ["max_output_tokens"] = StopReasons.MaxTokens,
        ["model_length"] = StopReasons.MaxTokens,
        ["ERROR_TOXIC"] = StopReasons.ContentFiltered,
        ["stop_sequences"] = StopReasons.StopSequence,

        // Gemini / Vertex.
        ["SAFETY"] = StopReasons.ContentFiltered,
        ["RECITATION"] = StopReasons.ContentFiltered,
        ["BLOCKLIST"] = StopReasons.ContentFiltered,
        ["PROHIBITED_CONTENT"] = StopReasons.ContentFiltered,
        ["SPII"] = StopReasons.ContentFiltered,
        ["MALFORMED_FUNCTION_CALL"] = StopReasons.MalformedToolUse,

        // Bedrock guardrails as some instrumentations spell them.
        ["guardrail"] = StopReasons.GuardrailIntervened,
        ["guardrail_intervention"] = StopReasons.GuardrailIntervened,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> SpanLookup =
        Map.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The canonical stop reason for a framework's finish reason; <c>unknown</c> when unrecognised.</summary>
    public static string Normalize(ReadOnlySpan<char> finishReason)
    {
        var trimmed = finishReason.Trim();
        return SpanLookup.TryGetValue(trimmed, out var canonical) ? canonical : StopReasons.Unknown;
    }

    /// <inheritdoc cref="Normalize(ReadOnlySpan{char})"/>
    public static string Normalize(string? finishReason) =>
        finishReason is null ? StopReasons.Unknown : Normalize(finishReason.AsSpan());
}
