using GenAiObs.Core.Pricing;
using Xunit;

namespace GenAiObs.Tests.Pricing;

public class DefaultPriceTableTests
{
    private static readonly PriceTable Defaults = PriceTable.LoadDefault();

    // Every row of shared/reference/pricing.md: id, input, output, cache read, cache write (null = defaults to input).
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
        Assert.Equal("2026-11-01", Defaults.EffectiveDate);
        Assert.Equal(20, Defaults.ModelKeys.Count);
        Assert.False(Defaults.Quote("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3", 1, 1, 0, 0).Priced);
    }
}
