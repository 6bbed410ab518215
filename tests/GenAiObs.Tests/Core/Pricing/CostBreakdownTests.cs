using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>The FinOps dollar metrics: the cost split by token kind and the cache savings, from the price table.</summary>
public sealed class CostBreakdownTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    [Fact]
    public void Quote_WhenSplitIntoParts_ShouldPriceEachTokenKindAndTheCacheSavings()
    {
        // claude-3-5-haiku: input 0.80, output 4.00, cache read 0.08, cache write 1.00 per million; no regional multiplier.
        var quote = Prices.Quote("anthropic.claude-3-5-haiku-20241022-v1:0", 1000, 500, 10_000, 2000, out var parts);

        Assert.Equal(0.0008m, parts.InputUsd);
        Assert.Equal(0.002m, parts.OutputUsd);
        Assert.Equal(0.0008m, parts.CacheReadUsd);
        Assert.Equal(0.002m, parts.CacheWriteUsd);
        // 10 000 cache-read tokens at 0.80 instead of 0.08 per million.
        Assert.Equal(0.0072m, parts.CacheSavingsUsd);
        Assert.Equal(quote.CostUsd, parts.TotalUsd);
    }

    [Fact]
    public void Quote_WhenTheRegionalMultiplierApplies_ShouldApplyItToEveryPart()
    {
        // In-region profile of Sonnet 4.5: 1.1 × (1200×3 + 310×15 + 800×0.3) / 10⁶ = 0.009339 (BatchProcessorTests).
        var quote = Prices.Quote("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1200, 310, 800, 0, out var parts);

        Assert.Equal(0.009339m, quote.CostUsd);
        Assert.Equal(0.00396m, parts.InputUsd);
        Assert.Equal(0.005115m, parts.OutputUsd);
        Assert.Equal(0.000264m, parts.CacheReadUsd);
        Assert.Equal(1.1m * 800 * 2.7m / 1_000_000m, parts.CacheSavingsUsd);
        Assert.Equal(quote.CostUsd, parts.TotalUsd);
    }

    [Fact]
    public void Quote_ForEveryModelOfTheDefaultTable_ShouldSplitIntoPartsThatAddUpExactly()
    {
        var tokenCases = new (long Input, long Output, long CacheRead, long CacheWrite)[]
        {
            (0, 0, 0, 0), (1, 1, 1, 1), (1_234_567, 98_765, 4_321_000, 77_777), (long.MaxValue / 1_000_000_000, 3, 5, 7),
        };

        foreach (var model in Prices.ModelKeys)
        {
            foreach (var (input, output, cacheRead, cacheWrite) in tokenCases)
            {
                var quote = Prices.Quote(model, input, output, cacheRead, cacheWrite, out var parts);

                Assert.True(quote.CostUsd == parts.TotalUsd, $"{model} {input}/{output}/{cacheRead}/{cacheWrite}: {quote.CostUsd} vs parts {parts.TotalUsd}");
                Assert.True(parts.CacheSavingsUsd >= 0, $"{model}: negative cache savings");
                Assert.Equal(quote, Prices.Quote(model, input, output, cacheRead, cacheWrite));
            }
        }
    }

    [Fact]
    public void Quote_WhenTheModelHasNoPriceOrNoCachePrice_ShouldGiveZeroPartsOrZeroSavings()
    {
        Prices.Quote("acme.unknown-model-v1", 100, 100, 100, 100, out var unpriced);
        Prices.Quote("meta.llama3-3-70b-instruct-v1:0", 100, 100, 100, 0, out var noCachePrice);

        Assert.Equal(default, unpriced);
        Assert.Equal(0m, noCachePrice.CacheSavingsUsd);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenRecordsArePriced_ShouldCarryPartsThatAddUpToTheCostAndZeroForErrors()
    {
        var names = TestEvents.AllFixtureNames().ToList();
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(names.Select(TestEvents.CompactFixture).ToArray()));

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);

        Assert.All(result.Invocations, i => Assert.Equal(i.CostUsd, i.Breakdown.TotalUsd));
        Assert.All(result.Invocations.Where(i => i.Record.IsError), i => Assert.Equal(default, i.Breakdown));
        Assert.Contains(result.Invocations, i => i.Breakdown.CacheSavingsUsd > 0);
    }

    [Fact]
    public void Build_WhenInvocationsCarryParts_ShouldPublishThemInTotalsAndCostByModel()
    {
        var quoteA = Prices.Quote("anthropic.claude-3-5-haiku-20241022-v1:0", 1000, 500, 10_000, 2000, out var partsA);
        var quoteB = Prices.Quote("anthropic.claude-sonnet-4-20250514-v1:0", 2000, 100, 0, 5000, out var partsB);
        var invocations = new[]
        {
            Invocation("anthropic.claude-3-5-haiku-20241022-v1:0", quoteA.CostUsd, partsA),
            Invocation("anthropic.claude-sonnet-4-20250514-v1:0", quoteB.CostUsd, partsB),
            Invocation("anthropic.claude-sonnet-4-20250514-v1:0", 0m, default, errorCode: "ThrottlingException"),
        };

        var batch = InvocationMetricsBuilder.Build(invocations, [], new InvocationMetricsOptions("svc"), 0);

        // Absolute figures from the published per-million prices, so a bug the price table and the
        // metrics builder share still fails. Haiku 3.5 ($0.80 / $4 / $0.08 / $1): input 1,000 × 0.80
        // = $0.0008, output 500 × 4 = $0.002, cache read 10,000 × 0.08 = $0.0008, cache write 2,000 × 1
        // = $0.002, savings 10,000 × (0.80 − 0.08) = $0.0072. Sonnet 4 ($3 / $15 / $0.30 / $3.75): input
        // 2,000 × 3 = $0.006, output 100 × 15 = $0.0015, cache write 5,000 × 3.75 = $0.01875, total
        // $0.02625. The throttled call adds nothing.
        var total = DimensionSet.Of(("Service", "svc"));
        Assert.Equal(0.0068, Sum(batch, total, "InputCostUsd"), 12);
        Assert.Equal(0.0035, Sum(batch, total, "OutputCostUsd"), 12);
        Assert.Equal(0.0008, Sum(batch, total, "CacheReadCostUsd"), 12);
        Assert.Equal(0.02075, Sum(batch, total, "CacheWriteCostUsd"), 12);
        Assert.Equal(0.0072, Sum(batch, total, "CacheSavingsUsd"), 12);
        Assert.Equal(0.03185, Sum(batch, total, "CostUsd"), 12);
        Assert.Equal(0.02625, Sum(batch, DimensionSet.Of(("Service", "svc"), ("ModelId", "anthropic.claude-sonnet-4-20250514-v1:0")), "CostUsd"), 12);
        Assert.Equal((double)(partsA.InputUsd + partsB.InputUsd), Sum(batch, total, "InputCostUsd"), 12);
        Assert.Equal((double)(partsA.OutputUsd + partsB.OutputUsd), Sum(batch, total, "OutputCostUsd"), 12);
        Assert.Equal((double)partsA.CacheReadUsd, Sum(batch, total, "CacheReadCostUsd"), 12);
        Assert.Equal((double)(partsA.CacheWriteUsd + partsB.CacheWriteUsd), Sum(batch, total, "CacheWriteCostUsd"), 12);
        Assert.Equal((double)partsA.CacheSavingsUsd, Sum(batch, total, "CacheSavingsUsd"), 12);
        Assert.Equal(
            Sum(batch, total, "CostUsd"),
            Sum(batch, total, "InputCostUsd") + Sum(batch, total, "OutputCostUsd") + Sum(batch, total, "CacheReadCostUsd") + Sum(batch, total, "CacheWriteCostUsd"),
            12);
        var sonnet = DimensionSet.Of(("Service", "svc"), ("ModelId", "anthropic.claude-sonnet-4-20250514-v1:0"));
        Assert.Equal((double)quoteB.CostUsd, Sum(batch, sonnet, "CostUsd"), 12);

        // By model, only the total is a metric; the uncached-input part and the savings per model are
        // properties of the attribution documents (the dashboard's Logs Insights widgets sum them).
        Assert.DoesNotContain(batch.Groups, g => g.Key.Dimensions.DimensionCount > 1 && g.Value.ContainsKey("InputCostUsd"));
        var sonnetDocuments = batch.Groups.Where(g => g.Key.Dimensions.PropertyPairs.Contains(new("ModelId", "anthropic.claude-sonnet-4-20250514-v1:0"))).ToList();
        Assert.All(sonnetDocuments, g => Assert.True(g.Value["InputCostUsd"].IsProperty));
        Assert.Equal((double)partsB.InputUsd, sonnetDocuments.Sum(g => g.Value["InputCostUsd"].Values.Sum()), 12);
    }

    /// <summary>The metric under exactly these dimensions (numeric properties of attribution documents are no metric).</summary>
    private static double Sum(MetricBatch batch, DimensionSet dimensions, string name) =>
        batch.Groups.Where(g => g.Key.Dimensions.DimensionPairs.SequenceEqual(dimensions.Pairs) && g.Value.TryGetValue(name, out var series) && !series.IsProperty)
            .Sum(g => g.Value[name].Values.Sum());

    private static PricedInvocation Invocation(string model, decimal cost, CostBreakdown parts, string? errorCode = null) =>
        new(
            new InvocationRecord
            {
                EventId = Guid.NewGuid().ToString("N"),
                Timestamp = new DateTimeOffset(2026, 3, 2, 10, 15, 7, TimeSpan.Zero),
                Operation = "Converse",
                ModelId = model,
                Principal = "role/app",
                StopReason = StopReasons.EndTurn,
                ErrorCode = errorCode,
            },
            cost,
            true,
            model,
            parts);
}
