using Xunit;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using static GenAiObs.Tests.Spans.SpanFixtures;

namespace GenAiObs.Tests.Spans;

public class SpanParserTests
{
    [Fact]
    public void Parse_WhenStrandsChatSpan_ShouldReadModelTokensCacheAndFinishReason()
    {
        var spans = Parse(Strands);

        var chat = spans.First(s => s.SpanId == "c3d4e5f60718293a");

        Assert.Equal(SpanClass.ModelCall, chat.Class);
        Assert.Equal("chat", chat.OperationName);
        Assert.Equal("us.anthropic.claude-sonnet-4-5-20250929-v1:0", chat.Model);
        Assert.Equal("strands-agents", chat.Provider);
        Assert.Equal(1980, chat.InputTokens);
        Assert.Equal(119, chat.OutputTokens);
        Assert.Equal(1024, chat.CacheReadTokens);
        Assert.Equal(256, chat.CacheWriteTokens);
        Assert.Equal(new[] { StopReasons.ToolUse }, chat.FinishReasons);
        Assert.Equal("session-4f1c-9a2e-weather", chat.SessionId);
        Assert.Equal("weather_assistant.DEFAULT", chat.ServiceName);
        Assert.Equal("bedrock-agentcore:default", chat.Environment);
        Assert.Equal("b2c3d4e5f6071829", chat.ParentSpanId);
        Assert.Equal("INTERNAL", chat.Kind);
        Assert.False(chat.IsError);
        Assert.Equal(2644.916837, chat.DurationMs, 6);
        Assert.Equal("strands-agentcore-0", chat.EventId);
    }

    [Fact]
    public void Parse_WhenStrandsAgentAndLoopSpans_ShouldClassifyAgentAndOther()
    {
        var spans = Parse(Strands);

        var agent = ByName(spans, "invoke_agent weather_assistant");
        var cycle = ByName(spans, "execute_event_loop_cycle");

        Assert.Equal(SpanClass.Agent, agent.Class);
        Assert.Equal("weather_assistant", agent.AgentName);
        Assert.Null(agent.ParentSpanId);
        Assert.Equal(SpanClass.Other, cycle.Class);
    }

    [Fact]
    public void Parse_WhenStrandsToolSpans_ShouldReadToolNameAndFailure()
    {
        var spans = Parse(Strands);

        var ok = ByName(spans, "execute_tool get_weather");
        var failed = ByName(spans, "execute_tool get_forecast");

        Assert.Equal(SpanClass.Tool, ok.Class);
        Assert.Equal("get_weather", ok.ToolName);
        Assert.False(ok.ToolFailed);
        Assert.Equal(SpanClass.Tool, failed.Class);
        Assert.True(failed.IsError);
        Assert.True(failed.ToolFailed);
    }

    [Fact]
    public void Parse_WhenToolStatusErrorButStatusOk_ShouldStillMarkToolFailed()
    {
        var json = Minimal("{\"gen_ai.operation.name\":\"execute_tool\",\"gen_ai.tool.name\":\"lookup\",\"gen_ai.tool.status\":\"failure\"}", extra: "\"status\":{\"code\":\"OK\"}");

        var span = ParseOne(json);

        Assert.False(span.IsError);
        Assert.True(span.ToolFailed);
    }

    [Fact]
    public void Parse_WhenLatestStrandsConventions_ShouldReadProviderName()
    {
        var spans = Parse(Strands);

        var chat = spans.Single(s => s.SpanId == "1a2b3c4d5e6f7081");

        Assert.Equal("strands-agents", chat.Provider);
        Assert.Equal(SpanClass.ModelCall, chat.Class);
        Assert.Equal(950, chat.InputTokens);
        Assert.Equal(64, chat.OutputTokens);
    }

