using GenAiObs.Core.Pricing;
using Xunit;

namespace GenAiObs.Tests.Pricing;

public class DefaultPriceTableTests
{
    private static readonly PriceTable Defaults = PriceTable.LoadDefault();

    // Bedrock on-demand us-east-1 prices (USD per million tokens) as reported publicly in 2026 (the
    // https://aws.amazon.com/bedrock/pricing/ page and AWS Price List quotes; the table's public-reports-2026
    // source): id, input, output, cache read, cache write (a model without cache prices: the input price).
    public static TheoryData<string, decimal, decimal, decimal, decimal> ReferencePrices => new()
    {
        { "anthropic.claude-sonnet-4-6", 3.00m, 15.00m, 0.30m, 3.75m },
        { "anthropic.claude-sonnet-4-5-20250929-v1:0", 3.00m, 15.00m, 0.30m, 3.75m },
        { "anthropic.claude-sonnet-4-20250514-v1:0", 3.00m, 15.00m, 0.30m, 3.75m },
        { "anthropic.claude-haiku-4-5-20251001-v1:0", 1.00m, 5.00m, 0.10m, 1.25m },
        { "anthropic.claude-3-7-sonnet-20250219-v1:0", 3.00m, 15.00m, 0.30m, 3.75m },
        { "anthropic.claude-3-5-sonnet-20241022-v2:0", 3.00m, 15.00m, 0.30m, 3.75m },
        { "anthropic.claude-3-5-haiku-20241022-v1:0", 0.80m, 4.00m, 0.08m, 1.00m },
        { "anthropic.claude-3-haiku-20240307-v1:0", 0.25m, 1.25m, 0.25m, 0.25m },
        { "amazon.nova-micro-v1:0", 0.035m, 0.14m, 0.00875m, 0m },
        { "amazon.nova-lite-v1:0", 0.06m, 0.24m, 0.015m, 0m },
        { "amazon.nova-pro-v1:0", 0.80m, 3.20m, 0.20m, 0m },
        { "amazon.nova-premier-v1:0", 2.50m, 12.50m, 2.50m, 2.50m },
        { "meta.llama3-3-70b-instruct-v1:0", 0.72m, 0.72m, 0.72m, 0.72m },
        { "meta.llama3-1-70b-instruct-v1:0", 0.72m, 0.72m, 0.72m, 0.72m },
        { "meta.llama3-1-8b-instruct-v1:0", 0.22m, 0.22m, 0.22m, 0.22m },
        { "mistral.mistral-large-2402-v1:0", 4.00m, 12.00m, 4.00m, 4.00m },
        { "mistral.mistral-7b-instruct-v0:2", 0.15m, 0.20m, 0.15m, 0.15m },
        { "mistral.mixtral-8x7b-instruct-v0:1", 0.45m, 0.70m, 0.45m, 0.45m },
        { "cohere.command-r-plus-v1:0", 3.00m, 15.00m, 3.00m, 3.00m },
        { "cohere.command-r-v1:0", 0.50m, 1.50m, 0.50m, 0.50m },
    };

    [Theory]
    [MemberData(nameof(ReferencePrices))]
    public void LoadDefault_WhenReferenceModelCalledThroughGlobalProfile_ShouldChargeReferencePrices(
        string modelId, decimal input, decimal output, decimal cacheRead, decimal cacheWrite)
    {
        // global. never carries the regional multiplier, so these are the table's base prices.
        var inputCost = Defaults.Quote("global." + modelId, 1_000_000, 0, 0, 0).CostUsd;
        var outputCost = Defaults.Quote("global." + modelId, 0, 1_000_000, 0, 0).CostUsd;
        var cacheReadCost = Defaults.Quote("global." + modelId, 0, 0, 1_000_000, 0).CostUsd;
        var cacheWriteCost = Defaults.Quote("global." + modelId, 0, 0, 0, 1_000_000).CostUsd;

        Assert.Equal(input, inputCost);
        Assert.Equal(output, outputCost);
        Assert.Equal(cacheRead, cacheReadCost);
        Assert.Equal(cacheWrite, cacheWriteCost);
    }

