using System.Text;
using System.Text.Json;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Pricing;

/// <summary>Priced, unpriced and not-token-priced calls through the batch pipeline and the replay summary.</summary>
public class PricingStatusFlowTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    private static byte[] Record(string modelId, string region, int input, int output) => Encoding.UTF8.GetBytes(
        "{\"schemaType\":\"ModelInvocationLog\",\"schemaVersion\":\"1.0\",\"timestamp\":\"2026-12-01T10:00:00Z\",\"accountId\":\"111122223333\"," +
        "\"identity\":{\"arn\":\"arn:aws:sts::111122223333:assumed-role/app-role/s1\"},\"region\":\"" + region + "\",\"requestId\":\"r-" + modelId + "\"," +
        "\"operation\":\"InvokeModel\",\"modelId\":\"" + modelId + "\",\"input\":{\"inputContentType\":\"application/json\",\"inputTokenCount\":" + input + "}," +
        "\"output\":{\"outputContentType\":\"application/json\",\"outputTokenCount\":" + output + "}}");

    [Fact]
    public void ProcessLambdaEvent_WhenImageTextAndUnknownModelsMix_ShouldKeepNotTokenPricedApartFromUnpriced()
    {
        var payload = TestEvents.DataMessage(
            Record("amazon.nova-canvas-v1:0", "us-east-1", 40, 0),
            Record("vendor.unknown-model-v1:0", "us-east-1", 100, 100),
            Record("meta.llama3-8b-instruct-v1:0", "eu-west-2", 1_000, 1_000));

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(payload));
        var summary = new InvocationSummary();
        foreach (var invocation in result.Invocations)
        {
            summary.Add(invocation);
        }

        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            summary.WriteJson(writer);
        }

        using var json = JsonDocument.Parse(buffer.ToArray());
        var root = json.RootElement;
        Assert.Empty(result.Rejections);
        var canvas = result.Invocations.Single(i => i.Record.ModelId == "amazon.nova-canvas-v1:0");
        Assert.True(canvas.NotTokenPriced);
        Assert.False(canvas.Unpriced);
        // No body logged: one image (numberOfImages' default) at standard 1024x1024, never its 40 tokens.
        Assert.Equal(0.04m, canvas.CostUsd);
        Assert.Equal(new UnitQuote("image", 1, "standard/1024x1024", 0.04m, Priced: true), canvas.PerUnit);
        Assert.True(result.Invocations.Single(i => i.Record.ModelId == "vendor.unknown-model-v1:0").Unpriced);
        Assert.Equal(1, root.GetProperty("unpriced").GetInt64());
        Assert.Equal(1, root.GetProperty("notTokenPriced").GetInt64());
        var byModel = root.GetProperty("byModel");
        Assert.False(byModel.GetProperty("amazon.nova-canvas-v1:0").GetProperty("priced").GetBoolean());
        Assert.True(byModel.GetProperty("amazon.nova-canvas-v1:0").GetProperty("notTokenPriced").GetBoolean());
        Assert.False(byModel.GetProperty("vendor.unknown-model-v1:0").TryGetProperty("notTokenPriced", out _));
        // Llama 3 8B called from eu-west-2 pays that region's $0.39 / $0.78 per million tokens.
        Assert.Equal(0.00117m, byModel.GetProperty("meta.llama3-8b-instruct-v1:0").GetProperty("costUsd").GetDecimal());
    }
}