    [Fact]
    public void Parse_WhenOpenLlmetryChatSpan_ShouldReadOldNamesNumericStringsAndComputeDuration()
    {
        var spans = Parse(LangChain);

        var chat = ByName(spans, "ChatBedrock.chat");

        Assert.Equal(SpanClass.ModelCall, chat.Class);
        Assert.Null(chat.OperationName);
        Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0", chat.Model);
        Assert.Equal("AWS", chat.Provider);
        Assert.Equal(812, chat.InputTokens);
        Assert.Equal(95, chat.OutputTokens);
        Assert.Equal("CLIENT", chat.Kind);
        Assert.Equal("staging", chat.Environment);
        Assert.Equal(new[] { StopReasons.EndTurn }, chat.FinishReasons);
        Assert.Equal(1873.5, chat.DurationMs, 6);
    }

    [Fact]
    public void Parse_WhenTraceloopSpansWithoutGenAiOperation_ShouldClassifyByAttributes()
    {
        var spans = Parse(LangChain);

        Assert.Equal(SpanClass.Other, ByName(spans, "get_order_status.tool").Class);
        Assert.Equal(SpanClass.Other, ByName(spans, "AgentExecutor.workflow").Class);
        var kb = ByName(spans, "search_kb.tool");
        Assert.Equal(SpanClass.Tool, kb.Class);
        Assert.True(kb.IsError);
        Assert.True(kb.ToolFailed);
        var agent = ByName(spans, "triage_agent.agent");
        Assert.Equal(SpanClass.Agent, agent.Class);
        Assert.False(agent.IsError);
    }

    [Fact]
    public void Parse_WhenAdotBedrockClientSpans_ShouldClassifyEveryOperation()
    {
        var spans = Parse(Adot);

        var converse = ByName(spans, "chat anthropic.claude-3-5-haiku-20241022-v1:0");
        var throttled = ByName(spans, "chat us.amazon.nova-lite-v1:0");
        var titan = ByName(spans, "text_completion amazon.titan-text-express-v1");
        var embed = ByName(spans, "embeddings amazon.titan-embed-text-v2:0");
        var llama = ByName(spans, "chat meta.llama3-1-8b-instruct-v1:0");

        Assert.Equal(SpanClass.ModelCall, converse.Class);
        Assert.Equal("CLIENT", converse.Kind);
        Assert.False(converse.IsError);
        Assert.Equal("aws.bedrock", converse.Provider);
        Assert.Equal(SpanClass.ModelCall, throttled.Class);
        Assert.True(throttled.IsError);
        Assert.Equal("ThrottlingException", throttled.ErrorType);
        Assert.Equal(new[] { StopReasons.EndTurn }, titan.FinishReasons);
        Assert.Equal(SpanClass.ModelCall, embed.Class);
        Assert.Equal(0, embed.OutputTokens);
        Assert.Null(llama.OperationName);
        Assert.Equal(SpanClass.ModelCall, llama.Class);
        Assert.Equal(new[] { StopReasons.MaxTokens }, llama.FinishReasons);
        Assert.Equal(SpanClass.Other, ByName(spans, "DynamoDB.GetItem").Class);
        Assert.Equal(SpanClass.Other, ByName(spans, "POST /claims/summarise").Class);
        Assert.Equal("SERVER", ByName(spans, "POST /claims/summarise").Kind);
    }

