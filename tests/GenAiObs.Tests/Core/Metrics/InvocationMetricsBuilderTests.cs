using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Metrics;

public sealed class InvocationMetricsBuilderTests
{
    private const string Haiku = "anthropic.claude-3-haiku-20240307-v1:0";
    private const string Sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-03-02T10:15:07Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly InvocationMetricsOptions Options = new("chat-api", MaxPrincipals: 20);

    [Fact]
    public void Build_WhenBatchHasSuccessesErrorsAndThrottles_ShouldCountThemInTotalsAndByModel()
    {
        var invocations = new[]
        {
            Invocation(Haiku, cost: 0.002m, input: 100, output: 20, cacheRead: 7, cacheWrite: 3, latency: 300, ttft: 90),
            Invocation(Haiku, cost: 0.001m, stopReason: StopReasons.MaxTokens, latency: 500),
            Invocation(Haiku, cost: 0m, errorCode: "ThrottlingException", latency: 10),
            Invocation(Sonnet, cost: 0.05m, stopReason: StopReasons.ToolUse),
            Invocation("acme.unknown-model-v1", cost: 0m, priced: false),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options, T0.ToUnixTimeMilliseconds());

        var total = Set(("Service", "chat-api"));
        Assert.Equal(5, Sum(batch, total, "Invocations"));
        Assert.Equal(7, Sum(batch, total, "CacheReadTokens"));
        Assert.Equal(0.053, Sum(batch, total, "CostUsd"), 9);
        // Completion rate comes from StopReasonCount (end_turn + tool_use against max_tokens): no separate metrics.
        var completions = Sum(batch, Set(("Service", "chat-api"), ("StopReason", "end_turn")), "StopReasonCount") + Sum(batch, Set(("Service", "chat-api"), ("StopReason", "tool_use")), "StopReasonCount");
        Assert.Equal(3, completions);
        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("StopReason", "max_tokens")), "StopReasonCount"));
        Assert.Empty(Values(batch, total, "Completions"));
        Assert.Empty(Values(batch, total, "Truncations"));
        Assert.Equal([90.0], Values(batch, total, "TimeToFirstToken"));

        // What AWS/Bedrock publishes for free is no custom metric here: errors and tokens are properties.
        Assert.Empty(Values(batch, total, "InvocationErrors"));
        Assert.Empty(Values(batch, total, "InputTokens"));
        Assert.Equal(1, PropertySum(batch, total, "InvocationErrors"));
        Assert.Equal(570, PropertySum(batch, total, "Tokens"));

        // Attribution documents carry no metric (plain log lines): invocations and cost are properties
        // there and metrics only in the per-minute total document (no per-principal token split: DynamoDB has it).
        Assert.Equal(5, PropertySum(batch, total, "Invocations"));
        Assert.Equal(0.053, PropertySum(batch, total, "CostUsd"), 9);
        Assert.Equal(0, PropertySum(batch, total, "InputTokens"));
        var attributionMetrics = batch.Groups.Where(g => g.Key.Dimensions.PropertyPairs.Any())
            .SelectMany(g => g.Value.Values.Where(series => !series.IsProperty).Select(series => series.Name)).Distinct();
        Assert.Empty(attributionMetrics);
        Assert.DoesNotContain(batch.Groups, g => g.Value.ContainsKey("Throttles") || g.Value.ContainsKey("InvocationLatency"));

        Assert.Equal(0.003, Sum(batch, Set(("Service", "chat-api"), ("ModelId", Haiku)), "CostUsd"), 9);
        Assert.Equal(0.05, Sum(batch, Set(("Service", "chat-api"), ("ModelId", Sonnet)), "CostUsd"), 9);
        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("ModelId", "acme.unknown-model-v1")), "UnpricedInvocations"));
        Assert.Empty(Values(batch, Set(("Service", "chat-api"), ("ModelId", Haiku)), "UnpricedInvocations"));
    }

    [Fact]
    public void Build_WhenSuccessfulCallsStop_ShouldCountStopReasonsOverall()
    {
        var invocations = new[]
        {
            Invocation(Haiku, stopReason: StopReasons.EndTurn),
            Invocation(Haiku, stopReason: StopReasons.EndTurn),
            Invocation(Haiku, stopReason: StopReasons.MaxTokens),
            Invocation(Sonnet, stopReason: StopReasons.EndTurn),
            Invocation(Sonnet, stopReason: StopReasons.Unknown, errorCode: "ValidationException"),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options, T0.ToUnixTimeMilliseconds());

        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("StopReason", "max_tokens")), "StopReasonCount"));
        Assert.Equal(3, Sum(batch, Set(("Service", "chat-api"), ("StopReason", "end_turn")), "StopReasonCount"));
        // A failed call has no stop reason worth counting.
        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.Equals(Set(("Service", "chat-api"), ("StopReason", "unknown"))));
    }

    [Fact]
    public void Build_WhenManyPrincipalsCall_ShouldKeepEachAsAPropertyOfItsAttributionDocumentAndNeverAsADimension()
    {
        var invocations = new[]
        {
            Invocation(Haiku, cost: 0.50m, principal: "role/Top"),
            Invocation(Sonnet, cost: 0.25m, principal: "role/Top"),
            Invocation(Haiku, cost: 0.125m, principal: "role/Second", input: 1000, output: 200),
            Invocation(Haiku, cost: 0.125m, principal: "role/Second", errorCode: "ModelErrorException"),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options with { MaxPrincipals = 1 }, T0.ToUnixTimeMilliseconds());
        var documents = EmfSpec.ParseAll(new EmfSerializer().Serialize(batch));

        Assert.DoesNotContain(documents, d => d.Dimensions.ContainsKey("Principal"));
        var attribution = documents.Where(d => d.Properties.ContainsKey("Principal")).ToList();
        Assert.All(attribution, d => Assert.False(d.HasDirective, "an attribution document defines a metric"));
        Assert.All(attribution, d => Assert.Equal("chat-api", d.Properties["Service"]));
        Assert.Equal(3, attribution.Count);
        var topHaiku = Assert.Single(attribution, d => d.Properties["Principal"] == "role/Top" && d.Properties["ModelId"] == Haiku);
        Assert.Equal(0.5, topHaiku.PropertyValues["CostUsd"], 9);
        Assert.Equal(1, topHaiku.PropertyValues["Invocations"]);
        Assert.False(topHaiku.PropertyValues.ContainsKey("InvocationErrors"));
        var second = Assert.Single(attribution, d => d.Properties["Principal"] == "role/Second");
        Assert.Equal(2, second.PropertyValues["Invocations"]);
        Assert.Equal(0.125, second.PropertyValues["CostUsd"], 9);
        Assert.Equal(1, second.PropertyValues["InvocationErrors"]);
        Assert.Equal(1100 + 210, second.PropertyValues["Tokens"]);
        Assert.False(second.Values.ContainsKey("Tokens"));
    }

    [Fact]
    public void Build_WhenRequestMetadataNamesTeamApplicationEnvironment_ShouldAttributeUsage()
    {
        var invocations = new[]
        {
            Invocation(Haiku, cost: 0.01m, metadata: new Dictionary<string, string> { ["Team"] = "search", ["APPLICATION"] = "assistant", ["environment"] = "staging" }),
            Invocation(Haiku, cost: 0.02m, metadata: new Dictionary<string, string> { ["team"] = "search" }),
            Invocation(Haiku, cost: 0.04m, metadata: new Dictionary<string, string> { ["team"] = "  " }),
            Invocation(Haiku, cost: 0.08m),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options with { Environment = "prod" }, T0.ToUnixTimeMilliseconds());

        Assert.Equal(0.03, Sum(batch, Set(("Service", "chat-api"), ("Team", "search")), "CostUsd"), 9);
        Assert.Equal(0.01, Sum(batch, Set(("Service", "chat-api"), ("Application", "assistant")), "CostUsd"), 9);
        Assert.Equal(0.01, Sum(batch, Set(("Service", "chat-api"), ("Environment", "staging")), "CostUsd"), 9);
        Assert.Equal(0.14, Sum(batch, Set(("Service", "chat-api"), ("Environment", "prod")), "CostUsd"), 9);
        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.DimensionCount > 1 && g.Key.Dimensions.Pairs[1].Key is "Team" or "Application" or "Environment" && g.Value.ContainsKey("Invocations"));
        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.Pairs.Any(p => p.Key == "Team" && string.IsNullOrWhiteSpace(p.Value)));
    }

    [Fact]
    public void Build_WhenRecordsWereRejected_ShouldCountRejectedRecordsByReason()
    {
        var rejections = new[]
        {
            new Rejection("1", RejectReasons.InvalidJson),
            new Rejection("2", RejectReasons.InvalidJson),
            new Rejection(null, RejectReasons.InvalidGzip, Count: 5),
        };
        var batchTime = T0.ToUnixTimeMilliseconds();

        var batch = InvocationMetricsBuilder.Build([], rejections, Options, batchTime);

        Assert.Equal(7, Sum(batch, Set(("Service", "chat-api")), "RejectedRecords"));
        Assert.Equal(2, Sum(batch, Set(("Service", "chat-api"), ("Reason", "invalid_json")), "RejectedRecords"));
        Assert.Equal(5, Sum(batch, Set(("Service", "chat-api"), ("Reason", "invalid_gzip")), "RejectedRecords"));
    }

    [Fact]
    public void Build_WhenNothingWasRejected_ShouldStillPublishZeroRejectedRecords()
    {
        var batch = InvocationMetricsBuilder.Build([Invocation(Haiku)], [], Options, T0.ToUnixTimeMilliseconds());

        Assert.Equal([0.0], Values(batch, Set(("Service", "chat-api")), "RejectedRecords"));
    }

    [Fact]
    public void Build_WhenTheDeliveryArrivesAMinuteAfterItsRecords_ShouldPublishTheZeroRejectedRecordsInTheRecordsMinute()
    {
        var batch = InvocationMetricsBuilder.Build([Invocation(Haiku)], [], Options, T0.AddMinutes(1).ToUnixTimeMilliseconds());

        var minutes = batch.Groups.Where(g => g.Key.Dimensions.DimensionPairs.SequenceEqual(Set(("Service", "chat-api")).Pairs)).Select(g => g.Key.Minute).Distinct();
        Assert.Equal([T0.ToUnixTimeMilliseconds() - (T0.ToUnixTimeMilliseconds() % 60_000)], minutes);
    }

    [Fact]
    public void Build_WhenBatchIsRich_ShouldUseOnlyTheDocumentedDimensionSets()
    {
        var invocations = new[]
        {
            Invocation(Haiku, region: "eu-west-1", metadata: new Dictionary<string, string> { ["team"] = "a", ["application"] = "b" }),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [new Rejection("x", RejectReasons.MissingModelId)], Options with { Environment = "prod" }, T0.ToUnixTimeMilliseconds());

        var sets = batch.Groups.Select(g => string.Join(",", g.Key.Dimensions.DimensionPairs.Select(p => p.Key))).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
        [
            "Service",
            "Service,Application",
            "Service,Environment",
            "Service,ModelId",
            "Service,Reason",
            "Service,StopReason",
            "Service,Team",
        ], sets);
    }

    [Fact]
    public void Build_WhenRecordsSpanMinutes_ShouldGroupByEventMinute()
    {
        var invocations = new[] { Invocation(Haiku, at: T0), Invocation(Haiku, at: T0.AddMinutes(3)) };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options, T0.ToUnixTimeMilliseconds());
        var documents = EmfSpec.ParseAll(new EmfSerializer().Serialize(batch));

        var minutes = documents.Where(d => d.HasDimensions(["Service"])).Select(d => d.Timestamp).Distinct().Order();
        var first = T0.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        Assert.Equal([first, first + 180_000], minutes);
    }

    [Fact]
    public void Build_WhenCalledTwiceWithTheSameInput_ShouldSerializeIdentically()
    {
        var invocations = Enumerable.Range(0, 50)
            .Select(i => Invocation(i % 3 == 0 ? Haiku : Sonnet, cost: i * 0.001m, principal: $"role/R{i % 7}", latency: i * 10, at: T0.AddSeconds(i * 5)))
            .ToArray();

        var first = new EmfSerializer().Serialize(InvocationMetricsBuilder.Build(invocations, [], Options with { MaxPrincipals = 3 }, 0));
        var second = new EmfSerializer().Serialize(InvocationMetricsBuilder.Build(invocations, [], Options with { MaxPrincipals = 3 }, 0));

        Assert.Equal(first.Select(Convert.ToBase64String), second.Select(Convert.ToBase64String));
    }

    private static PricedInvocation Invocation(
        string model,
        decimal cost = 0.001m,
        bool priced = true,
        string stopReason = StopReasons.EndTurn,
        string? errorCode = null,
        long input = 100,
        long output = 10,
        long cacheRead = 0,
        long cacheWrite = 0,
        double? latency = null,
        double? ttft = null,
        string principal = "role/app",
        string? region = null,
        IReadOnlyDictionary<string, string>? metadata = null,
        DateTimeOffset? at = null) =>
        new(
            new InvocationRecord
            {
                EventId = Guid.NewGuid().ToString("N"),
                Timestamp = at ?? T0,
                Operation = "Converse",
                ModelId = model,
                Principal = principal,
                InputTokens = input,
                OutputTokens = output,
                CacheReadTokens = cacheRead,
                CacheWriteTokens = cacheWrite,
                StopReason = stopReason,
                ErrorCode = errorCode,
                LatencyMs = latency,
                TimeToFirstTokenMs = ttft,
                InferenceRegion = region,
                RequestMetadata = metadata,
            },
            errorCode is null ? cost : 0m,
            priced,
            priced ? model : null);

    private static DimensionSet Set(params (string Name, string Value)[] pairs) => DimensionSet.Of(pairs);

    /// <summary>The metric's values under exactly these dimensions (whatever properties the documents carry).</summary>
    private static List<double> Values(MetricBatch batch, DimensionSet dimensions, string metric) =>
        batch.Groups
            .Where(g => g.Key.Dimensions.DimensionPairs.SequenceEqual(dimensions.Pairs) && g.Value.TryGetValue(metric, out var series) && !series.IsProperty)
            .OrderBy(g => g.Key.Minute)
            .SelectMany(g => g.Value[metric].Values)
            .ToList();

    private static double Sum(MetricBatch batch, DimensionSet dimensions, string metric) => Values(batch, dimensions, metric).Sum();

    private static double PropertySum(MetricBatch batch, DimensionSet dimensions, string property) =>
        batch.Groups
            .Where(g => g.Key.Dimensions.DimensionPairs.SequenceEqual(dimensions.Pairs) && g.Value.TryGetValue(property, out var series) && series.IsProperty)
            .Sum(g => g.Value[property].Values.Sum());
}
