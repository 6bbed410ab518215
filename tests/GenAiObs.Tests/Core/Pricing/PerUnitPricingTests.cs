using GenAiObs.Core.Pricing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Pricing;

/// <summary>Images and video seconds priced per unit from the price file's <c>perUnit</c> tiers, never by tokens.</summary>
public sealed class PerUnitPricingTests
{
    private static readonly PriceTable Defaults = PriceTable.LoadDefault();

    private static readonly PriceTable Tiered = PriceTable.Parse("""
        {"effectiveDate":"2026-12-07","models":{},
         "sources":{"a":{"title":"A"},"b":{"title":"B"}},
         "notTokenPriced":{
          "vendor.image-v1:0":{"unit":"image","perUnit":{"image":{"standard/512x512":0.01,"standard/1024x1024":0.02,"premium/1024x1024":0.03,"premium":0.05}},
                               "defaultTier":"standard/1024x1024","effectiveDate":"2026-12-01","sources":["a","b"],"confirmed":true},
          "vendor.flat-image-v1:0":{"unit":"image","perUnit":{"image":{"any":0.07}}},
          "vendor.video-v1:0":{"unit":"second","perUnit":{"second":{"any":0.5}}},
          "vendor.unpriced-image-v1:0":{"unit":"image"},
          "vendor.rerank-v1:0":{"unit":"query"},
          "vendor.priced-rerank-v1:0":{"unit":"query","perUnit":{"query":{"any":0.002}}},
          "vendor.ray-v1:0":{"unit":"second","perUnit":{"second":{"540p":0.5,"720p":1.0}},"defaultTier":"720p"}}}
        """u8);

    public static TheoryData<string?, int?, int?, long, string, decimal> TierCases => new()
    {
        // quality, width, height, images → tier, USD
        { MediaQualities.Standard, 512, 512, 4, "standard/512x512", 0.04m },
        { MediaQualities.Standard, 640, 384, 1, "standard/512x512", 0.01m },          // 245,760 px ≤ 512×512: the smaller tier
        { MediaQualities.Standard, 768, 768, 2, "standard/1024x1024", 0.04m },
        { MediaQualities.Premium, 1024, 1024, 3, "premium/1024x1024", 0.09m },
        { MediaQualities.Premium, 2048, 2048, 1, "premium", 0.05m },                  // beyond every premium size: the size-less premium tier
        { null, null, null, 2, "standard/1024x1024", 0.04m },                          // defaultTier fills what the request left out
        { MediaQualities.Premium, null, null, 1, "premium/1024x1024", 0.03m },
    };

    [Theory]
    [MemberData(nameof(TierCases))]
    public void QuoteUnits_WhenTheCallFallsInATier_ShouldPriceItsImagesAtThatTier(string? quality, int? width, int? height, long images, string tier, decimal usd)
    {
        var quote = Tiered.QuoteUnits("vendor.image-v1:0", new MediaUsage(images, null, quality, width, height));

        Assert.Equal(new UnitQuote("image", images, tier, usd, Priced: true), quote);
    }

    [Theory]
    [InlineData(MediaQualities.Standard, 2048, 2048)]   // larger than every standard tier, and no size-less standard tier
    [InlineData(MediaQualities.Other, 512, 512)]         // a quality the file does not price
    public void QuoteUnits_WhenNoTierHoldsTheCall_ShouldCountItsImagesWithoutAPrice(string quality, int width, int height)
    {
        var quote = Tiered.QuoteUnits("vendor.image-v1:0", new MediaUsage(3, null, quality, width, height));

        Assert.Equal(new UnitQuote("image", 3, null, 0m, Priced: false), quote);
    }