    [Theory]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.3)]
    [InlineData("anthropic.claude-sonnet-4-5-20250929-v1:0", 3.3)]
    [InlineData("eu.anthropic.claude-haiku-4-5-20251001-v1:0", 1.1)]
    [InlineData("us.anthropic.claude-sonnet-4-6", 3.3)]
    [InlineData("global.anthropic.claude-sonnet-4-6", 3.0)]
    [InlineData("us.anthropic.claude-sonnet-4-20250514-v1:0", 3.0)]
    [InlineData("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", 3.0)]
    public void LoadDefault_WhenClaude45OrLaterOutsideGlobal_ShouldCharge10PercentMore(string modelId, double expectedPerMillionInput)
    {
        var quote = Defaults.Quote(modelId, 1_000_000, 0, 0, 0);

        Assert.True(quote.Priced);
        Assert.Equal((decimal)expectedPerMillionInput, quote.CostUsd);
    }

    [Fact]
    public void LoadDefault_ShouldBeDatedAndHaveNoProfiles()
    {
        Assert.Equal("2026-12-06", Defaults.EffectiveDate);
        Assert.Equal("us-east-1", Defaults.BaseRegion);
        Assert.False(Defaults.Quote("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3", 1, 1, 0, 0).Priced);
    }

    // Every on-demand text and embedding model the price table must cover (current and legacy).
    public static TheoryData<string> CoveredModels => new()
    {
        "anthropic.claude-instant-v1", "anthropic.claude-v2", "anthropic.claude-v2:1",
        "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-sonnet-20240229-v1:0", "anthropic.claude-3-opus-20240229-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic.claude-3-5-haiku-20241022-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "anthropic.claude-opus-4-20250514-v1:0", "anthropic.claude-opus-4-1-20250805-v1:0", "anthropic.claude-opus-4-5-20251101-v1:0",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0",
        "amazon.titan-text-express-v1", "amazon.titan-text-lite-v1", "amazon.titan-text-premier-v1:0",
        "amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2:0",
        "meta.llama3-8b-instruct-v1:0", "meta.llama3-70b-instruct-v1:0",
        "meta.llama3-1-8b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0", "meta.llama3-1-405b-instruct-v1:0",
        "meta.llama3-2-1b-instruct-v1:0", "meta.llama3-2-3b-instruct-v1:0", "meta.llama3-2-11b-instruct-v1:0", "meta.llama3-2-90b-instruct-v1:0",
        "meta.llama3-3-70b-instruct-v1:0", "meta.llama4-maverick-17b-instruct-v1:0", "meta.llama4-scout-17b-instruct-v1:0",
        "mistral.mistral-7b-instruct-v0:2", "mistral.mixtral-8x7b-instruct-v0:1", "mistral.mistral-large-2402-v1:0",
        "mistral.mistral-large-2407-v1:0", "mistral.mistral-small-2402-v1:0",
        "cohere.command-r-v1:0", "cohere.command-r-plus-v1:0", "cohere.embed-english-v3", "cohere.embed-multilingual-v3",
        "ai21.jamba-1-5-large-v1:0", "ai21.jamba-1-5-mini-v1:0",
        "deepseek.r1-v1:0", "deepseek.v3-v1:0",
    };

    [Theory]
    [MemberData(nameof(CoveredModels))]
    public void LoadDefault_EveryCoveredModel_ShouldBePricedWithASourceAndADate(string modelId)
    {
        var quote = Defaults.Quote("us." + modelId, 1_000_000, 0, 0, 0);
        var entry = Defaults.Entries.Single(e => e.ModelId == modelId);

        Assert.Equal(PriceStatus.Priced, quote.Status);
        Assert.Equal(modelId, quote.PriceKey);
        Assert.True(quote.CostUsd > 0m);
        Assert.NotEmpty(entry.Sources);
        Assert.All(entry.Sources, id => Assert.True(Defaults.Sources.ContainsKey(id)));
        Assert.True(DateOnly.TryParseExact(entry.EffectiveDate, "yyyy-MM-dd", out _));
        Assert.NotEmpty(entry.PriceListNames);
    }

    // The models that came out unpriced on public invocation-log records, at the table's figures.
    [Theory]
    [InlineData("anthropic.claude-3-5-sonnet-20240620-v1:0", 3.0, 15.0)]
    [InlineData("anthropic.claude-3-sonnet-20240229-v1:0", 3.0, 15.0)]
    [InlineData("anthropic.claude-v2:1", 8.0, 24.0)]
    [InlineData("ai21.jamba-1-5-large-v1:0", 2.0, 8.0)]
    [InlineData("amazon.titan-text-express-v1", 0.2, 0.6)]
    [InlineData("anthropic.claude-3-opus-20240229-v1:0", 15.0, 75.0)]
    public void LoadDefault_WhenAModelMissingFromTheOldTableIsCalled_ShouldChargeItsPrice(string modelId, double input, double output)
    {
        // 2,000 input and 500 output tokens.
        var quote = Defaults.Quote(modelId, 2_000, 500, 0, 0);

        Assert.True(quote.Priced);
        Assert.Equal(((decimal)input * 2_000m + (decimal)output * 500m) / 1_000_000m, quote.CostUsd);
    }

    [Fact]
    public void LoadDefault_EveryEntry_ShouldBeDatedSourcedAndConfirmedOnlyByTwoSources()
    {
        Assert.All(Defaults.Entries, entry =>
        {
            Assert.NotEmpty(entry.Sources);
            Assert.True(!entry.Confirmed || entry.Sources.Count >= 2, entry.ModelId);
        });
        Assert.Contains(Defaults.Entries, e => e.Confirmed);
        Assert.Contains(Defaults.Entries, e => !e.Confirmed);
    }

    [Fact]
    public void LoadDefault_PriceListNames_ShouldNameOneModelEach()
    {
        var names = Defaults.Entries.SelectMany(e => e.PriceListNames.Select(n => (Name: n.ToUpperInvariant(), e.ModelId))).ToList();

        Assert.Empty(names.GroupBy(n => n.Name).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void LoadDefault_WhenAnEmbeddingModelIsCalled_ShouldChargeInputTokensOnly()
    {
        var quote = Defaults.Quote("amazon.titan-embed-text-v2:0", 1_000_000, 5_000, 0, 0);

        Assert.True(quote.Priced);
        Assert.Equal(0.02m, quote.CostUsd);
        Assert.Equal(ModelKind.Embedding, Defaults.Entries.Single(e => e.ModelId == "amazon.titan-embed-text-v2:0").Kind);
    }

    [Theory]
    [InlineData("amazon.nova-canvas-v1:0")]
    [InlineData("us.amazon.nova-canvas-v1:0")]
    [InlineData("amazon.titan-image-generator-v2:0")]
    [InlineData("stability.sd3-5-large-v1:0")]
    [InlineData("amazon.nova-reel-v1:0")]
    [InlineData("luma.ray-v2:0")]
    public void LoadDefault_WhenAnImageOrVideoModelIsCalled_ShouldBeNotTokenPricedRatherThanUnpriced(string modelId)
    {
        var quote = Defaults.Quote(modelId, 50, 0, 0, 0);

        Assert.Equal(PriceStatus.NotTokenPriced, quote.Status);
        Assert.Equal(0m, quote.CostUsd);
        Assert.False(quote.Priced);
    }

    [Fact]
    public void LoadDefault_WhenAModelIsListedAsKnownButUnpriced_ShouldStayUnpricedWithItsReason()
    {
        var quote = Defaults.Quote("amazon.nova-sonic-v1:0", 100, 100, 0, 0);

        Assert.Equal(PriceStatus.Unpriced, quote.Status);
        Assert.Contains("speech", Defaults.KnownUnpriced["amazon.nova-sonic-v1:0"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("us-east-1", 0.30)]
    [InlineData("eu-west-2", 0.39)]
    [InlineData("sa-east-1", 0.50)]
    [InlineData("ap-northeast-3", 0.30)]
    public void LoadDefault_WhenCalledFromARegionWithItsOwnPrice_ShouldChargeThatRegionsPrice(string region, double inputPerMillion)
    {
        var quote = Defaults.Quote("meta.llama3-8b-instruct-v1:0", region, 1_000_000, 0, 0, 0, out _);

        Assert.Equal((decimal)inputPerMillion, quote.CostUsd);
    }

    [Fact]
    public void LoadDefault_WhenClaudeSonnet45IsCalledInGovCloud_ShouldChargeTheRegionPriceWithoutTheMultiplier()
    {
        var quote = Defaults.Quote("us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-gov-west-1", 1_000_000, 1_000_000, 0, 0, out _);

        Assert.Equal(3.6m + 18.0m, quote.CostUsd);
    }
}