    public static TheoryData<string, string, SpanClass> ClassificationCases() => new()
    {
        // gen_ai.operation.name decides when present.
        { "{\"gen_ai.operation.name\":\"invoke_agent\"}", "anything", SpanClass.Agent },
        { "{\"gen_ai.operation.name\":\"create_agent\"}", "anything", SpanClass.Agent },
        { "{\"gen_ai.operation.name\":\"execute_tool\"}", "anything", SpanClass.Tool },
        { "{\"gen_ai.operation.name\":\"chat\"}", "anything", SpanClass.ModelCall },
        { "{\"gen_ai.operation.name\":\"text_completion\"}", "anything", SpanClass.ModelCall },
        { "{\"gen_ai.operation.name\":\"generate_content\"}", "anything", SpanClass.ModelCall },
        { "{\"gen_ai.operation.name\":\"embeddings\"}", "anything", SpanClass.ModelCall },
        { "{\"gen_ai.operation.name\":\"chat\",\"gen_ai.tool.name\":\"t\"}", "execute_tool t", SpanClass.ModelCall },
        { "{\"gen_ai.operation.name\":\"invoke_swarm\",\"gen_ai.agent.name\":\"swarm\"}", "invoke_swarm", SpanClass.Other },
        // Name prefixes.
        { "{}", "invoke_agent planner", SpanClass.Agent },
        { "{}", "execute_tool search", SpanClass.Tool },
        { "{}", "chat gpt-4o", SpanClass.ModelCall },
        { "{\"gen_ai.tool.name\":\"x\"}", "chat gpt-4o", SpanClass.ModelCall },
        { "{}", "chat", SpanClass.Other },
        { "{}", "chatter box", SpanClass.Other },
        // Attributes.
        { "{\"gen_ai.tool.name\":\"x\",\"gen_ai.agent.name\":\"a\"}", "step", SpanClass.Tool },
        { "{\"gen_ai.agent.name\":\"a\",\"gen_ai.request.model\":\"m\",\"gen_ai.usage.input_tokens\":5}", "step", SpanClass.Agent },
        { "{\"gen_ai.request.model\":\"m\",\"gen_ai.usage.input_tokens\":5}", "step", SpanClass.ModelCall },
        { "{\"gen_ai.response.model\":\"m\",\"gen_ai.usage.completion_tokens\":5}", "step", SpanClass.ModelCall },
        { "{\"gen_ai.request.model\":\"m\"}", "step", SpanClass.Other },
        { "{\"gen_ai.usage.input_tokens\":5}", "step", SpanClass.Other },
        { "{}", "HTTP GET", SpanClass.Other },
    };

    [Theory]
    [MemberData(nameof(ClassificationCases))]
    public void Parse_WhenClassifying_ShouldFollowOperationThenNameThenAttributes(string attributes, string name, SpanClass expected)
    {
        var json = Minimal(attributes, name);

        var span = ParseOne(json);

        Assert.Equal(expected, span.Class);
    }

    [Theory]
    [InlineData("gen_ai.usage.cache_read.input_tokens", 11, 0)]
    [InlineData("gen_ai.usage.cache_read_input_tokens", 12, 0)]
    [InlineData("gen_ai.usage.cache_creation.input_tokens", 0, 13)]
    [InlineData("gen_ai.usage.cache_creation_input_tokens", 0, 14)]
    [InlineData("gen_ai.usage.cache_write_input_tokens", 0, 15)]
    public void Parse_WhenCacheTokensInAnySpelling_ShouldReadThem(string attribute, long expectedRead, long expectedWrite)
    {
        var value = Math.Max(expectedRead, expectedWrite);
        var json = Minimal("{\"gen_ai.operation.name\":\"chat\",\"" + attribute + "\":" + value + "}");

        var span = ParseOne(json);

        Assert.Equal(expectedRead, span.CacheReadTokens);
        Assert.Equal(expectedWrite, span.CacheWriteTokens);
    }

    [Fact]
    public void Parse_WhenOldAndNewNamesDisagree_ShouldPreferNewNames()
    {
        var json = Minimal("{\"gen_ai.system\":\"old\",\"gen_ai.provider.name\":\"aws.bedrock\",\"gen_ai.usage.prompt_tokens\":1," +
                           "\"gen_ai.usage.input_tokens\":100,\"gen_ai.usage.output_tokens\":20,\"gen_ai.usage.completion_tokens\":2," +
                           "\"gen_ai.usage.cache_read_input_tokens\":3,\"gen_ai.usage.cache_read.input_tokens\":30," +
                           "\"gen_ai.response.model\":\"resp\",\"gen_ai.request.model\":\"req\"}", "chat req");

        var span = ParseOne(json);

        Assert.Equal("aws.bedrock", span.Provider);
        Assert.Equal(100, span.InputTokens);
        Assert.Equal(20, span.OutputTokens);
        Assert.Equal(30, span.CacheReadTokens);
        Assert.Equal("req", span.Model);
    }