    [Fact]
    public void QuoteUnits_WhenTheModelHasNoPerUnitPrice_ShouldCountItsUnitsAndStayUnpriced()
    {
        var image = Tiered.QuoteUnits("vendor.unpriced-image-v1:0", new MediaUsage(2, null, null, null, null));
        var rerank = Tiered.QuoteUnits("vendor.rerank-v1:0", new MediaUsage(null, null, null, null, null) { Queries = 3 });

        Assert.Equal(new UnitQuote("image", 2, null, 0m, Priced: false), image);
        Assert.Equal(new UnitQuote("query", 3, null, 0m, Priced: false), rerank);
    }

    [Fact]
    public void QuoteUnits_WhenARerankCallIsPriced_ShouldChargeItsQueriesAndOneQueryWhenTheBodyShowsNone()
    {
        var counted = Tiered.QuoteUnits("vendor.priced-rerank-v1:0", new MediaUsage(null, null, null, null, null) { Queries = 3 });
        var unlogged = Tiered.QuoteUnits("vendor.priced-rerank-v1:0", null);

        Assert.Equal(new UnitQuote("query", 3, "any", 0.006m, Priced: true), counted);
        Assert.Equal(new UnitQuote("query", 1, "any", 0.002m, Priced: true), unlogged);
    }

    [Theory]
    [InlineData(MediaQualities.Resolution540p, 9, "540p", 4.5)]
    [InlineData(MediaQualities.Resolution720p, 5, "720p", 5.0)]
    [InlineData(null, 5, "720p", 5.0)]                                  // no resolution named: the defaultTier
    public void QuoteUnits_WhenAVideoModelIsPricedByResolution_ShouldChargeItsSecondsAtThatResolution(string? resolution, long seconds, string tier, double usd)
    {
        var quote = Tiered.QuoteUnits("vendor.ray-v1:0", new MediaUsage(null, seconds, resolution, null, null));

        Assert.Equal(new UnitQuote("second", seconds, tier, (decimal)usd, Priced: true), quote);
    }

    [Fact]
    public void QuoteUnits_WhenAVideoResolutionHasNoTier_ShouldCountItsSecondsWithoutAPrice()
    {
        var quote = Tiered.QuoteUnits("vendor.ray-v1:0", new MediaUsage(null, 5, MediaQualities.Other, null, null));

        Assert.Equal(new UnitQuote("second", 5, null, 0m, Priced: false), quote);
    }

    [Fact]
    public void QuoteUnits_WhenTheBodyShowsNoCount_ShouldCountOneImageAndNoVideoSeconds()
    {
        Assert.Equal(new UnitQuote("image", 1, "any", 0.07m, Priced: true), Tiered.QuoteUnits("vendor.flat-image-v1:0", null));
        Assert.Equal(new UnitQuote("second", 0, null, 0m, Priced: false), Tiered.QuoteUnits("vendor.video-v1:0", null));
        Assert.Equal(new UnitQuote("second", 12, "any", 6m, Priced: true), Tiered.QuoteUnits("vendor.video-v1:0", new MediaUsage(null, 12, null, 1280, 720)));
    }

    [Fact]
    public void QuoteUnits_WhenTheKeyIsATokenPricedModel_ShouldReturnNull()
    {
        Assert.Null(Defaults.QuoteUnits("anthropic.claude-3-haiku-20240307-v1:0", new MediaUsage(1, null, null, null, null)));
    }

    [Fact]
    public void Quote_WhenAnImageModelLogsTokens_ShouldNeverPriceThemEvenWithAPerUnitPrice()
    {
        var quote = Defaults.Quote("amazon.nova-canvas-v1:0", 5_000, 5_000, 0, 0);

        Assert.Equal(PriceStatus.NotTokenPriced, quote.Status);
        Assert.Equal(0m, quote.CostUsd);
    }

