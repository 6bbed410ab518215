using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Records;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Aggregation;

public sealed class FeatureReportTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);

    internal static PricedInvocation Invocation(int i, string? feature, string? variant, double? latencyMs, decimal cost, long output, string stop = StopReasons.EndTurn, bool error = false, string? template = null, string? version = null) =>
        new(
            new InvocationRecord
            {
                EventId = "e" + i,
                Timestamp = At.AddSeconds(i),
                Operation = "Converse",
                ModelId = "m",
                Principal = "role",
                InputTokens = 50,
                OutputTokens = output,
                StopReason = stop,
                LatencyMs = latencyMs,
                ErrorCode = error ? "ValidationException" : null,
                Dimensions = RequestDimensions.From(feature, variant, template, version),
            },
            error ? 0m : cost,
            Priced: true,
            PriceKey: "m");

    /// <summary>Arm A: 10 calls, latency 100…1000 ms, $0.01 and 100 output tokens each, one truncated. Arm B: 10 calls, 200…2000 ms, $0.005 and 120 tokens, two failed.</summary>
    internal static List<PricedInvocation> TwoArms()
    {
        var list = new List<PricedInvocation>();
        for (var i = 1; i <= 10; i++)
        {
            list.Add(Invocation(i, "summarise", "A", 100 * i, 0.01m, 100, i == 10 ? StopReasons.MaxTokens : StopReasons.EndTurn, template: "summary", version: "3"));
            var failed = i > 8;
            list.Add(Invocation(100 + i, "summarise", "B", 200 * i, 0.005m, failed ? 0 : 120, error: failed, template: "summary", version: "4"));
        }

        return list;
    }

    internal static Dictionary<string, AggregateCounters> Sums(IEnumerable<PricedInvocation> invocations, CardinalityLimits? limits = null)
    {
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
        foreach (var delta in AggregateBuilder.Build("b", invocations, [], limits).Deltas)
        {
            if (!sums.TryGetValue(delta.Key, out var counters))
            {
                sums[delta.Key] = counters = new AggregateCounters();
            }

            counters.Merge(delta.Counters);
        }

        return sums;
    }

    private static JsonElement Report(Dictionary<string, AggregateCounters> sums)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            AggregateReport.WriteJson(writer, sums);
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void Build_WhenRecordsAreTagged_ShouldCountThemUnderFeatureVariantAndTemplateKeys()
    {
        var sums = Sums(TwoArms());

        Assert.Equal(20, sums["feature#summarise"][CounterNames.Requests]);
        Assert.Equal(10, sums["variant#summarise|A"][CounterNames.Requests]);
        Assert.Equal(10, sums["variant#summarise|B"][CounterNames.Requests]);
        Assert.Equal(10, sums["template#summary@3"][CounterNames.Requests]);
        Assert.Equal(10, sums["template#summary@4"][CounterNames.Requests]);
    }

    [Fact]
    public void WriteJson_WhenTwoArms_ShouldReportEachFigureAsComputedByHand()
    {
        var report = Report(Sums(TwoArms()));

        var feature = report.GetProperty("features").GetProperty("summarise");
        Assert.Equal(20, feature.GetProperty("requests").GetInt64());
        Assert.Equal(2, feature.GetProperty("errors").GetInt64());
        Assert.Equal(0.1, feature.GetProperty("errorRate").GetDouble(), 9);
        Assert.Equal(0.14m, feature.GetProperty("costUsd").GetDecimal());
        Assert.Equal((1000 + 960) / 0.14, feature.GetProperty("outputTokensPerUsd").GetDouble(), 6);
        Assert.Equal(20 * 50 + 1000 + 960, feature.GetProperty("tokens").GetInt64());

        var a = feature.GetProperty("variants").GetProperty("A");
        Assert.Equal(0.9, a.GetProperty("completionRate").GetDouble(), 9);
        Assert.Equal(10_000, a.GetProperty("outputTokensPerUsd").GetDouble(), 6);
        // Nearest rank over 100, 200 … 1000: p50 = 500, p95 = 1000, within the histogram's relative error.
        Assert.InRange(a.GetProperty("latencyP50Ms").GetDouble(), 500 * (1 - LogHistogram.RelativeError), 500 * (1 + LogHistogram.RelativeError));
        Assert.InRange(a.GetProperty("latencyP95Ms").GetDouble(), 1000 * (1 - LogHistogram.RelativeError), 1000 * (1 + LogHistogram.RelativeError));

        var b = feature.GetProperty("variants").GetProperty("B");
        Assert.Equal(0.2, b.GetProperty("errorRate").GetDouble(), 9);
        Assert.Equal(1.0, b.GetProperty("completionRate").GetDouble(), 9);
        Assert.Equal(0.04m, b.GetProperty("costUsd").GetDecimal());
        Assert.InRange(b.GetProperty("latencyP95Ms").GetDouble(), 2000 * (1 - LogHistogram.RelativeError), 2000 * (1 + LogHistogram.RelativeError));

        Assert.Equal(0.1m, report.GetProperty("promptTemplates").GetProperty("summary@3").GetProperty("costUsd").GetDecimal());
    }

    [Fact]
    public void WriteJson_WhenNothingIsTagged_ShouldWriteOnlyTheExistingKeys()
    {
        var report = Report(Sums([Invocation(1, null, null, 100, 0.01m, 10)]));

        Assert.Equal(["invocations", "spans"], report.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void WriteJson_WhenAFeatureHasNoCostOrLatency_ShouldWriteNullRatesNotZero()
    {
        var report = Report(Sums([Invocation(1, "free", null, null, 0m, 10, error: true)]));

        var feature = report.GetProperty("features").GetProperty("free");
        Assert.Equal(JsonValueKind.Null, feature.GetProperty("outputTokensPerUsd").ValueKind);
        Assert.Equal(JsonValueKind.Null, feature.GetProperty("completionRate").ValueKind);
        Assert.Equal(1.0, feature.GetProperty("errorRate").GetDouble());
    }

    [Fact]
    public void Build_WhenMoreVariantsThanTheLimit_ShouldFoldTheCheapestIntoOther()
    {
        var invocations = Enumerable.Range(1, 5).Select(i => Invocation(i, "f", "arm" + i, 100, 0.001m * i, 10)).ToList();

        var sums = Sums(invocations, CardinalityLimits.Default with { Variant = 2 });

        var variants = sums.Keys.Where(k => k.StartsWith(AggregateKeys.VariantPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["variant#f|arm4", "variant#f|arm5", "variant#other"], variants);
        Assert.Equal(3, sums["variant#other"][CounterNames.Requests]);
        var report = Report(sums);
        Assert.Equal(3, report.GetProperty("features").GetProperty("other").GetProperty("variants").GetProperty("other").GetProperty("requests").GetInt64());
    }

    [Fact]
    public void VariantKey_WhenTheFeatureHoldsTheSeparator_ShouldStillSplitAtTheFeaturesEnd()
    {
        var key = AggregateKeys.Variant("a|b", "c|d");

        Assert.Equal(("a/b", "c|d"), AggregateKeys.SplitVariant(key[AggregateKeys.VariantPrefix.Length..]));
    }
}
