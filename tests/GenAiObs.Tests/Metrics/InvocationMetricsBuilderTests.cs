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
        Assert.Equal(1, Sum(batch, total, "InvocationErrors"));
        Assert.Equal(1, Sum(batch, total, "Throttles"));
        Assert.Equal(500, Sum(batch, total, "InputTokens"));
        Assert.Equal(7, Sum(batch, total, "CacheReadTokens"));
        Assert.Equal(3, Sum(batch, total, "CacheWriteTokens"));
        Assert.Equal(0.053, Sum(batch, total, "CostUsd"), 9);
        Assert.Equal(3, Sum(batch, total, "Completions"));
        Assert.Equal(1, Sum(batch, total, "Truncations"));
        Assert.Equal(1, Sum(batch, total, "UnpricedInvocations"));
        Assert.Equal([300.0, 500.0], Values(batch, total, "InvocationLatency"));
        Assert.Equal([90.0], Values(batch, total, "TimeToFirstToken"));
        var haiku = Set(("Service", "chat-api"), ("ModelId", Haiku));
        Assert.Equal(3, Sum(batch, haiku, "Invocations"));
        Assert.Equal(1, Sum(batch, haiku, "Throttles"));
        Assert.Equal(0, Sum(batch, Set(("Service", "chat-api"), ("ModelId", Sonnet)), "InvocationErrors"));
        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("ModelId", "acme.unknown-model-v1")), "UnpricedInvocations"));
    }

    [Fact]
    public void Build_WhenSuccessfulCallsStop_ShouldCountStopReasonsByModelAndOverall()
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

        Assert.Equal(2, Sum(batch, Set(("Service", "chat-api"), ("ModelId", Haiku), ("StopReason", "end_turn")), "StopReasonCount"));
        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("ModelId", Haiku), ("StopReason", "max_tokens")), "StopReasonCount"));
        Assert.Equal(3, Sum(batch, Set(("Service", "chat-api"), ("StopReason", "end_turn")), "StopReasonCount"));
        // A failed call has no stop reason worth counting.
        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.Equals(Set(("Service", "chat-api"), ("StopReason", "unknown"))));
    }

    [Fact]
    public void Build_WhenMorePrincipalsThanTheCap_ShouldKeepTopSpendersAndFoldTheRestIntoOther()
    {
        var invocations = new[]
        {
            Invocation(Haiku, cost: 0.50m, principal: "role/BigSpender"),
            Invocation(Haiku, cost: 0.30m, principal: "role/Second"),
            Invocation(Haiku, cost: 0.30m, principal: "role/Second"),
            Invocation(Haiku, cost: 0.40m, principal: "user/alice"),
            Invocation(Haiku, cost: 0.01m, principal: "user/bob"),
            Invocation(Haiku, cost: 0.01m, principal: "root"),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options with { MaxPrincipals = 2 }, T0.ToUnixTimeMilliseconds());

        var principals = batch.Groups
            .Where(g => g.Key.Dimensions.Pairs.Any(p => p.Key == "Principal"))
            .Select(g => g.Key.Dimensions.Pairs[1].Value)
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(["other", "role/BigSpender", "role/Second"], principals);
        Assert.Equal(2, Sum(batch, Set(("Service", "chat-api"), ("Principal", "role/Second")), "Invocations"));
        Assert.Equal(3, Sum(batch, Set(("Service", "chat-api"), ("Principal", "other")), "Invocations"));
        Assert.Equal(0.42, Sum(batch, Set(("Service", "chat-api"), ("Principal", "other")), "CostUsd"), 9);
    }

    [Fact]
    public void Build_WhenPrincipalCapIsZero_ShouldOmitThePrincipalSet()
    {
        var batch = InvocationMetricsBuilder.Build([Invocation(Haiku, principal: "role/A")], [], Options with { MaxPrincipals = 0 }, T0.ToUnixTimeMilliseconds());

        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.Pairs.Any(p => p.Key == "Principal"));
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

        Assert.Equal(2, Sum(batch, Set(("Service", "chat-api"), ("Team", "search")), "Invocations"));
        Assert.Equal(0.03, Sum(batch, Set(("Service", "chat-api"), ("Team", "search")), "CostUsd"), 9);
        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("Application", "assistant")), "Invocations"));
        Assert.Equal(1, Sum(batch, Set(("Service", "chat-api"), ("Environment", "staging")), "Invocations"));
        Assert.Equal(3, Sum(batch, Set(("Service", "chat-api"), ("Environment", "prod")), "Invocations"));
        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.Pairs.Any(p => p.Key == "Team" && string.IsNullOrWhiteSpace(p.Value)));
    }

    [Fact]
    public void Build_WhenInferenceRegionIsLogged_ShouldPublishLatencyByModelAndRegion()
    {
        var invocations = new[]
        {
            Invocation(Sonnet, latency: 800, ttft: 200, region: "us-east-1"),
            Invocation(Sonnet, latency: 1200, ttft: 250, region: "us-west-2"),
            Invocation(Sonnet, latency: 900, region: "us-west-2"),
            Invocation(Sonnet, latency: 50, region: "us-west-2", errorCode: "ModelErrorException"),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], Options, T0.ToUnixTimeMilliseconds());

        var west = Set(("Service", "chat-api"), ("ModelId", Sonnet), ("InferenceRegion", "us-west-2"));
        Assert.Equal(3, Sum(batch, west, "Invocations"));
        Assert.Equal([1200.0, 900.0], Values(batch, west, "InvocationLatency"));
        Assert.Equal([250.0], Values(batch, west, "TimeToFirstToken"));
        Assert.Equal([800.0], Values(batch, Set(("Service", "chat-api"), ("ModelId", Sonnet), ("InferenceRegion", "us-east-1")), "InvocationLatency"));
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
    public void Build_WhenBatchIsRich_ShouldUseOnlyTheDocumentedDimensionSets()
    {
        var invocations = new[]
        {
            Invocation(Haiku, region: "eu-west-1", metadata: new Dictionary<string, string> { ["team"] = "a", ["application"] = "b" }),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [new Rejection("x", RejectReasons.MissingModelId)], Options with { Environment = "prod" }, T0.ToUnixTimeMilliseconds());

        var sets = batch.Groups.Select(g => string.Join(",", g.Key.Dimensions.Pairs.Select(p => p.Key))).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
        [
            "Service",
            "Service,Application",
            "Service,Environment",
            "Service,ModelId",
            "Service,ModelId,InferenceRegion",
            "Service,ModelId,StopReason",
            "Service,Principal",
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

        var minutes = documents.Where(d => d.DimensionSets[0].SequenceEqual(["Service"])).Select(d => d.Timestamp).Distinct().Order();
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

    private static List<double> Values(MetricBatch batch, DimensionSet dimensions, string metric) =>
        batch.Groups
            .Where(g => g.Key.Dimensions.Equals(dimensions) && g.Value.ContainsKey(metric))
            .OrderBy(g => g.Key.Minute)
            .SelectMany(g => g.Value[metric].Values)
            .ToList();

    private static double Sum(MetricBatch batch, DimensionSet dimensions, string metric) => Values(batch, dimensions, metric).Sum();
}
