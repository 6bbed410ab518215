namespace GenAiObs.Core.Records;

/// <summary>The canonical stop-reason vocabulary (the Converse API's), plus <c>unknown</c>.</summary>
public static class StopReasons
{
    public const string EndTurn = "end_turn";
    public const string ToolUse = "tool_use";
    public const string MaxTokens = "max_tokens";
    public const string StopSequence = "stop_sequence";
    public const string GuardrailIntervened = "guardrail_intervened";
    public const string ContentFiltered = "content_filtered";
    public const string MalformedModelOutput = "malformed_model_output";
    public const string MalformedToolUse = "malformed_tool_use";
    public const string ModelContextWindowExceeded = "model_context_window_exceeded";
    public const string Unknown = "unknown";

    /// <summary>Every canonical value, in a stable order (for output and metric names).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        EndTurn, ToolUse, MaxTokens, StopSequence, GuardrailIntervened, ContentFiltered,
        MalformedModelOutput, MalformedToolUse, ModelContextWindowExceeded, Unknown,
    ];

    /// <summary>A completed answer, as the template's saved query "Completion rate by hour" counts it.</summary>
    public static bool IsCompletion(string reason) => reason is EndTurn or ToolUse;

    /// <summary>A truncated answer, as the template's saved query "Completion rate by hour" counts it.</summary>
    public static bool IsTruncation(string reason) => reason is MaxTokens;
}
