using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Spans;

public class FinishReasonNormalizerTests
{
    [Theory]
    [InlineData("end_turn", StopReasons.EndTurn)]
    [InlineData("stop", StopReasons.EndTurn)]
    [InlineData("STOP", StopReasons.EndTurn)]
    [InlineData("FINISH", StopReasons.EndTurn)]
    [InlineData("COMPLETE", StopReasons.EndTurn)]
    [InlineData(" length ", StopReasons.MaxTokens)]
    [InlineData("MAX_TOKENS", StopReasons.MaxTokens)]
    [InlineData("tool_calls", StopReasons.ToolUse)]
    [InlineData("function_call", StopReasons.ToolUse)]
    [InlineData("content_filter", StopReasons.ContentFiltered)]
    [InlineData("SAFETY", StopReasons.ContentFiltered)]
    [InlineData("RECITATION", StopReasons.ContentFiltered)]
    [InlineData("MALFORMED_FUNCTION_CALL", StopReasons.MalformedToolUse)]
    [InlineData("guardrail_intervened", StopReasons.GuardrailIntervened)]
    [InlineData("stop_sequence", StopReasons.StopSequence)]
    [InlineData("model_context_window_exceeded", StopReasons.ModelContextWindowExceeded)]
    [InlineData("", StopReasons.Unknown)]
    [InlineData("naïve", StopReasons.Unknown)]
    [InlineData("something_else", StopReasons.Unknown)]
    [InlineData(null, StopReasons.Unknown)]
    public void Normalize_WhenFrameworkWordGiven_ShouldMapToStopReasonVocabulary(string? word, string expected)
    {
        var canonical = FinishReasonNormalizer.Normalize(word);

        Assert.Equal(expected, canonical);
        Assert.Contains(canonical, StopReasons.All);
    }
}
