using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Maps every model family's stop/finish word to the Converse vocabulary in
/// <see cref="StopReasons"/>. It reads the raw UTF-8 token and returns one of the canonical
/// constants, so no text from a response body ever becomes a string.
/// </summary>
public static class StopReasonNormalizer
{
    /// <summary>Longest word considered; anything longer is not a stop reason and maps to <c>unknown</c>.</summary>
    public const int MaxWordBytes = 64;

    /// <summary>Normalises an unescaped UTF-8 stop word, ignoring ASCII case; unknown words give <see cref="StopReasons.Unknown"/>.</summary>
    public static string Normalize(ReadOnlySpan<byte> utf8Word)
    {
        if (utf8Word.IsEmpty || utf8Word.Length > MaxWordBytes)
        {
            return StopReasons.Unknown;
        }

        Span<char> lower = stackalloc char[MaxWordBytes];
        for (var i = 0; i < utf8Word.Length; i++)
        {
            var b = utf8Word[i];
            if (b >= 0x80)
            {
                return StopReasons.Unknown;
            }

            lower[i] = b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b;
        }

        return Map(lower[..utf8Word.Length]);
    }

    /// <summary>Normalises a stop word already held as a string (e.g. an OTel finish reason).</summary>
    public static string Normalize(string? word)
    {
        if (string.IsNullOrEmpty(word) || word.Length > MaxWordBytes)
        {
            return StopReasons.Unknown;
        }

        Span<char> lower = stackalloc char[word.Length];
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c >= 0x80)
            {
                return StopReasons.Unknown;
            }

            lower[i] = char.ToLowerInvariant(c);
        }

        return Map(lower);
    }

    private static string Map(ReadOnlySpan<char> lower) => lower switch
    {
        // Converse / ConverseStream / Nova / Anthropic Messages: already canonical.
        "end_turn" => StopReasons.EndTurn,
        "tool_use" => StopReasons.ToolUse,
        "max_tokens" => StopReasons.MaxTokens,
        "stop_sequence" => StopReasons.StopSequence,
        "guardrail_intervened" => StopReasons.GuardrailIntervened,
        "content_filtered" => StopReasons.ContentFiltered,
        "malformed_model_output" => StopReasons.MalformedModelOutput,
        "malformed_tool_use" => StopReasons.MalformedToolUse,
        "model_context_window_exceeded" => StopReasons.ModelContextWindowExceeded,

        // Meta Llama, Mistral, OpenAI-style: stop / length / tool_calls / content_filter.
        "stop" => StopReasons.EndTurn,
        "length" => StopReasons.MaxTokens,
        "tool_calls" => StopReasons.ToolUse,
        "content_filter" => StopReasons.ContentFiltered,

        // Amazon Titan Text: FINISH / LENGTH / STOP_CRITERIA_MET / CONTENT_FILTERED.
        "finish" => StopReasons.EndTurn,
        "stop_criteria_met" => StopReasons.StopSequence,

        // Cohere Command: COMPLETE / MAX_TOKENS / ERROR_TOXIC / ERROR (a failed generation: no
        // canonical word, so unknown), and Command R's TOOL_CALL.
        "complete" => StopReasons.EndTurn,
        "error_toxic" => StopReasons.ContentFiltered,
        "tool_call" => StopReasons.ToolUse,

        _ => StopReasons.Unknown,
    };
}
