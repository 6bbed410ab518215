using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>The public invocation-metric catalogue (what dashboards and alarms are checked against) against what the builder emits.</summary>
public sealed class InvocationMetricCatalogueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 15, 7, TimeSpan.Zero);

    [Fact]
    public void Catalogue_WhenEveryPathOfTheBuilderRuns_ShouldListExactlyTheEmittedNamesAndDimensionSets()
    {
        var invocations = new[]
        {
            Invocation(metadata: new Dictionary<string, string> { ["team"] = "support", ["Application"] = "bot", ["environment"] = "prod" }, region: "us-east-2", latency: 900, ttft: 120, cacheRead: 500, cacheWrite: 100),
            Invocation(errorCode: "ThrottlingException"),
            Invocation(stopReason: StopReasons.MaxTokens, latency: 1500),
            Invocation(priced: false),
            Invocation(perUnit: new UnitQuote("image", 2, "standard/1024x1024", 0.08m, Priced: true)),
            Invocation(perUnit: new UnitQuote("second", 12, "any", 0.96m, Priced: true)),
        };
        var rejections = new[] { new Rejection("e9", RejectReasons.InvalidGzip, "body") };

        var batch = InvocationMetricsBuilder.Build(invocations, rejections, new InvocationMetricsOptions("svc", MaxPrincipals: 5), T0.ToUnixTimeMilliseconds());

        var emitted = batch.Groups
            .SelectMany(g => g.Value.Values.Where(s => !s.IsProperty).Select(s => $"{s.Name}:{string.Join(",", g.Key.Dimensions.DimensionPairs.Select(p => p.Key))}"))
            .ToHashSet(StringComparer.Ordinal);
        var catalogued = InvocationMetricNames.Catalogue
            .SelectMany(m => m.Value.Select(set => $"{m.Key}:{string.Join(",", set)}"))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(catalogued.Order(StringComparer.Ordinal), emitted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Build_WhenNoCallMadeImagesOrVideo_ShouldPublishNoPerUnitMetric()
    {
        var invocations = new[]
        {
            Invocation(),
            Invocation(priced: false),
            Invocation(perUnit: new UnitQuote("image", 0, "any", 0m, Priced: true)),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], new InvocationMetricsOptions("svc"), T0.ToUnixTimeMilliseconds());

        var names = batch.Groups.SelectMany(g => g.Value.Values.Select(s => s.Name)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(InvocationMetricNames.CostUsd, names);
        Assert.DoesNotContain(InvocationMetricNames.ImagesGenerated, names);
        Assert.DoesNotContain(InvocationMetricNames.VideoSeconds, names);
        Assert.DoesNotContain(InvocationMetricNames.PerUnitCostUsd, names);
    }

    private static PricedInvocation Invocation(
        string stopReason = StopReasons.EndTurn,
        string? errorCode = null,
        IReadOnlyDictionary<string, string>? metadata = null,
        string? region = null,
        double? latency = null,
        double? ttft = null,
        long cacheRead = 0,
        long cacheWrite = 0,
        bool priced = true,
        UnitQuote? perUnit = null) =>
        new(
            new InvocationRecord
            {
                EventId = Guid.NewGuid().ToString("N"),
                Timestamp = T0,
                Operation = "Converse",
                ModelId = "anthropic.claude-3-haiku-20240307-v1:0",
                Principal = "role/app",
                InputTokens = 1200,
                OutputTokens = 300,
                CacheReadTokens = cacheRead,
                CacheWriteTokens = cacheWrite,
                StopReason = stopReason,
                ErrorCode = errorCode,
                LatencyMs = latency,
                TimeToFirstTokenMs = ttft,
                InferenceRegion = region,
                RequestMetadata = metadata,
            },
            errorCode is null && priced ? 0.0012m + (perUnit?.CostUsd ?? 0m) : 0m,
            priced && perUnit is null,
            priced ? "anthropic.claude-3-haiku" : null,
            NotTokenPriced: perUnit is not null)
        {
            PerUnit = perUnit,
        };
}
