using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;
using static GenAiObs.Tests.Spans.SpanFixtures;

namespace GenAiObs.Tests.Spans;

public class SpanSummaryTests
{
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);

    [Fact]
    public void WriteJson_WhenAllFixturesAdded_ShouldWriteTheReplayContract()
    {
        var summary = new SpanSummary();
        foreach (var span in ParseAll())
        {
            summary.Add(new PricedSpan(span, span.Class == SpanClass.ModelCall ? 0.001m : 0m, Priced: span.Model != "amazon.titan-text-express-v1"));
        }

        summary.AddRejected(2);

        using var json = JsonDocument.Parse(Write(summary));
        var root = json.RootElement;

        Assert.Equal(20, root.GetProperty("records").GetInt64());
        Assert.Equal(2, root.GetProperty("rejected").GetInt64());
        Assert.Equal(9, root.GetProperty("modelCalls").GetInt64());
        Assert.Equal(3, root.GetProperty("toolCalls").GetInt64());
        Assert.Equal(3, root.GetProperty("agentInvocations").GetInt64());
        Assert.Equal(4, root.GetProperty("errorSpans").GetInt64());
        Assert.Equal(2, root.GetProperty("toolErrors").GetInt64());
        Assert.Equal(4, root.GetProperty("traces").GetInt64());
        Assert.Equal(2, root.GetProperty("sessions").GetInt64());
        // Model-call spans only: the agent spans' accumulated totals are not added again.
        Assert.Equal(8876, root.GetProperty("inputTokens").GetInt64());
        Assert.Equal(1449, root.GetProperty("outputTokens").GetInt64());
        Assert.Equal(0.009m, root.GetProperty("costUsd").GetDecimal());
        Assert.Equal(1, root.GetProperty("unpriced").GetInt64());

        var byModel = root.GetProperty("byModel");
        Assert.Equal(
            [
                "amazon.titan-embed-text-v2:0", "amazon.titan-text-express-v1", "anthropic.claude-3-5-haiku-20241022-v1:0",
                "anthropic.claude-3-haiku-20240307-v1:0", "meta.llama3-1-8b-instruct-v1:0", "us.amazon.nova-lite-v1:0",
                "us.anthropic.claude-haiku-4-5-20251001-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            ],
            byModel.EnumerateObject().Select(p => p.Name).ToArray());
        var sonnet = byModel.GetProperty("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        Assert.Equal(2, sonnet.GetProperty("calls").GetInt64());
        Assert.Equal(4210, sonnet.GetProperty("inputTokens").GetInt64());
        Assert.Equal(388, sonnet.GetProperty("outputTokens").GetInt64());
        AssertWithin(2644.916837, sonnet.GetProperty("p50Ms").GetDouble(), 0.02);
        AssertWithin(3120.4, sonnet.GetProperty("p95Ms").GetDouble(), 0.02);
        AssertWithin(3120.4, sonnet.GetProperty("p99Ms").GetDouble(), 0.02);

        var byTool = root.GetProperty("byTool");
        Assert.Equal(["get_forecast", "get_weather", "search_kb"], byTool.EnumerateObject().Select(p => p.Name).ToArray());
        var forecast = byTool.GetProperty("get_forecast");
        Assert.Equal(1, forecast.GetProperty("calls").GetInt64());
        Assert.Equal(1, forecast.GetProperty("errors").GetInt64());
        AssertWithin(1311.0, forecast.GetProperty("p95Ms").GetDouble(), 0.02);
        Assert.Equal(0, byTool.GetProperty("get_weather").GetProperty("errors").GetInt64());
    }

    [Fact]
    public void WriteJson_WhenEmpty_ShouldWriteZerosAndEmptyMaps()
    {
        var summary = new SpanSummary();

        using var json = JsonDocument.Parse(Write(summary));

        var root = json.RootElement;
        foreach (var name in new[] { "records", "rejected", "modelCalls", "toolCalls", "agentInvocations", "errorSpans", "toolErrors", "traces", "sessions", "inputTokens", "outputTokens" })
        {
            Assert.Equal(0, root.GetProperty(name).GetInt64());
        }

        Assert.Empty(root.GetProperty("byModel").EnumerateObject());
        Assert.Empty(root.GetProperty("byTool").EnumerateObject());
    }

    [Fact]
    public void Add_WhenModelCallHasNoModel_ShouldKeyItUnknown()
    {
        var summary = new SpanSummary();
        var span = Span(SpanClass.ModelCall, 12) with { Model = null };

        summary.Add(new PricedSpan(span, 0, false));

        Assert.Equal(1, summary.ByModel[SpanSummary.UnknownKey].Calls);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    [InlineData(99991)]
    public void WriteJson_WhenManyLatencies_ShouldGivePercentilesWithinTwoPercentOfExact(int seed)
    {
        var random = new Random(seed);
        var durations = Enumerable.Range(0, 500 + random.Next(3000))
            .Select(_ => Math.Exp(random.NextDouble() * 10)) // 1 ms .. 22 s, log-uniform
            .ToList();
        var summary = new SpanSummary();
        foreach (var duration in durations)
        {
            summary.Add(new PricedSpan(Span(SpanClass.ModelCall, duration), 0, true));
        }

        using var json = JsonDocument.Parse(Write(summary));

        var model = json.RootElement.GetProperty("byModel").GetProperty("m");
        AssertWithin(Exact(durations, 0.50), model.GetProperty("p50Ms").GetDouble(), 0.02);
        AssertWithin(Exact(durations, 0.95), model.GetProperty("p95Ms").GetDouble(), 0.02);
        AssertWithin(Exact(durations, 0.99), model.GetProperty("p99Ms").GetDouble(), 0.02);
    }

    [Fact]
    public void ToolPercentile_ForAnyPositiveLatencies_ShouldBeWithinTwoPercentOfExact()
    {
        var property = Prop.ForAll(
            ArbMap.Default.ArbFor<NonEmptyArray<PositiveInt>>(),
            values =>
            {
                var durations = values.Get.Select(v => v.Get / 10.0).ToList();
                var summary = new SpanSummary();
                foreach (var duration in durations)
                {
                    summary.Add(new PricedSpan(Span(SpanClass.Tool, duration), 0, true));
                }

                var p95 = summary.ByTool["t"].Latency.Quantile(0.95)!.Value;
                var exact = Exact(durations, 0.95);
                return Math.Abs(p95 - exact) <= 0.02 * exact;
            });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }

    [Fact]
    public void WriteJson_WhenCostHasManyDecimals_ShouldRoundToMicroDollars()
    {
        var summary = new SpanSummary();
        summary.Add(new PricedSpan(Span(SpanClass.ModelCall, 1234.5678), 0.0012345m, true));

        var text = Write(summary);

        using var json = JsonDocument.Parse(text);
        Assert.Equal(0.001234m, json.RootElement.GetProperty("costUsd").GetDecimal());
        Assert.Equal(0.001234m, json.RootElement.GetProperty("byModel").GetProperty("m").GetProperty("costUsd").GetDecimal());
    }

    [Fact]
    public void WriteJson_WhenFixturesCarryPromptText_ShouldNeverWriteIt()
    {
        var summary = new SpanSummary();
        foreach (var span in ParseAll())
        {
            summary.Add(new PricedSpan(span, 0, true));
        }

        var text = Write(summary);

        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
    }

    internal static string Write(SpanSummary summary)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            summary.WriteJson(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static double Exact(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToList();
        var rank = Math.Max(1, (int)Math.Ceiling(q * sorted.Count));
        return sorted[rank - 1];
    }

    private static void AssertWithin(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected} ± {relative:P0}, got {actual}");

    private static SpanRecord Span(SpanClass spanClass, double durationMs) => new()
    {
        EventId = "e",
        TraceId = "t",
        SpanId = "s",
        Name = "n",
        Class = spanClass,
        End = End,
        DurationMs = durationMs,
        Model = "m",
        ToolName = "t",
    };
}
