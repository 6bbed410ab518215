using System.Text;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class InvocationLogParserTests
{
    public static TheoryData<string, string, string, string, long, long, long, long> FixtureExpectations => new()
    {
        // file, operation, modelId, stop reason, input, output, cacheRead, cacheWrite
        { "converse-anthropic.json", "Converse", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", StopReasons.EndTurn, 1200, 310, 800, 0 },
        { "converse-stream-nova.json", "ConverseStream", "amazon.nova-pro-v1:0", StopReasons.MaxTokens, 420, 1024, 0, 0 },
        { "invoke-anthropic.json", "InvokeModel", "anthropic.claude-3-haiku-20240307-v1:0", StopReasons.ToolUse, 95, 61, 0, 0 },
        { "invoke-titan.json", "InvokeModel", "amazon.titan-text-express-v1", StopReasons.MaxTokens, 18, 128, 0, 0 },
        { "invoke-llama.json", "InvokeModel", "meta.llama3-1-70b-instruct-v1:0", StopReasons.EndTurn, 40, 77, 0, 0 },
        { "invoke-mistral.json", "InvokeModel", "mistral.mistral-7b-instruct-v0:2", StopReasons.MaxTokens, 33, 64, 0, 0 },
        { "invoke-mistral-chat.json", "InvokeModel", "mistral.mistral-large-2402-v1:0", StopReasons.ToolUse, 52, 23, 0, 0 },
        { "invoke-cohere.json", "InvokeModel", "cohere.command-r-plus-v1:0", StopReasons.EndTurn, 61, 44, 0, 0 },
        { "invoke-cohere-legacy.json", "InvokeModel", "cohere.command-text-v14", StopReasons.MaxTokens, 12, 20, 0, 0 },
        { "invoke-openai.json", "InvokeModel", "openai.gpt-oss-120b-1:0", StopReasons.ContentFiltered, 30, 5, 0, 0 },
        { "invoke-nova.json", "InvokeModel", "us.amazon.nova-lite-v1:0", StopReasons.GuardrailIntervened, 25, 9, 0, 0 },
        { "stream-anthropic.json", "InvokeModelWithResponseStream", "eu.anthropic.claude-haiku-4-5-20251001-v1:0", StopReasons.MaxTokens, 210, 1024, 0, 1500 },
        { "stream-titan.json", "InvokeModelWithResponseStream", "amazon.titan-text-lite-v1", StopReasons.EndTurn, 14, 40, 0, 0 },
        { "stream-llama.json", "InvokeModelWithResponseStream", "us.meta.llama3-3-70b-instruct-v1:0", StopReasons.MaxTokens, 22, 256, 0, 0 },
        { "stream-mistral.json", "InvokeModelWithResponseStream", "mistral.mixtral-8x7b-instruct-v0:1", StopReasons.EndTurn, 31, 88, 0, 0 },
        { "stream-cohere.json", "InvokeModelWithResponseStream", "cohere.command-r-v1:0", StopReasons.ContentFiltered, 17, 3, 0, 0 },
        { "stream-nova.json", "InvokeModelWithResponseStream", "amazon.nova-micro-v1:0", StopReasons.EndTurn, 12, 30, 0, 0 },
        { "stream-openai.json", "InvokeModelWithResponseStream", "openai.gpt-oss-20b-1:0", StopReasons.ToolUse, 44, 12, 0, 0 },
        { "s3-offloaded.json", "Converse", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0", StopReasons.Unknown, 150000, 2048, 0, 0 },
        { "error-throttled.json", "Converse", "global.anthropic.claude-sonnet-4-6", StopReasons.Unknown, 0, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(FixtureExpectations))]
    public void TryParse_WhenFixtureOfEachOperationAndFamily_ShouldExtractCountsAndNormalisedStopReason(
        string file, string operation, string modelId, string stopReason, long input, long output, long cacheRead, long cacheWrite)
    {
        var logEvent = TestEvents.Event(TestEvents.CompactFixture(file));

        var parsed = InvocationLogParser.TryParse(logEvent, out var record, out var rejection);

        Assert.True(parsed, rejection?.Reason);
        Assert.Equal(operation, record!.Operation);
        Assert.Equal(modelId, record.ModelId);
        Assert.Equal(stopReason, record.StopReason);
        Assert.Equal(input, record.InputTokens);
        Assert.Equal(output, record.OutputTokens);
        Assert.Equal(cacheRead, record.CacheReadTokens);
        Assert.Equal(cacheWrite, record.CacheWriteTokens);
        Assert.Equal(logEvent.Id, record.EventId);
    }

    [Fact]
    public void TryParse_WhenPrettyPrintedFixture_ShouldParseLikeCompactOne()
    {
        var logEvent = TestEvents.Event(TestEvents.Fixture("converse-anthropic.json"));

        var parsed = InvocationLogParser.TryParse(logEvent, out var record, out _);

        Assert.True(parsed);
        Assert.Equal(StopReasons.EndTurn, record!.StopReason);
    }

    [Fact]
    public void TryParse_WhenConverse_ShouldReadLatencyRegionsIdentityAndMetadata()
    {
        var logEvent = TestEvents.Event(TestEvents.CompactFixture("converse-anthropic.json"));

        var record = ParseAccepted(logEvent);

        Assert.Equal(2140d, record!.LatencyMs);
        Assert.Null(record.TimeToFirstTokenMs);
        Assert.Equal("us-east-1", record.Region);
        Assert.Equal("us-east-2", record.InferenceRegion);
        Assert.Equal("111122223333", record.AccountId);
        Assert.Equal("5c1b2a3e-8d4f-4f7a-9a60-0f6d1e2b3c4d", record.RequestId);
        Assert.Equal("support-bot-role", record.Principal);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 3, 27, TimeSpan.Zero), record.Timestamp);
        Assert.Null(record.ErrorCode);
        Assert.False(record.IsError);
        Assert.NotNull(record.RequestMetadata);
        Assert.Equal("support", record.RequestMetadata!["team"]);
        Assert.Equal("helpdesk", record.RequestMetadata["application"]);
        Assert.False(record.RequestMetadata.ContainsKey("priority"));
    }

    [Fact]
    public void TryParse_WhenAnthropicStream_ShouldReadInvocationMetricsFromLastChunk()
    {
        var logEvent = TestEvents.Event(TestEvents.CompactFixture("stream-anthropic.json"));

        var record = ParseAccepted(logEvent);

        Assert.Equal(8765d, record!.LatencyMs);
        Assert.Equal(412d, record.TimeToFirstTokenMs);
        Assert.Equal("batch-summariser", record.Principal);
    }

    [Theory]
    [InlineData("stream-titan.json", 1320, 250)]
    [InlineData("stream-llama.json", 3001, 198)]
    [InlineData("stream-mistral.json", 1450, 300)]
    [InlineData("stream-cohere.json", 700, 120)]
    [InlineData("stream-nova.json", 640, 95)]
    [InlineData("stream-openai.json", 900, 150)]
    public void TryParse_WhenStreamOfOtherFamilies_ShouldReadLatencyAndTimeToFirstToken(string file, double latency, double firstByte)
    {
        var logEvent = TestEvents.Event(TestEvents.CompactFixture(file));

        var record = ParseAccepted(logEvent);

        Assert.Equal(latency, record!.LatencyMs);
        Assert.Equal(firstByte, record.TimeToFirstTokenMs);
    }

    [Fact]
    public void TryParse_WhenPlainInvokeModel_ShouldHaveNoLatency()
    {
        var logEvent = TestEvents.Event(TestEvents.CompactFixture("invoke-llama.json"));

        var record = ParseAccepted(logEvent);

        Assert.Null(record!.LatencyMs);
        Assert.Null(record.TimeToFirstTokenMs);
    }

    [Fact]
    public void TryParse_WhenErrorCodeAndNoOutput_ShouldAcceptAsFailedCall()
    {
        var logEvent = TestEvents.Event(TestEvents.CompactFixture("error-throttled.json"));

        var parsed = InvocationLogParser.TryParse(logEvent, out var record, out _);

        Assert.True(parsed);
        Assert.Equal("ThrottlingException", record!.ErrorCode);
        Assert.True(record.IsError);
        Assert.True(record.IsThrottle);
    }

    [Fact]
    public void TryParse_WhenShapeContradictsOperation_ShouldDecideByJsonKindOfBody()
    {
        // An InvokeModel record whose body is a chunk array, and a stream record whose body is one object.
        const string arrayBody = """
            {"schemaType":"ModelInvocationLog","operation":"InvokeModel","modelId":"anthropic.claude-3-haiku-20240307-v1:0",
             "output":{"outputBodyJson":[{"type":"message_delta","delta":{"stop_reason":"stop_sequence"}}],"outputTokenCount":3}}
            """;
        const string objectBody = """
            {"schemaType":"ModelInvocationLog","operation":"InvokeModelWithResponseStream","modelId":"anthropic.claude-3-haiku-20240307-v1:0",
             "output":{"outputBodyJson":{"stop_reason":"end_turn"},"outputTokenCount":3}}
            """;

        var fromArray = ParseAccepted(TestEvents.Event(arrayBody));
        var fromObject = ParseAccepted(TestEvents.Event(objectBody));

        Assert.Equal(StopReasons.StopSequence, fromArray!.StopReason);
        Assert.Equal(StopReasons.EndTurn, fromObject!.StopReason);
    }

    [Fact]
    public void TryParse_WhenNoRecordTimestamp_ShouldUseLogEventTime()
    {
        const string json = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0"}""";

        var record = ParseAccepted(TestEvents.Event(json, timestampMs: 1_795_000_123_456));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_123_456), record!.Timestamp);
        Assert.Equal(PrincipalParser.Unknown, record.Principal);
        Assert.Equal(0, record.InputTokens);
        Assert.Equal(StopReasons.Unknown, record.StopReason);
    }

    [Fact]
    public void TryParse_WhenTimestampHasFractionAndOffset_ShouldKeepTheInstant()
    {
        const string json = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","timestamp":"2026-11-20T16:03:27.250+02:00"}""";

        var record = ParseAccepted(TestEvents.Event(json));

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 3, 27, 250, TimeSpan.Zero), record.Timestamp);
    }

    [Fact]
    public void TryParse_WhenNoRecordTimestampAndEventTimeOutOfRange_ShouldRejectInvalidTimestamp()
    {
        const string json = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m"}""";

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json, timestampMs: long.MaxValue), out _, out var rejection);

        Assert.False(parsed);
        Assert.Equal(RejectReasons.InvalidTimestamp, rejection!.Reason);
    }

    [Fact]
    public void TryParse_WhenStreamRecordLacksTokenCounts_ShouldFallBackToInvocationMetrics()
    {
        const string json = """
            {"schemaType":"ModelInvocationLog","operation":"InvokeModelWithResponseStream","modelId":"anthropic.claude-3-haiku-20240307-v1:0",
             "output":{"outputBodyJson":[{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":10,"outputTokenCount":6,"invocationLatency":765,"firstByteLatency":690}}]}}
            """;

        var record = ParseAccepted(TestEvents.Event(json));

        Assert.Equal(10, record!.InputTokens);
        Assert.Equal(6, record.OutputTokens);
        Assert.Equal(765d, record.LatencyMs);
        Assert.Equal(690d, record.TimeToFirstTokenMs);
    }

    [Fact]
    public void TryParse_WhenBodyMetricHasWrongType_ShouldIgnoreItAndKeepRecord()
    {
        const string json = """
            {"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0",
             "output":{"outputBodyJson":{"stopReason":"end_turn","metrics":{"latencyMs":"fast"}},"outputTokenCount":1}}
            """;

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Null(record!.LatencyMs);
    }

    [Theory]
    [InlineData("\"\\u0065nd_turn\"", StopReasons.EndTurn)]
    [InlineData("\"a-stop-word-that-no-model-family-uses\"", StopReasons.Unknown)]
    [InlineData("null", StopReasons.Unknown)]
    [InlineData("42", StopReasons.Unknown)]
    public void TryParse_WhenStopReasonTokenIsEscapedUnknownOrNotAString_ShouldNormaliseSafely(string token, string expected)
    {
        var json = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0","output":{"outputBodyJson":{"stopReason":""" + token + "}}}";

        var record = ParseAccepted(TestEvents.Event(json));

        Assert.Equal(expected, record!.StopReason);
    }

    [Fact]
    public void TryParse_WhenStopWordIsHuge_ShouldMapToUnknownWithoutKeepingIt()
    {
        var word = new string('x', 10_000);
        var json = "{\"schemaType\":\"ModelInvocationLog\",\"operation\":\"Converse\",\"modelId\":\"amazon.nova-lite-v1:0\",\"output\":{\"outputBodyJson\":{\"stopReason\":\"" + word + "\"}}}";

        var record = ParseAccepted(TestEvents.Event(json));

        Assert.Equal(StopReasons.Unknown, record!.StopReason);
    }

    [Fact]
    public void TryParse_WhenMetadataHasNestedAndOversizedValues_ShouldKeepOnlyShortStrings()
    {
        var longValue = new string('v', 300);
        var json = """
            {"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0",
             "requestMetadata":{"team":"search","nested":{"a":"b"},"flag":true,"long":"LONG","environment":"prod"}}
            """.Replace("LONG", longValue, StringComparison.Ordinal);

        var record = ParseAccepted(TestEvents.Event(json));

        Assert.Equal(2, record!.RequestMetadata!.Count);
        Assert.Equal("search", record.RequestMetadata["team"]);
        Assert.Equal("prod", record.RequestMetadata["environment"]);
    }

    [Fact]
    public void TryParse_WhenPromptIsLarge_ShouldNotAllocateInProportionToIt()
    {
        var prompt = new string('p', 200_000);
        var json = Encoding.UTF8.GetBytes("""
            {"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0",
             "input":{"inputBodyJson":{"messages":[{"role":"user","content":[{"text":"PROMPT"}]}]},"inputTokenCount":50000},
             "output":{"outputBodyJson":{"output":{"message":{"content":[{"text":"PROMPT"}]}},"stopReason":"end_turn"},"outputTokenCount":50000}}
            """.Replace("PROMPT", prompt, StringComparison.Ordinal));
        var logEvent = TestEvents.Event(json);
        ParseAccepted(logEvent);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var record = ParseAccepted(logEvent);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(StopReasons.EndTurn, record!.StopReason);
        Assert.True(allocated < 4_096, $"allocated {allocated} bytes for a 400 KB record");
    }

    private static InvocationRecord ParseAccepted(in GenAiObs.Core.Envelopes.LogEvent logEvent)
    {
        Assert.True(InvocationLogParser.TryParse(logEvent, out var record, out var rejection), rejection?.Reason);
        return record;
    }
}