    [Fact]
    public void Parse_WhenOnlyResponseModel_ShouldUseIt()
    {
        var json = Minimal("{\"gen_ai.response.model\":\"gpt-4o-2024-08-06\",\"gen_ai.usage.input_tokens\":\"7\"}");

        var span = ParseOne(json);

        Assert.Equal("gpt-4o-2024-08-06", span.Model);
        Assert.Equal(7, span.InputTokens);
    }

    [Theory]
    [InlineData("\"status\":{\"code\":\"ERROR\",\"message\":\"boom\"}", true)]
    [InlineData("\"status\":{\"code\":2}", true)]
    [InlineData("\"status\":{\"code\":\"STATUS_CODE_ERROR\"}", true)]
    [InlineData("\"status\":{\"code\":\"error\"}", true)]
    [InlineData("\"status\":{\"code\":\"2\"}", true)]
    [InlineData("\"status\":\"ERROR\"", true)]
    [InlineData("\"status\":{\"message\":\"x\",\"code\":\"Error\"}", true)]
    [InlineData("\"status\":{\"code\":\"OK\"}", false)]
    [InlineData("\"status\":{\"code\":1}", false)]
    [InlineData("\"status\":{\"code\":0}", false)]
    [InlineData("\"status\":{\"code\":\"UNSET\"}", false)]
    [InlineData("\"status\":{\"code\":\"STATUS_CODE_OK\"}", false)]
    [InlineData("\"status\":{}", false)]
    [InlineData("\"status\":null", false)]
    [InlineData("\"other\":1", false)]
    public void Parse_WhenStatusInAnyForm_ShouldReadError(string status, bool expectedError)
    {
        var json = Minimal(extra: status);

        var span = ParseOne(json);

        Assert.Equal(expectedError, span.IsError);
    }

    [Theory]
    [InlineData("\"kind\":\"SERVER\"", "SERVER")]
    [InlineData("\"kind\":2", "SERVER")]
    [InlineData("\"kind\":\"SPAN_KIND_SERVER\"", "SERVER")]
    [InlineData("\"kind\":\"client\"", "CLIENT")]
    [InlineData("\"kind\":3", "CLIENT")]
    [InlineData("\"kind\":1", "INTERNAL")]
    [InlineData("\"kind\":4", "PRODUCER")]
    [InlineData("\"kind\":5", "CONSUMER")]
    [InlineData("\"kind\":0", "UNSPECIFIED")]
    [InlineData("\"kind\":null", null)]
    [InlineData("\"flags\":256", null)]
    public void Parse_WhenKindInAnyForm_ShouldNormalise(string kind, string? expected)
    {
        var json = Minimal(extra: kind);

        var span = ParseOne(json);

        Assert.Equal(expected, span.Kind);
    }

