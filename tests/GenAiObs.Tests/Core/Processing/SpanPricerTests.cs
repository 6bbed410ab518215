using System.Text;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;
using static GenAiObs.Tests.Spans.SpanFixtures;

namespace GenAiObs.Tests.Spans;

public class SpanPricerTests
{
    private static readonly PriceTable Prices = PriceTable.Parse(Encoding.UTF8.GetBytes(
        "{\"currency\":\"USD\",\"effectiveDate\":\"2026-11-01\",\"models\":{" +
        "\"anthropic.claude-sonnet-4-5-20250929-v1:0\":{\"inputPerMillion\":3.0,\"outputPerMillion\":15.0,\"cacheReadPerMillion\":0.3,\"cacheWritePerMillion\":3.75,\"regionalMultiplier\":1.1}," +
        "\"anthropic.claude-3-haiku-20240307-v1:0\":{\"inputPerMillion\":0.25,\"outputPerMillion\":1.25}}," +
        "\"inferenceProfiles\":{}}"));

    [Fact]
    public void Price_WhenModelCallHasCacheTokens_ShouldPriceUncachedInputSeparately()
    {
        var span = Span(SpanClass.ModelCall, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", input: 1980, output: 119, cacheRead: 1024, cacheWrite: 256);

        var priced = SpanPricer.Price(span, Prices);

        // 1.1 × (700×3 + 119×15 + 1024×0.3 + 256×3.75) / 10⁶
        var expected = 1.1m * ((700m * 3.0m) + (119m * 15.0m) + (1024m * 0.3m) + (256m * 3.75m)) / 1_000_000m;
        Assert.True(priced.Priced);
        Assert.Equal(expected, priced.CostUsd);
    }

    [Fact]
    public void Price_WhenCacheTokensExceedInput_ShouldClampUncachedInputAtZero()
    {
        var span = Span(SpanClass.ModelCall, "anthropic.claude-3-haiku-20240307-v1:0", input: 100, output: 10, cacheRead: 150, cacheWrite: 0);

        var priced = SpanPricer.Price(span, Prices);

        // Missing cache price defaults to the input price: 150 × 0.25 + 10 × 1.25.
        Assert.Equal(((150m * 0.25m) + (10m * 1.25m)) / 1_000_000m, priced.CostUsd);
    }

    [Fact]
    public void Price_WhenAgentSpanRepeatsChildTokens_ShouldCostNothing()
    {
        var span = Span(SpanClass.Agent, "anthropic.claude-3-haiku-20240307-v1:0", input: 5000, output: 500);

        var priced = SpanPricer.Price(span, Prices);

        Assert.Equal(0m, priced.CostUsd);
        Assert.True(priced.Priced);
    }

    [Fact]
    public void Price_WhenModelHasNoPrice_ShouldBeUnpricedNotSilentlyFree()
    {
        var span = Span(SpanClass.ModelCall, "vendor.unknown-model-v1:0", input: 530, output: 180);

        var priced = SpanPricer.Price(span, Prices);

        Assert.False(priced.Priced);
        Assert.True(priced.Unpriced);
        Assert.Equal(0m, priced.CostUsd);
    }

    [Fact]
    public void Price_WhenModelCallHasNoModel_ShouldBeUnpriced()
    {
        var span = Span(SpanClass.ModelCall, null, input: 10, output: 1);

        var priced = SpanPricer.Price(span, Prices);

        Assert.False(priced.Priced);
    }

    [Fact]
    public void Price_WhenModelCallFailed_ShouldCostNothingButKeepPricedFlag()
    {
        var span = Span(SpanClass.ModelCall, "anthropic.claude-3-haiku-20240307-v1:0", input: 10, output: 0) with { IsError = true };

        var priced = SpanPricer.Price(span, Prices);

        Assert.Equal(0m, priced.CostUsd);
        Assert.True(priced.Priced);
    }

    [Fact]
    public void Price_WhenStrandsFixtureUsesDefaultTable_ShouldPriceSonnetCalls()
    {
        var spans = Parse(Strands);

        var priced = spans.Select(s => SpanPricer.Price(s, PriceTable.LoadDefault())).ToList();

        var sonnetCalls = priced.Where(p => p.Span.Class == SpanClass.ModelCall && p.Span.Model!.Contains("sonnet", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sonnetCalls.Count);
        Assert.All(sonnetCalls, p => Assert.True(p.Priced && p.CostUsd > 0));
        Assert.All(priced.Where(p => p.Span.Class != SpanClass.ModelCall), p => Assert.Equal(0m, p.CostUsd));
    }

    private static SpanRecord Span(SpanClass spanClass, string? model, long input, long output, long cacheRead = 0, long cacheWrite = 0) => new()
    {
        EventId = "e",
        TraceId = "t",
        SpanId = "s",
        Name = "n",
        Class = spanClass,
        End = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000),
        DurationMs = 10,
        Model = model,
        InputTokens = input,
        OutputTokens = output,
        CacheReadTokens = cacheRead,
        CacheWriteTokens = cacheWrite,
    };
}
