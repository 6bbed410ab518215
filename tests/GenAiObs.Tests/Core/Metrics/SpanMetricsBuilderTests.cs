using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;
using Xunit;
using static GenAiObs.Tests.Spans.SpanFixtures;

namespace GenAiObs.Tests.Spans;

public class SpanMetricsBuilderTests
{
    private const long Now = 1_795_000_100_000;
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);

    [Fact]
    public void Build_WhenStrandsTrace_ShouldCountAgentModelAndToolSpansByService()
    {
        var spans = Priced(Parse(Strands));
        var builder = new SpanMetricsBuilder();

        var batch = builder.Build(spans, [], Now);

        var service = Dims(("Service", "weather_assistant.DEFAULT"), ("Environment", "bedrock-agentcore:default"));
        Assert.Equal(2, Sum(batch, service, "AgentInvocations"));
        Assert.Equal(1, Sum(batch, service, "AgentErrors"));
        Assert.Equal(3, Sum(batch, service, "ModelCalls"));
        Assert.Equal(0, Sum(batch, service, "ModelCallErrors"));
        Assert.Equal(2, Sum(batch, service, "ToolCalls"));
        Assert.Equal(1, Sum(batch, service, "ToolErrors"));
        Assert.Equal(1980 + 2230 + 950, Sum(batch, service, "SpanInputTokens"));
        Assert.Equal(119 + 269 + 64, Sum(batch, service, "SpanOutputTokens"));
        Assert.Equal(1024, Sum(batch, service, "SpanCacheReadTokens"));
        Assert.Equal(256, Sum(batch, service, "SpanCacheWriteTokens"));
        Assert.Equal(2, Sum(batch, service, "Sessions"));
    }

    [Fact]
    public void Build_WhenModelCalls_ShouldPublishLatencyValuesAndTokensByModel()
    {
        var spans = Priced(Parse(Strands));

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var sonnet = Dims(("Service", "weather_assistant.DEFAULT"), ("Environment", "bedrock-agentcore:default"), ("ModelId", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
        var latency = Values(batch, sonnet, "ModelCallLatency");
        Assert.Equal([2644.916837, 3120.4], latency.Order().Select(v => Math.Round(v, 6)).ToArray());
        Assert.Equal(MetricUnit.Milliseconds, Series(batch, sonnet, "ModelCallLatency").First().Unit);
        Assert.Equal(2, Sum(batch, sonnet, "ModelCalls"));
        Assert.Equal(4210, Sum(batch, sonnet, "SpanInputTokens"));
        Assert.Equal(388, Sum(batch, sonnet, "SpanOutputTokens"));
    }

    [Fact]
    public void Build_WhenToolSpans_ShouldPublishCallsErrorsAndLatencyByToolName()
    {
        var spans = Priced(Parse(Strands).Concat(Parse(LangChain)).ToList());

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var forecast = Dims(("Service", "weather_assistant.DEFAULT"), ("Environment", "bedrock-agentcore:default"), ("ToolName", "get_forecast"));
        var kb = Dims(("Service", "support-bot"), ("Environment", "staging"), ("ToolName", "search_kb"));
        Assert.Equal(1, Sum(batch, forecast, "ToolCalls"));
        Assert.Equal(1, Sum(batch, forecast, "ToolErrors"));
        Assert.Equal([1311.0], Values(batch, forecast, "ToolLatency"));
        Assert.Equal(1, Sum(batch, kb, "ToolErrors"));
    }

    [Fact]
    public void Build_WhenSpansOfEveryClass_ShouldPublishComponentLatencyByFamily()
    {
        var spans = Priced(Parse(Adot).Concat(Parse(Strands)).ToList());

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var components = batch.Groups
            .Where(g => g.Value.ContainsKey("ComponentLatency"))
            .Select(g => g.Key.Dimensions.Pairs.Single(p => p.Key == "Component").Value)
            .ToHashSet();
        Assert.Contains("agent", components);
        Assert.Contains("model:anthropic.claude-3-5-haiku-20241022-v1:0", components);
        Assert.Contains("tool:get_weather", components);
        Assert.Contains("other:POST", components);
        Assert.Contains("other:DynamoDB.GetItem", components);
        Assert.Contains("other:execute_event_loop_cycle", components);
        var total = batch.Groups.Where(g => g.Value.ContainsKey("ComponentLatency")).Sum(g => g.Value["ComponentLatency"].Values.Count);
        Assert.Equal(spans.Count, total);
    }

    [Fact]
    public void Build_WhenFinishReasons_ShouldCountNormalisedReasonsOfModelCalls()
    {
        var spans = Priced(Parse(Adot).Concat(Parse(Strands)).ToList());

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var claims = new[] { ("Service", "claims-api"), ("Environment", "prod") };
        Assert.Equal(2, Sum(batch, Dims([.. claims, ("FinishReason", StopReasons.EndTurn)]), "FinishReasonCount"));
        Assert.Equal(1, Sum(batch, Dims([.. claims, ("FinishReason", StopReasons.MaxTokens)]), "FinishReasonCount"));
        var weather = new[] { ("Service", "weather_assistant.DEFAULT"), ("Environment", "bedrock-agentcore:default") };
        Assert.Equal(1, Sum(batch, Dims([.. weather, ("FinishReason", StopReasons.ToolUse)]), "FinishReasonCount"));
        Assert.Equal(2, Sum(batch, Dims([.. weather, ("FinishReason", StopReasons.EndTurn)]), "FinishReasonCount"));
    }

    [Fact]
    public void Build_WhenSessionsSeen_ShouldPublishOneValuePerSession()
    {
        var spans = new List<PricedSpan>();
        for (var i = 0; i < 5; i++)
        {
            spans.Add(new PricedSpan(Span(SpanClass.ModelCall, session: "s1", minuteOffset: i), 0, true));
        }

        spans.Add(new PricedSpan(Span(SpanClass.ModelCall, session: "s2"), 0, true));
        spans.Add(new PricedSpan(Span(SpanClass.Tool, session: "s3"), 0, true));
        spans.Add(new PricedSpan(Span(SpanClass.ModelCall, session: null), 0, true));

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var service = Dims(("Service", "svc"), ("Environment", "prod"));
        Assert.Equal(3, Sum(batch, service, "Sessions"));
        Assert.Equal([0.0, 1.0, 5.0], Values(batch, service, "ModelCallsPerSession").Order().ToArray());
        Assert.Equal(MetricUnit.Count, Series(batch, service, "ModelCallsPerSession").First().Unit);
    }

    [Fact]
    public void Build_WhenModelCallsPriced_ShouldPublishAgentModelCostUsdAndUnpricedCalls()
    {
        var spans = new List<PricedSpan>
        {
            new(Span(SpanClass.ModelCall, model: "a"), 0.25m, true),
            new(Span(SpanClass.ModelCall, model: "a"), 0.50m, true),
            new(Span(SpanClass.ModelCall, model: "b"), 0m, false),
            new(Span(SpanClass.Agent), 0m, true),
        };

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var service = Dims(("Service", "svc"), ("Environment", "prod"));
        Assert.Equal(0.75, Sum(batch, service, "AgentModelCostUsd"), 9);
        Assert.Equal(MetricUnit.None, Series(batch, service, "AgentModelCostUsd").First().Unit);
        Assert.Equal(1, Sum(batch, service, "UnpricedModelCalls"));
        Assert.Equal(0.75, Sum(batch, Dims(("Service", "svc"), ("Environment", "prod"), ("ModelId", "a")), "AgentModelCostUsd"), 9);
        Assert.Equal(1, Sum(batch, Dims(("Service", "svc"), ("Environment", "prod"), ("ModelId", "b")), "UnpricedModelCalls"));
        Assert.DoesNotContain(batch.Groups, g => g.Value.ContainsKey("CostUsd"));
    }

    [Fact]
    public void Build_WhenMoreToolsThanCap_ShouldKeepTopByVolumeAndFoldRestIntoOther()
    {
        var spans = new List<PricedSpan>();
        for (var tool = 0; tool < 30; tool++)
        {
            // tool-00 has 30 calls, tool-01 29 … so the top three are tool-00..02.
            for (var call = 0; call < 30 - tool; call++)
            {
                spans.Add(new PricedSpan(Span(SpanClass.Tool, tool: $"tool-{tool:00}"), 0, true));
            }
        }

        var batch = new SpanMetricsBuilder(new SpanMetricsOptions(MaxDimensionValues: 3)).Build(spans, [], Now);

        var toolNames = batch.Groups
            .SelectMany(g => g.Key.Dimensions.Pairs)
            .Where(p => p.Key == "ToolName")
            .Select(p => p.Value)
            .ToHashSet();
        Assert.Equal(new HashSet<string> { "tool-00", "tool-01", "tool-02", SpanMetricsBuilder.OtherValue }, toolNames);
        var other = Dims(("Service", "svc"), ("Environment", "prod"), ("ToolName", "other"));
        Assert.Equal(spans.Count - 30 - 29 - 28, Sum(batch, other, "ToolCalls"));
        var components = batch.Groups.SelectMany(g => g.Key.Dimensions.Pairs).Where(p => p.Key == "Component").Select(p => p.Value).ToHashSet();
        Assert.Equal(4, components.Count);
        Assert.Contains("tool:other", components);
    }

    [Fact]
    public void Build_WhenMoreModelsAndServicesThanCap_ShouldCapEachDimension()
    {
        var spans = new List<PricedSpan>();
        for (var i = 0; i < 10; i++)
        {
            spans.Add(new PricedSpan(Span(SpanClass.ModelCall, model: $"model-{i}", service: $"svc-{i}"), 0, true));
            spans.Add(new PricedSpan(Span(SpanClass.ModelCall, model: "model-0", service: "svc-0"), 0, true));
        }

        var batch = new SpanMetricsBuilder(new SpanMetricsOptions(MaxDimensionValues: 2)).Build(spans, [], Now);

        string[] Distinct(string dimension) => batch.Groups.Where(g => !g.Value.ContainsKey("RejectedRecords")).SelectMany(g => g.Key.Dimensions.Pairs)
            .Where(p => p.Key == dimension).Select(p => p.Value).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["model-0", "model-1", "other"], Distinct("ModelId"));
        Assert.Equal(["other", "svc-0", "svc-1"], Distinct("Service"));
    }

    [Fact]
    public void Build_WhenAttributesMissing_ShouldUseUnknownDimensionValues()
    {
        var span = Span(SpanClass.ModelCall, model: null, service: null) with { Environment = "" };

        var batch = new SpanMetricsBuilder().Build([new PricedSpan(span, 0, false)], [], Now);

        Assert.Equal(1, Sum(batch, Dims(("Service", "unknown"), ("Environment", "unknown"), ("ModelId", "unknown")), "ModelCalls"));
    }

    [Fact]
    public void Build_WhenEnvironmentMissingAndDefaultConfigured_ShouldUseDefault()
    {
        var span = Span(SpanClass.Agent) with { Environment = null };

        var batch = new SpanMetricsBuilder(new SpanMetricsOptions(DefaultEnvironment: "prod-eu")).Build([new PricedSpan(span, 0, true)], [], Now);

        Assert.Equal(1, Sum(batch, Dims(("Service", "svc"), ("Environment", "prod-eu")), "AgentInvocations"));
    }

    [Fact]
    public void Build_WhenRejections_ShouldCountThemByReason()
    {
        var rejections = new List<Rejection>
        {
            new("e1", RejectReasons.WrongType, "kind", Source: RecordSources.Span),
            new("e2", RejectReasons.WrongType, "status.code", Source: RecordSources.Span),
            new(null, RejectReasons.InvalidGzip, Count: 5),
        };

        var batch = new SpanMetricsBuilder(new SpanMetricsOptions(PipelineServiceName: "obs")).Build([], rejections, Now);

        Assert.Equal(2, Sum(batch, Dims(("Service", "obs"), ("Reason", RejectReasons.WrongType)), "RejectedRecords"));
        Assert.Equal(5, Sum(batch, Dims(("Service", "obs"), ("Reason", RejectReasons.InvalidGzip)), "RejectedRecords"));
        Assert.Equal(7, Sum(batch, Dims(("Service", "obs")), "RejectedRecords"));
    }

    [Fact]
    public void Build_WhenNoRejections_ShouldStillPublishZeroRejectedRecords()
    {
        var batch = new SpanMetricsBuilder().Build([], [], Now);

        var series = Assert.Single(Series(batch, Dims(("Service", SpanMetricsOptions.DefaultPipelineServiceName)), "RejectedRecords"));
        Assert.Equal([0.0], series.Values);
    }

    [Fact]
    public void Build_WhenSpansEndInDifferentMinutes_ShouldGroupByEventMinute()
    {
        var spans = new List<PricedSpan>
        {
            new(Span(SpanClass.Agent, minuteOffset: 0), 0, true),
            new(Span(SpanClass.Agent, minuteOffset: 3), 0, true),
        };

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var minutes = batch.Groups.Where(g => g.Value.ContainsKey("AgentInvocations")).Select(g => g.Key.Minute).Distinct().Order().ToArray();
        Assert.Equal(2, minutes.Length);
        Assert.Equal(3 * 60_000, minutes[1] - minutes[0]);
    }

    [Fact]
    public void Build_WhenFixturesCarryPromptText_ShouldNeverPutItInDimensions()
    {
        var spans = Priced(ParseAll());

        var batch = new SpanMetricsBuilder().Build(spans, [], Now);

        var values = batch.Groups.SelectMany(g => g.Key.Dimensions.Pairs).SelectMany(p => new[] { p.Key, p.Value }).ToList();
        Assert.NotEmpty(values);
        Assert.DoesNotContain(values, v => v.Contains(Canary, StringComparison.Ordinal));
    }

    [Fact]
    public void Catalogue_WhenEveryMetricIsEmitted_ShouldListExactlyTheEmittedNamesAndDimensionSets()
    {
        var spans = Priced(ParseAll());
        var rejections = new List<Rejection> { new("e", RejectReasons.WrongType, "kind", Source: RecordSources.Span) };

        var batch = new SpanMetricsBuilder().Build(spans, rejections, Now);

        var emitted = batch.Groups
            .SelectMany(g => g.Value.Keys.Select(name => $"{name}:{string.Join(",", g.Key.Dimensions.DimensionPairs.Select(p => p.Key))}"))
            .ToHashSet();
        var catalogued = SpanMetricNames.Catalogue
            .SelectMany(m => m.Value.Select(set => $"{m.Key}:{string.Join(",", set)}"))
            .ToHashSet();
        Assert.Equal(catalogued.Order(StringComparer.Ordinal), emitted.Order(StringComparer.Ordinal));
    }

    private static List<PricedSpan> Priced(IReadOnlyList<SpanRecord> spans) =>
        spans.Select(s => new PricedSpan(s, 0m, true)).ToList();

    private static DimensionSet Dims(params (string Name, string Value)[] pairs) => DimensionSet.Of(pairs);

    private static IEnumerable<MetricSeries> Series(MetricBatch batch, DimensionSet dimensions, string name) =>
        batch.Groups.Where(g => g.Key.Dimensions.Equals(dimensions) && g.Value.ContainsKey(name)).Select(g => g.Value[name]);

    private static double Sum(MetricBatch batch, DimensionSet dimensions, string name) =>
        Series(batch, dimensions, name).Sum(s => s.Values.Sum());

    private static double[] Values(MetricBatch batch, DimensionSet dimensions, string name) =>
        Series(batch, dimensions, name).SelectMany(s => s.Values).ToArray();

    private static SpanRecord Span(SpanClass spanClass, string? session = "s", string? model = "m", string? tool = "t", string? service = "svc", int minuteOffset = 0) => new()
    {
        EventId = "e",
        TraceId = "t",
        SpanId = "s",
        Name = "n",
        Class = spanClass,
        End = End.AddMinutes(minuteOffset),
        DurationMs = 100,
        ServiceName = service,
        Environment = "prod",
        Model = model,
        ToolName = tool,
        SessionId = session,
    };
}
