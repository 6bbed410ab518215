using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>Image and video calls through the batch processor: counted and priced per unit alike by <c>replay --json</c> and by <c>report</c> from the store.</summary>
public sealed class MediaUsageReportTests
{
    private static readonly string[] MediaFixtures =
    [
        "invoke-titan-image.json", "invoke-nova-canvas.json", "invoke-stability-sd3.json", "invoke-stability-filtered.json",
        "s3-offloaded-titan-image.json", "async-nova-reel.json", "converse-anthropic.json",
    ];

    [Fact]
    public async Task Report_WhenImageAndVideoCallsAreStored_ShouldCountAndPriceTheirUnitsLikeTheReplay()
    {
        // Arrange
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(MediaFixtures.Select(TestEvents.CompactFixture).ToArray()));
        var result = new BatchProcessor(PriceTable.LoadDefault()).ProcessLambdaEvent(lambdaEvent);
        var summary = new InvocationSummary();
        result.Invocations.ForEach(summary.Add);
        var store = new InMemoryAggregateStore();

        // Act
        await store.ApplyBatchAsync(AggregateBuilder.Build(result));
        var first = result.Invocations.Min(i => i.Record.Timestamp);
        var last = result.Invocations.Max(i => i.Record.Timestamp);
        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Buckets.StartOf(first, Granularity.Fine), last.AddMinutes(5));
        using var report = AggregateReportTests.Write(writer => AggregateReport.WriteJson(writer, sums));
        using var replay = AggregateReportTests.Write(writer => summary.WriteJson(writer, includeRejected: false));

        // Assert: the same JSON both ways, and the figures read off the fixtures and the default table:
        // Titan v2 2 premium 1024² (no sourced price: counted only), Canvas 3 standard ≤2048² × $0.06, SD3.5 1 × $0.08,
        // Ultra filtered 0 images, Titan v1 (response in S3) 4 requested standard 512² × $0.008,
        // Nova Reel 18 s × $0.08.
        Assert.Empty(result.Rejections);
        var invocations = report.RootElement.GetProperty("invocations");
        JsonAssert.Equivalent(replay.RootElement, invocations);
        Assert.Equal(10, invocations.GetProperty("images").GetInt64());
        Assert.Equal(18, invocations.GetProperty("videoSeconds").GetInt64());
        Assert.Equal(0.18m + 0.08m + 0.032m + 1.44m, invocations.GetProperty("perUnitCostUsd").GetDecimal());
        Assert.Equal(6, invocations.GetProperty("notTokenPriced").GetInt64());
        Assert.Equal(0, invocations.GetProperty("unpriced").GetInt64());

        // The per-unit cost is part of the total cost: the text call's cost plus the images and video.
        var converse = result.Invocations.Single(i => i.Record.ModelId.Contains("claude", StringComparison.Ordinal));
        Assert.Equal(InvocationSummary.RoundUsd(converse.CostUsd) + 1.732m, invocations.GetProperty("costUsd").GetDecimal());

        var byModel = invocations.GetProperty("byModel");
        var canvas = byModel.GetProperty("amazon.nova-canvas-v1:0");
        Assert.False(canvas.GetProperty("priced").GetBoolean());
        Assert.True(canvas.GetProperty("notTokenPriced").GetBoolean());
        Assert.True(canvas.GetProperty("perUnitPriced").GetBoolean());
        Assert.Equal(3, canvas.GetProperty("images").GetInt64());
        Assert.Equal(0.18m, canvas.GetProperty("perUnitCostUsd").GetDecimal());
        Assert.Equal(0.18m, canvas.GetProperty("costUsd").GetDecimal());
        var reel = byModel.GetProperty("amazon.nova-reel-v1:1");
        Assert.Equal(18, reel.GetProperty("videoSeconds").GetInt64());
        Assert.False(reel.TryGetProperty("images", out _));
        var filtered = byModel.GetProperty("stability.stable-image-ultra-v1:1");
        Assert.False(filtered.TryGetProperty("images", out _));
        Assert.False(filtered.TryGetProperty("perUnitCostUsd", out _));
        var text = byModel.GetProperty("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        foreach (var member in new[] { "images", "videoSeconds", "perUnitCostUsd", "perUnitPriced", "notTokenPriced" })
        {
            Assert.False(text.TryGetProperty(member, out _), member);
        }
    }

    [Fact]
    public void WriteJson_WhenAnImageModelHasNoPerUnitPrice_ShouldCountItsImagesAndMarkItUnpricedPerUnit()
    {
        // Arrange: the Canvas fixture with a table that lists Canvas as not token-priced but prices no tier.
        var prices = PriceTable.Parse("""{"effectiveDate":"2026-12-07","models":{},"notTokenPriced":{"amazon.nova-canvas-v1:0":{"unit":"image"}}}"""u8);
        var result = new BatchProcessor(prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(TestEvents.CompactFixture("invoke-nova-canvas.json"))));
        var summary = new InvocationSummary();
        result.Invocations.ForEach(summary.Add);

        // Act
        using var json = AggregateReportTests.Write(writer => summary.WriteJson(writer));

        // Assert
        var canvas = json.RootElement.GetProperty("byModel").GetProperty("amazon.nova-canvas-v1:0");
        Assert.Equal(3, canvas.GetProperty("images").GetInt64());
        Assert.False(canvas.GetProperty("perUnitPriced").GetBoolean());
        Assert.Equal(0m, canvas.GetProperty("costUsd").GetDecimal());
        Assert.Equal(0, json.RootElement.GetProperty("unpriced").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("notTokenPriced").GetInt64());
    }
}