    public static TheoryData<string, MediaUsage?, UnitQuote> DefaultTableCases => new()
    {
        // Titan Image Generator: standard 512x512 $0.008 is the only sourced tier; premium 1024x1024 and the
        // request default (standard 1024x1024) are counted without a price.
        { "amazon.titan-image-generator-v2:0", new MediaUsage(2, null, MediaQualities.Premium, 1024, 1024), new UnitQuote("image", 2, null, 0m, false) },
        { "amazon.titan-image-generator-v2:0", new MediaUsage(1, null, null, null, null), new UnitQuote("image", 1, null, 0m, false) },
        { "amazon.titan-image-generator-v1", new MediaUsage(4, null, null, 512, 512), new UnitQuote("image", 4, "standard/512x512", 0.032m, true) },
        // Nova Canvas: 2048x1024 (2.1 MP) is above 1024x1024, so standard up to 2048x2048 at $0.06.
        { "amazon.nova-canvas-v1:0", new MediaUsage(3, null, MediaQualities.Standard, 2048, 1024), new UnitQuote("image", 3, "standard/2048x2048", 0.18m, true) },
        { "amazon.nova-canvas-v1:0", new MediaUsage(1, null, MediaQualities.Premium, 1280, 720), new UnitQuote("image", 1, "premium/1024x1024", 0.06m, true) },
        // Nova Reel: $0.08 per second.
        { "amazon.nova-reel-v1:1", new MediaUsage(null, 18, null, 1280, 720), new UnitQuote("second", 18, "any", 1.44m, true) },
        { "stability.sd3-5-large-v1:0", new MediaUsage(1, null, null, null, null), new UnitQuote("image", 1, "any", 0.08m, true) },
        { "stability.stable-image-ultra-v1:1", new MediaUsage(0, null, null, null, null), new UnitQuote("image", 0, "any", 0m, true) },
        { "stability.stable-image-core-v1:1", null, new UnitQuote("image", 1, "any", 0.04m, true) },
        // An editing model is listed without a per-unit price: counted, not priced.
        { "stability.stable-image-inpaint-v1:0", new MediaUsage(1, null, null, null, null), new UnitQuote("image", 1, null, 0m, false) },
        // Luma Ray and the rerank models: seconds and queries counted, no figure two sources give.
        { "luma.ray-v2:0", new MediaUsage(null, 9, MediaQualities.Resolution720p, null, null), new UnitQuote("second", 9, null, 0m, false) },
        { "cohere.rerank-v3-5:0", new MediaUsage(null, null, null, null, null) { Queries = 2 }, new UnitQuote("query", 2, null, 0m, false) },
        { "amazon.rerank-v1:0", null, new UnitQuote("query", 1, null, 0m, false) },
    };

    [Theory]
    [MemberData(nameof(DefaultTableCases))]
    public void QuoteUnits_WithTheDefaultTable_ShouldChargeThePublishedPerUnitPrices(string modelId, MediaUsage? media, UnitQuote expected)
    {
        Assert.Equal(expected, Defaults.QuoteUnits(Defaults.ResolveKey(modelId)!, media));
    }

    [Fact]
    public void LoadDefault_EveryPerUnitEntry_ShouldBeDatedSourcedAndConfirmedOnlyByTwoSources()
    {
        var perUnit = Defaults.NotTokenPriced.Where(e => e.PerUnit is not null).ToList();

        Assert.Contains(perUnit, e => e.ModelId == "amazon.nova-reel-v1:1");
        Assert.All(perUnit, e =>
        {
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", e.EffectiveDate);
            Assert.NotEmpty(e.Sources);
            Assert.True(!e.Confirmed || e.Sources.Count >= 2, e.ModelId);
            Assert.Equal(e.Unit, e.PerUnit!.Unit);
            Assert.All(e.PerUnit.Tiers, t => Assert.True(t.Usd > 0, $"{e.ModelId} {t.Name}"));
        });
    }