    [Fact]
    public void Parse_WhenOptionalMembersMissing_ShouldAcceptRootSpan()
    {
        var json = "{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"root\",\"durationNano\":2500000}";

        var span = ParseOne(json);

        Assert.Null(span.ParentSpanId);
        Assert.Null(span.Kind);
        Assert.Null(span.ServiceName);
        Assert.Equal(2.5, span.DurationMs, 9);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000), span.End);
        Assert.Empty(span.FinishReasons);
    }

    [Fact]
    public void Parse_WhenDurationNanoAndTimesBothPresent_ShouldPreferDurationNano()
    {
        var json = Minimal(extra: "\"durationNano\":\"1200000000\"");

        var span = ParseOne(json);

        Assert.Equal(1200, span.DurationMs, 9);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_001_500), span.End);
    }

    [Fact]
    public void Parse_WhenOnlyStartAndDuration_ShouldDeriveEnd()
    {
        var json = "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"startTimeUnixNano\":1795000000000000000,\"durationNano\":250000000}";

        var span = ParseOne(json);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_250), span.End);
    }

    [Theory]
    [InlineData("[\"stop\",\"length\"]", new[] { StopReasons.EndTurn, StopReasons.MaxTokens })]
    [InlineData("\"tool_calls\"", new[] { StopReasons.ToolUse })]
    [InlineData("\"[\\\"stop\\\"]\"", new[] { StopReasons.EndTurn })]
    [InlineData("[\"SAFETY\",null]", new[] { StopReasons.ContentFiltered })]
    [InlineData("[\"guardrail_intervened\"]", new[] { StopReasons.GuardrailIntervened })]
    [InlineData("[\"something_new\"]", new[] { StopReasons.Unknown })]
    [InlineData("[]", new string[0])]
    [InlineData("null", new string[0])]
    public void Parse_WhenFinishReasonsGiven_ShouldNormaliseToStopReasons(string value, string[] expected)
    {
        var json = Minimal("{\"gen_ai.operation.name\":\"chat\",\"gen_ai.response.finish_reasons\":" + value + "}");

        var span = ParseOne(json);

        Assert.Equal(expected, span.FinishReasons);
    }

    [Fact]
    public void Parse_WhenFinishReasonIsVeryLong_ShouldCountItUnknownWithoutReadingIt()
    {
        var json = Minimal("{\"gen_ai.response.finish_reasons\":[\"" + new string('x', 500) + "\"]}");

        var span = ParseOne(json);

        Assert.Equal(new[] { StopReasons.Unknown }, span.FinishReasons);
    }

    [Fact]
    public void Parse_WhenPropertyNamesAreEscaped_ShouldStillMatchThem()
    {
        var json = Minimal("{\"gen_ai.request.model\":\"m\",\"gen_ai.usage.input\\u005ftokens\":42}", "chat m");

        var span = ParseOne(json);

        Assert.Equal(42, span.InputTokens);
    }

    [Fact]
    public void Parse_WhenTokenCountIsIntegralFloat_ShouldAcceptIt()
    {
        var json = Minimal("{\"gen_ai.usage.input_tokens\":1.2e3,\"gen_ai.usage.output_tokens\":\" 35 \"}");

        var span = ParseOne(json);

        Assert.Equal(1200, span.InputTokens);
        Assert.Equal(35, span.OutputTokens);
    }

    public static TheoryData<string, string, string?> BadInputs() => new()
    {
        { "not json at all", RejectReasons.InvalidJson, null },
        { "", RejectReasons.InvalidJson, "empty" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\"", RejectReasons.InvalidJson, null },
        { Minimal() + " trailing", RejectReasons.InvalidJson, null },
        { "[1,2,3]", RejectReasons.NotAnObject, null },
        { "\"a string\"", RejectReasons.NotAnObject, null },
        { "{\"schemaType\":\"ModelInvocationLog\",\"modelId\":\"m\"}", RejectReasons.UnknownRecordType, null },
        { "{\"spanId\":\"s\",\"name\":\"n\",\"durationNano\":1}", RejectReasons.MissingField, "traceId" },
        { "{\"traceId\":\"t\",\"name\":\"n\",\"durationNano\":1}", RejectReasons.MissingField, "spanId" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"durationNano\":1}", RejectReasons.MissingField, "name" },
        { "{\"traceId\":\"\",\"spanId\":\"s\",\"name\":\"n\",\"durationNano\":1}", RejectReasons.MissingField, "traceId" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\"}", RejectReasons.MissingField, "durationNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"endTimeUnixNano\":1795000000000000000}", RejectReasons.MissingField, "durationNano" },
        { "{\"traceId\":42,\"spanId\":\"s\",\"name\":\"n\",\"durationNano\":1}", RejectReasons.WrongType, "traceId" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":[\"n\"],\"durationNano\":1}", RejectReasons.WrongType, "name" },
        { Minimal("[{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"m\"}}]"), RejectReasons.WrongType, "attributes" },
        { Minimal(extra: "\"resource\":{\"attributes\":\"svc\"}"), RejectReasons.WrongType, "resource.attributes" },
        { Minimal(extra: "\"resource\":{\"attributes\":{\"service.name\":7}}"), RejectReasons.WrongType, "service.name" },
        { Minimal("{\"gen_ai.request.model\":12}"), RejectReasons.WrongType, "gen_ai.request.model" },
        { Minimal("{\"gen_ai.usage.input_tokens\":\"abc\"}"), RejectReasons.WrongType, "gen_ai.usage.input_tokens" },
        { Minimal("{\"gen_ai.usage.output_tokens\":true}"), RejectReasons.WrongType, "gen_ai.usage.output_tokens" },
        { Minimal("{\"gen_ai.usage.prompt_tokens\":{\"n\":1}}"), RejectReasons.WrongType, "gen_ai.usage.prompt_tokens" },
        { Minimal("{\"gen_ai.usage.input_tokens\":12.5}"), RejectReasons.WrongType, "gen_ai.usage.input_tokens" },
        { Minimal("{\"gen_ai.usage.input_tokens\":-5}"), RejectReasons.InvalidTokenCount, "gen_ai.usage.input_tokens" },
        { Minimal("{\"gen_ai.usage.completion_tokens\":\"-5\"}"), RejectReasons.InvalidTokenCount, "gen_ai.usage.completion_tokens" },
        { Minimal("{\"gen_ai.usage.input_tokens\":\"99999999999999999999999\"}"), RejectReasons.InvalidTokenCount, "gen_ai.usage.input_tokens" },
        { Minimal("{\"gen_ai.usage.cache_read_input_tokens\":1e12}"), RejectReasons.InvalidTokenCount, "gen_ai.usage.cache_read_input_tokens" },
        { Minimal("{\"gen_ai.response.finish_reasons\":42}"), RejectReasons.WrongType, "gen_ai.response.finish_reasons" },
        { Minimal("{\"gen_ai.response.finish_reasons\":[\"stop\",7]}"), RejectReasons.WrongType, "gen_ai.response.finish_reasons" },
        { Minimal("{\"gen_ai.tool.status\":false}"), RejectReasons.WrongType, "gen_ai.tool.status" },
        { Minimal(extra: "\"durationNano\":-1"), RejectReasons.InvalidDuration, "durationNano" },
        { Minimal(extra: "\"durationNano\":86400000000001"), RejectReasons.InvalidDuration, "durationNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"startTimeUnixNano\":1795000002000000000,\"endTimeUnixNano\":1795000001000000000}", RejectReasons.InvalidDuration, "endTimeUnixNano-startTimeUnixNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"startTimeUnixNano\":0,\"endTimeUnixNano\":1795000001000000000}", RejectReasons.InvalidTimestamp, "startTimeUnixNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"endTimeUnixNano\":4200000000000000000,\"durationNano\":5}", RejectReasons.InvalidTimestamp, "endTimeUnixNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"endTimeUnixNano\":3.2e19,\"durationNano\":5}", RejectReasons.InvalidTimestamp, "endTimeUnixNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"startTimeUnixNano\":\"soon\",\"durationNano\":5}", RejectReasons.WrongType, "startTimeUnixNano" },
        { "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"n\",\"durationNano\":\"99999999999999999999999\"}", RejectReasons.InvalidDuration, "durationNano" },
        { Minimal(extra: "\"status\":{\"code\":\"BANANA\"}"), RejectReasons.WrongType, "status.code" },
        { Minimal(extra: "\"status\":{\"code\":7}"), RejectReasons.WrongType, "status.code" },
        { Minimal(extra: "\"status\":[2]"), RejectReasons.WrongType, "status.code" },
        { Minimal(extra: "\"kind\":\"SIDEWAYS\""), RejectReasons.WrongType, "kind" },
        { Minimal(extra: "\"kind\":9"), RejectReasons.WrongType, "kind" },
        { Minimal(extra: "\"events\":" + new string('[', 100) + new string(']', 100)), RejectReasons.TooDeep, null },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Parse_WhenInputIsBad_ShouldRejectWithNamedReason(string json, string expectedReason, string? expectedDetail)
    {
        var ev = Event(json, id: "ev-bad");

        var result = SpanParser.Parse(ev);

        Assert.False(result.IsAccepted);
        Assert.Null(result.Span);
        var rejection = Assert.IsType<Rejection>(result.Rejection);
        Assert.Equal(expectedReason, rejection.Reason);
        Assert.Equal("ev-bad", rejection.EventId);
        Assert.Equal(RecordSources.Span, rejection.Source);
        Assert.Equal(1, rejection.Count);
        if (expectedDetail is not null)
        {
            Assert.Equal(expectedDetail, rejection.Detail);
        }
    }

    [Fact]
    public void Parse_WhenRejectingSpansCarryingPromptText_ShouldNeverPutTextInRejection()
    {
        var inputs = new[]
        {
            Minimal("{\"gen_ai.prompt.0.content\":\"" + Canary + "\",\"gen_ai.usage.input_tokens\":\"" + Canary + "\"}"),
            Minimal("{\"gen_ai.request.model\":{\"" + Canary + "\":1}}"),
            Minimal(extra: "\"status\":{\"message\":\"" + Canary + "\",\"code\":\"" + Canary + "\"}"),
            Minimal(extra: "\"kind\":\"" + Canary + "\""),
            "{\"traceId\":\"t\",\"spanId\":\"s\",\"name\":\"" + Canary + "\",\"events\":[{\"attributes\":{\"content\":\"" + Canary + "\"}}]}",
            "{\"" + Canary + "\":\"" + Canary + "\"",
        };

        var rejections = inputs.Select(json => SpanParser.Parse(Event(json)).Rejection).ToList();

        Assert.All(rejections, r =>
        {
            Assert.NotNull(r);
            Assert.DoesNotContain(Canary, r.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, r.Detail ?? "", StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Parse_WhenFixturesCarryPromptAndResponseText_ShouldKeepNoneOfIt()
    {
        var raw = All.SelectMany(Lines).ToList();
        Assert.Contains(raw, line => line.Contains(Canary, StringComparison.Ordinal));

        var spans = ParseAll();

        var strings = spans.SelectMany(StringsOf).ToList();
        Assert.NotEmpty(strings);
        Assert.DoesNotContain(strings, s => s.Contains(Canary, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_WhenMessagesHoldMegabytesOfText_ShouldAllocateFarLessThanTheText()
    {
        var text = string.Concat(Enumerable.Repeat(Canary + " lorem ipsum dolor sit amet ", 40_000));
        var json = Minimal(
            "{\"gen_ai.operation.name\":\"chat\",\"gen_ai.request.model\":\"m\",\"gen_ai.input.messages\":\"" + text + "\",\"gen_ai.usage.input_tokens\":9}",
            "chat m",
            "\"events\":[{\"name\":\"gen_ai.choice\",\"attributes\":{\"message\":\"" + text + "\"}}],\"status\":{\"code\":\"ERROR\",\"message\":\"" + text + "\"}");
        var ev = Event(json);
        SpanParser.Parse(ev);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = SpanParser.Parse(ev);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.IsAccepted);
        Assert.True(ev.Message.Length > 3_000_000);
        Assert.True(allocated < 16 * 1024, $"parsing allocated {allocated} bytes");
    }

    /// <summary>Every string a span record holds, found by reflection so a new property cannot slip past.</summary>
    internal static IEnumerable<string> StringsOf(SpanRecord span)
    {
        foreach (var property in typeof(SpanRecord).GetProperties())
        {
            switch (property.GetValue(span))
            {
                case string text:
                    yield return text;
                    break;
                case IEnumerable<string> list:
                    foreach (var item in list)
                    {
                        yield return item;
                    }

                    break;
            }
        }
    }
}
