using System.Text;
using GenAiObs.Core.Pricing;
using Xunit;

namespace GenAiObs.Tests.Pricing;

public class PriceTableTests
{
    private const string TableJson = """
        {"currency":"USD","effectiveDate":"2026-11-01",
         "models":{
           "anthropic.claude-sonnet-4-5-20250929-v1:0":{"inputPerMillion":3.0,"outputPerMillion":15.0,"cacheReadPerMillion":0.3,"cacheWritePerMillion":3.75,"regionalMultiplier":1.1},
           "anthropic.claude-3-haiku-20240307-v1:0":{"inputPerMillion":0.25,"outputPerMillion":1.25},
           "amazon.nova-micro-v1:0":{"inputPerMillion":0.035,"outputPerMillion":0.14,"cacheReadPerMillion":0.00875,"cacheWritePerMillion":0},
           "vendor.model-v1":{"inputPerMillion":1,"outputPerMillion":1},
           "vendor.model-v1:0":{"inputPerMillion":2,"outputPerMillion":2},
           "vendor.model-v1:0:1m":{"inputPerMillion":4,"outputPerMillion":4}
         },
         "inferenceProfiles":{
           "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3":"anthropic.claude-3-haiku-20240307-v1:0",
           "z9y8x7":"us.anthropic.claude-sonnet-4-5-20250929-v1:0"
         }}
        """;

    private static readonly PriceTable Table = PriceTable.Parse(Encoding.UTF8.GetBytes(TableJson));

    [Fact]
    public void Quote_WhenExactBaseId_ShouldApplyRegionalMultiplierToAllFourPrices()
    {
        var quote = Table.Quote("anthropic.claude-sonnet-4-5-20250929-v1:0", 1000, 200, 800, 100);

        // 1.1 × (1000×3 + 200×15 + 800×0.3 + 100×3.75) / 10⁶ = 1.1 × 6615 / 10⁶
        Assert.True(quote.Priced);
        Assert.Equal(0.0072765m, quote.CostUsd);
        Assert.Equal("anthropic.claude-sonnet-4-5-20250929-v1:0", quote.PriceKey);
    }