    [Fact]
    public void LoadDefault_PerUnitFigures_ShouldBeConfirmedExactlyWhereTwoNamedSourcesAgree()
    {
        var perUnit = Defaults.NotTokenPriced.Where(e => e.PerUnit is not null).ToDictionary(e => e.ModelId);

        // Titan standard 512x512, SD3.5 Large, Stable Image Core and Ultra: two sources give the same figure.
        string[] confirmed =
        [
            "amazon.titan-image-generator-v1", "amazon.titan-image-generator-v2:0", "stability.sd3-5-large-v1:0",
            "stability.stable-image-core-v1:0", "stability.stable-image-core-v1:1", "stability.stable-image-ultra-v1:0", "stability.stable-image-ultra-v1:1",
        ];
        Assert.Equal(confirmed.Order(StringComparer.Ordinal), perUnit.Values.Where(e => e.Confirmed).Select(e => e.ModelId).Order(StringComparer.Ordinal));
        Assert.All(perUnit.Values, e => Assert.DoesNotContain("aws-pricing-page", e.Sources));
        Assert.Equal(["standard/512x512"], perUnit["amazon.titan-image-generator-v2:0"].PerUnit!.Tiers.Select(t => t.Name));
    }

    [Theory]
    [InlineData("""{"unit":"image","perUnit":{"second":{"any":1}}}""", "can only price the entry's unit")]
    [InlineData("""{"unit":"request","perUnit":{"request":{"any":1}}}""", "can only price the entry's unit")]
    [InlineData("""{"unit":"second","perUnit":{"second":{"720P":1}}}""", "lower-case letters or digits")]
    [InlineData("""{"unit":"image","perUnit":{"image":{"standard/1024":1}}}""", "WIDTHxHEIGHT")]
    [InlineData("""{"unit":"image","perUnit":{"image":{"Standard":1}}}""", "lower-case letters")]
    [InlineData("""{"unit":"image","perUnit":{"image":{"any":-1}}}""", "non-negative number")]
    [InlineData("""{"unit":"image","perUnit":{"image":{}}}""", "has no tier")]
    [InlineData("""{"unit":"image","perUnit":{"image":{"standard":1,"standard":2}}}""", "twice")]
    [InlineData("""{"unit":"image","defaultTier":"standard"}""", "needs a perUnit price")]
    [InlineData("""{"unit":"image","perUnit":{"image":{"any":1}},"confirmed":true,"sources":["a"]}""", "fewer than two sources")]
    [InlineData("""{"unit":"image","perUnit":{"image":{"any":1}},"perImage":1}""", "unknown property \"perImage\"")]
    public void Parse_WhenAPerUnitEntryIsInvalid_ShouldFailNamingTheProblem(string entry, string expected)
    {
        var file = """{"effectiveDate":"2026-12-07","models":{},"sources":{"a":{"title":"A"}},"notTokenPriced":{"m":""" + entry + "}}";

        var error = Assert.Throws<PriceTableException>(() => PriceTable.Parse(System.Text.Encoding.UTF8.GetBytes(file)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("notTokenPriced[\"m\"]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_WhenAPerUnitPriceChanges_ShouldListTheOldAndNewTiers()
    {
        var before = PriceTable.Parse("""{"effectiveDate":"2026-12-07","models":{},"notTokenPriced":{"img":{"unit":"image","perUnit":{"image":{"any":0.04}}},"gone":{"unit":"second"}}}"""u8);
        var after = PriceTable.Parse("""{"effectiveDate":"2026-12-07","models":{},"notTokenPriced":{"img":{"unit":"image","perUnit":{"image":{"any":0.05}}},"new":{"unit":"second","perUnit":{"second":{"any":0.08}}}}}"""u8);

        var changes = PriceTableDiff.Compare(before, after);

        Assert.Equal(
            [
                new PriceChange("added", "new", "not token-priced, per second: any 0.08"),
                new PriceChange("removed", "gone", "not token-priced"),
                new PriceChange("changed", "img", "perUnit per image: any 0.04 → per image: any 0.05"),
            ],
            changes);
    }
}
