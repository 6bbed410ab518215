using System.Text;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class StopReasonNormalizerTests
{
    [Theory]
    // Converse / Nova / Anthropic: already canonical.
    [InlineData("end_turn", StopReasons.EndTurn)]
    [InlineData("tool_use", StopReasons.ToolUse)]
    [InlineData("max_tokens", StopReasons.MaxTokens)]
    [InlineData("stop_sequence", StopReasons.StopSequence)]
    [InlineData("guardrail_intervened", StopReasons.GuardrailIntervened)]
    [InlineData("content_filtered", StopReasons.ContentFiltered)]
    [InlineData("malformed_model_output", StopReasons.MalformedModelOutput)]
    [InlineData("malformed_tool_use", StopReasons.MalformedToolUse)]
    [InlineData("model_context_window_exceeded", StopReasons.ModelContextWindowExceeded)]
    // Titan.
    [InlineData("FINISH", StopReasons.EndTurn)]
    [InlineData("LENGTH", StopReasons.MaxTokens)]
    [InlineData("STOP_CRITERIA_MET", StopReasons.StopSequence)]
    [InlineData("CONTENT_FILTERED", StopReasons.ContentFiltered)]
    // Llama / Mistral / OpenAI-style.
    [InlineData("stop", StopReasons.EndTurn)]
    [InlineData("length", StopReasons.MaxTokens)]
    [InlineData("tool_calls", StopReasons.ToolUse)]
    [InlineData("content_filter", StopReasons.ContentFiltered)]
    // Cohere.
    [InlineData("COMPLETE", StopReasons.EndTurn)]
    [InlineData("MAX_TOKENS", StopReasons.MaxTokens)]
    [InlineData("ERROR_TOXIC", StopReasons.ContentFiltered)]
    [InlineData("ERROR", StopReasons.Unknown)]
    [InlineData("TOOL_CALL", StopReasons.ToolUse)]
    // Anything else.
    [InlineData("", StopReasons.Unknown)]
    [InlineData("banana", StopReasons.Unknown)]
    [InlineData("énd_turn", StopReasons.Unknown)]
    public void Normalize_WhenFamilyWord_ShouldMapToConverseVocabulary(string word, string expected)
    {
        var fromBytes = StopReasonNormalizer.Normalize(Encoding.UTF8.GetBytes(word));
        var fromString = StopReasonNormalizer.Normalize(word);

        Assert.Equal(expected, fromBytes);
        Assert.Equal(expected, fromString);
    }

    [Fact]
    public void Normalize_WhenWordLongerThanCap_ShouldBeUnknown()
    {
        var word = "end_turn" + new string(' ', StopReasonNormalizer.MaxWordBytes);

        Assert.Equal(StopReasons.Unknown, StopReasonNormalizer.Normalize(Encoding.UTF8.GetBytes(word)));
        Assert.Equal(StopReasons.Unknown, StopReasonNormalizer.Normalize((string?)null));
    }

    [Fact]
    public void Normalize_WhenCanonical_ShouldReturnTheSharedConstantInstance()
    {
        var result = StopReasonNormalizer.Normalize("END_TURN"u8);

        Assert.Same(StopReasons.EndTurn, result);
    }
}