    [Theory]
    [InlineData("us.")]
    [InlineData("eu.")]
    [InlineData("apac.")]
    [InlineData("jp.")]
    [InlineData("au.")]
    [InlineData("ca.")]
    [InlineData("us-gov.")]
    public void Quote_WhenGeographyPrefix_ShouldStripItAndKeepMultiplier(string prefix)
    {
        var quote = Table.Quote(prefix + "anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 0, 0, 0);

        Assert.True(quote.Priced);
        Assert.Equal(3.3m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenGlobalPrefix_ShouldNotApplyMultiplier()
    {
        var quote = Table.Quote("global.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 0, 0, 0);

        Assert.Equal(3.0m, quote.CostUsd);
        Assert.Equal("anthropic.claude-sonnet-4-5-20250929-v1:0", quote.PriceKey);
    }

    [Fact]
    public void Quote_WhenTwoGeographyPrefixes_ShouldStripOnlyOneAndBeUnpriced()
    {
        var quote = Table.Quote("us.eu.anthropic.claude-sonnet-4-5-20250929-v1:0", 1000, 0, 0, 0);

        Assert.False(quote.Priced);
    }

    [Fact]
    public void Quote_WhenFoundationModelArn_ShouldUseIdAfterLastSlash()
    {
        var quote = Table.Quote("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", 1_000_000, 1_000_000, 0, 0);

        Assert.Equal(1.5m, quote.CostUsd);
        Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0", quote.PriceKey);
    }

    [Fact]
    public void Quote_WhenSystemInferenceProfileArn_ShouldReduceToProfileIdThenStripGeography()
    {
        var quote = Table.Quote("arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 0, 0, 0);

        Assert.Equal(3.3m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenGlobalInferenceProfileArn_ShouldNotApplyMultiplier()
    {
        var quote = Table.Quote("arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 0, 0, 0);

        Assert.Equal(3.0m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenApplicationProfileArnConfigured_ShouldPriceMappedModel()
    {
        var quote = Table.Quote("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3", 1_000_000, 0, 0, 0);

        Assert.True(quote.Priced);
        Assert.Equal(0.25m, quote.CostUsd);
        Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0", quote.PriceKey);
    }

    [Fact]
    public void Quote_WhenApplicationProfileBareIdOfConfiguredArn_ShouldPriceMappedModel()
    {
        var quote = Table.Quote("a1b2c3", 1_000_000, 0, 0, 0);

        Assert.Equal(0.25m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenApplicationProfileArnWhoseIdIsConfiguredBare_ShouldPriceMappedModelWithItsGeography()
    {
        var quote = Table.Quote("arn:aws:bedrock:eu-west-1:111122223333:application-inference-profile/z9y8x7", 1_000_000, 0, 0, 0);

        Assert.Equal(3.3m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenApplicationProfileMapsToGlobalProfile_ShouldNotApplyMultiplier()
    {
        const string json = """
            {"effectiveDate":"2026-11-01",
             "models":{"anthropic.claude-sonnet-4-5-20250929-v1:0":{"inputPerMillion":3.0,"outputPerMillion":15.0,"regionalMultiplier":1.1}},
             "inferenceProfiles":{"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/g1":"global.anthropic.claude-sonnet-4-5-20250929-v1:0"}}
            """;
        var table = PriceTable.Parse(Encoding.UTF8.GetBytes(json));

        var quote = table.Quote("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/g1", 1_000_000, 0, 0, 0);

        Assert.Equal(3.0m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenApplicationProfileNotConfigured_ShouldBeUnpricedNotReducedToOpaqueId()
    {
        var quote = Table.Quote("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/unknown99", 1_000_000, 0, 0, 0);

        Assert.False(quote.Priced);
        Assert.Equal(0m, quote.CostUsd);
        Assert.Null(quote.PriceKey);
    }

    [Fact]
    public void Quote_WhenContextWindowVariant_ShouldUseLongestKeyFollowedByColon()
    {
        var quote = Table.Quote("vendor.model-v1:0:200k", 1_000_000, 0, 0, 0);

        Assert.Equal("vendor.model-v1:0", quote.PriceKey);
        Assert.Equal(2m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenVariantHasItsOwnKey_ShouldPreferExactMatch()
    {
        var quote = Table.Quote("us.vendor.model-v1:0:1m", 1_000_000, 0, 0, 0);

        Assert.Equal("vendor.model-v1:0:1m", quote.PriceKey);
        Assert.Equal(4m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenIdMerelySharesKeyPrefixWithoutColon_ShouldBeUnpriced()
    {
        var quote = Table.Quote("vendor.model-v10", 1_000_000, 0, 0, 0);

        Assert.False(quote.Priced);
    }

    [Fact]
    public void Quote_WhenCachePricesMissing_ShouldDefaultToInputPrice()
    {
        var quote = Table.Quote("anthropic.claude-3-haiku-20240307-v1:0", 0, 0, 1_000_000, 1_000_000);

        Assert.Equal(0.5m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenCacheWritePriceIsExplicitZero_ShouldChargeNothingForWrites()
    {
        var quote = Table.Quote("amazon.nova-micro-v1:0", 0, 0, 0, 1_000_000);

        Assert.True(quote.Priced);
        Assert.Equal(0m, quote.CostUsd);
    }

    [Fact]
    public void Quote_WhenTinyPrices_ShouldBeExactInDecimal()
    {
        var total = 0m;
        for (var i = 0; i < 1000; i++)
        {
            total += Table.Quote("amazon.nova-micro-v1:0", 1, 1, 1, 0).CostUsd;
        }

        // (0.035 + 0.14 + 0.00875) / 10⁶ per call, 1000 calls: no binary-float drift.
        Assert.Equal(0.00018375m, total);
        Assert.Equal(0.00000018375m, Table.Quote("amazon.nova-micro-v1:0", 1, 1, 1, 0).CostUsd);
    }

    [Fact]
    public void Quote_WhenModelUnknown_ShouldBeUnpriced()
    {
        var quote = Table.Quote("ai21.jamba-1-5-large-v1:0", 500, 500, 0, 0);

        Assert.Equal(new PriceQuote(PriceStatus.Unpriced, 0m, null), quote);
    }

    [Fact]
    public void Quote_WhenTokenCountNegative_ShouldThrowArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Table.Quote("amazon.nova-micro-v1:0", -1, 0, 0, 0));
    }

    [Fact]
    public void Parse_WhenValid_ShouldExposeEffectiveDate()
    {
        Assert.Equal("2026-11-01", Table.EffectiveDate);
        Assert.Equal(6, Table.ModelKeys.Count);
    }

    [Fact]
    public void Parse_WhenCommentsAndTrailingCommas_ShouldAcceptThem()
    {
        const string json = """
            // user override
            {"effectiveDate":"2026-12-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":2,},},}
            """;

        var table = PriceTable.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(3m / 1_000_000m, table.Quote("m", 1, 1, 0, 0).CostUsd);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "", "empty" },
        { "{\"effectiveDate\":", "not valid JSON" },
        { "[]", "root must be a JSON object" },
        { """{"models":{}}""", "\"effectiveDate\" is missing" },
        { """{"effectiveDate":"01/11/2026","models":{}}""", "yyyy-MM-dd" },
        { """{"effectiveDate":"2026-11-01"}""", "\"models\" is missing" },
        { """{"effectiveDate":"2026-11-01","currency":"EUR","models":{}}""", "\"currency\" must be \"USD\"" },
        { """{"effectiveDate":"2026-11-01","models":[]}""", "\"models\" must be an object" },
        { """{"effectiveDate":"2026-11-01","models":{"m":3}}""", "models[\"m\"] must be an object" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"outputPerMillion":1}}}""", "models[\"m\"].inputPerMillion is missing" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1}}}""", "models[\"m\"].outputPerMillion is missing" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":"3.0","outputPerMillion":1}}}""", "models[\"m\"].inputPerMillion must be a number" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":-1,"outputPerMillion":1}}}""", "must not be negative" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"regionalMultiplier":0}}}""", "regionalMultiplier must be greater than 0" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"cacheReadPerMilion":1}}}""", "unknown property \"cacheReadPerMilion\"" },
        { """{"effectiveDate":"2026-11-01","model":{}}""", "unknown property \"model\"" },
        { """{"effectiveDate":"2026-11-01","models":{},"inferenceProfiles":[]}""", "\"inferenceProfiles\" must be an object" },
        { """{"effectiveDate":"2026-11-01","models":{},"inferenceProfiles":{"abc":1}}""", "inferenceProfiles[\"abc\"] must be a model id string" },
        { """{"effectiveDate":"2026-11-01","models":{},"inferenceProfiles":{"abc":"nobody.model-v1"}}""", "has no price in models" },
        { """{"effectiveDate":"2026-11-01","models":{},"inferenceProfiles":{"arn:aws:bedrock:us-east-1::foundation-model/x":"m"}}""", "must be an application-inference-profile ARN or its id" },
        { """{"effectiveDate":"2026-11-01","baseRegion":"US East","models":{}}""", "\"baseRegion\" must be an AWS region code" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"regions":{"europe":{"inputPerMillion":1,"outputPerMillion":1}}}}}""", "regions key \"europe\" must be an AWS region code" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"regions":{"eu-west-1":{"inputPerMillion":1}}}}}""", "regions[\"eu-west-1\"].outputPerMillion is missing" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"regions":{"eu-west-1":{"inputPerMillion":1,"outputPerMillion":1,"regionalMultiplier":2}}}}}""", "unknown property \"regionalMultiplier\"" },
        { """{"effectiveDate":"2026-11-01","models":{"e":{"kind":"embedding","inputPerMillion":0.1,"outputPerMillion":0.5}}}""", "priced on input tokens only" },
        { """{"effectiveDate":"2026-11-01","models":{"e":{"kind":"image","inputPerMillion":0.1}}}""", "kind must be \"text\" or \"embedding\"" },
        { """{"effectiveDate":"2026-11-01","sources":{"a":{"title":"A"}},"models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"sources":["a"],"confirmed":true}}}""", "confirmed is true but fewer than two sources" },
        { """{"effectiveDate":"2026-11-01","sources":{"a":{"title":"A"}},"models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"sources":["b"]}}}""", "names \"b\", which is not in \"sources\"" },
        { """{"effectiveDate":"2026-11-01","sources":{"a":{"url":"https://example.com"}},"models":{}}""", "sources[\"a\"].title is missing" },
        { """{"effectiveDate":"2026-11-01","models":{"m":{"inputPerMillion":1,"outputPerMillion":1,"effectiveDate":"yesterday"}}}""", "models[\"m\"].effectiveDate must be a date" },
        { """{"effectiveDate":"2026-11-01","models":{},"notTokenPriced":{"img":{"unit":"pixel"}}}""", "unit must be image, second, request or query" },
        { """{"effectiveDate":"2026-11-01","models":{"img":{"inputPerMillion":1,"outputPerMillion":1}},"notTokenPriced":{"img":{"unit":"image"}}}""", "both in models and in notTokenPriced" },
        { """{"effectiveDate":"2026-11-01","models":{},"unpriced":{"x":""}}""", "unpriced[\"x\"] must be a string saying why" },
        { """{"effectiveDate":"2026-11-01","models":{"x":{"inputPerMillion":1,"outputPerMillion":1}},"unpriced":{"x":"no price"}}""", "unpriced[\"x\"] also has a price" },
        { """{"effectiveDate":"2026-11-01","models":{},"notTokenPriced":{"img":{"unit":"image"}},"inferenceProfiles":{"p1":"img"}}""", "has no price in models" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Parse_WhenFileIsBad_ShouldThrowNamingTheProblem(string json, string expectedInMessage)
    {
        var error = Assert.Throws<PriceTableException>(() => PriceTable.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WhenProvenanceAndRegionsAreGiven_ShouldExposeThemAndPriceBySourceRegion()
    {
        const string json = """
            {"effectiveDate":"2026-12-01","baseRegion":"us-east-1",
             "sources":{"a":{"title":"Source A","url":"https://example.com/a","retrieved":"2026-11-30"},"b":{"title":"Source B"}},
             "models":{"vendor.text-v1:0":{"inputPerMillion":2,"outputPerMillion":4,"regionalMultiplier":1.5,
                 "regions":{"eu-west-3":{"inputPerMillion":2.6,"outputPerMillion":5.2}},
                 "effectiveDate":"2026-10-01","sources":["a","b"],"confirmed":true,"note":"n","priceListName":["Text V1","Text"]},
               "vendor.embed-v1:0":{"kind":"embedding","inputPerMillion":0.1}},
             "notTokenPriced":{"vendor.image-v1:0":{"unit":"image","sources":["a"],"note":"$0.04 per image"}},
             "unpriced":{"vendor.speech-v1:0":"billed per speech token"}}
            """;

        var table = PriceTable.Parse(Encoding.UTF8.GetBytes(json));
        var text = table.Entries.Single(e => e.ModelId == "vendor.text-v1:0");

        Assert.Equal("2026-10-01", text.EffectiveDate);
        Assert.Equal(["a", "b"], text.Sources);
        Assert.True(text.Confirmed);
        Assert.Equal(["Text V1", "Text"], text.PriceListNames);
        Assert.Equal("2026-12-01", table.Entries.Single(e => e.ModelId == "vendor.embed-v1:0").EffectiveDate);
        Assert.Equal("https://example.com/a", table.Sources["a"].Url);
        // Base region: 1.5 × (2 + 4); eu-west-3 is the full regional price, no multiplier; global. skips the multiplier.
        Assert.Equal(9m, table.Quote("vendor.text-v1:0", "us-east-1", 1_000_000, 1_000_000, 0, 0, out _).CostUsd);
        Assert.Equal(7.8m, table.Quote("vendor.text-v1:0", "eu-west-3", 1_000_000, 1_000_000, 0, 0, out _).CostUsd);
        Assert.Equal(6m, table.Quote("global.vendor.text-v1:0", null, 1_000_000, 1_000_000, 0, 0, out _).CostUsd);
        Assert.Equal(0.1m, table.Quote("vendor.embed-v1:0", 1_000_000, 1_000_000, 0, 0).CostUsd);
        Assert.Equal(new PriceQuote(PriceStatus.NotTokenPriced, 0m, "vendor.image-v1:0"), table.Quote("us.vendor.image-v1:0", 10, 10, 0, 0));
        Assert.Equal(PriceStatus.Unpriced, table.Quote("vendor.speech-v1:0", 10, 10, 0, 0).Status);
        Assert.Equal("billed per speech token", table.KnownUnpriced["vendor.speech-v1:0"]);
    }
}
