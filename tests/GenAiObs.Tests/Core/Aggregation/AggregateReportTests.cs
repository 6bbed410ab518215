using System.Buffers;
using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

public sealed class AggregateReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteJson_WhenReadBackFromAStore_ShouldEqualTheReplayInvocationSummary()
    {
        // Arrange: the same records through the replay summary and through the store.
        var records = Invocations();
        var summary = new InvocationSummary();
        foreach (var record in records)
        {
            summary.Add(record);
        }

        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build("report", records, []));
        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, T0, T0.AddHours(2));

        // Act
        using var report = Write(writer => AggregateReport.WriteJson(writer, sums));
        using var replay = Write(writer => summary.WriteJson(writer, includeRejected: false));

        // Assert
        JsonAssert.Equivalent(replay.RootElement, report.RootElement.GetProperty("invocations"));
        AssertInvocationTotals(report.RootElement.GetProperty("invocations"));
    }

    [Fact]
    public void WriteJson_WhenSpansAreStored_ShouldWriteTheReplaySpanFields()
    {
        // Arrange
        var spans = new[]
        {
            StoreTestData.Span(T0, SpanClass.Agent, traceId: "t1", sessionId: "s1", isError: true),
            StoreTestData.Span(T0.AddMinutes(1), SpanClass.ModelCall, model: "gpt-4o", input: 100, output: 20, cost: 0.0004m, durationMs: 1000, traceId: "t1", sessionId: "s1"),
            StoreTestData.Span(T0.AddMinutes(6), SpanClass.ModelCall, model: "gpt-4o", input: 50, output: 10, cost: 0.0002m, durationMs: 2000, traceId: "t2", sessionId: "s2"),
            StoreTestData.Span(T0.AddMinutes(6), SpanClass.Tool, tool: "search", toolFailed: true, durationMs: 300, traceId: "t2", sessionId: null),
        };
        var batch = AggregateBuilder.Build("spans", [], spans);
        var sums = new Dictionary<string, AggregateCounters>();
        foreach (var delta in batch.Deltas)
        {
            if (!sums.TryGetValue(delta.Key, out var sum))
            {
                sums[delta.Key] = sum = new AggregateCounters();
            }

            sum.Merge(delta.Counters);
        }

        // Act
        using var report = Write(writer => AggregateReport.WriteJson(writer, sums));

        // Assert
        var json = report.RootElement.GetProperty("spans");
        Assert.Equal(4, json.GetProperty("records").GetInt32());
        Assert.Equal(2, json.GetProperty("modelCalls").GetInt32());
        Assert.Equal(1, json.GetProperty("toolCalls").GetInt32());
        Assert.Equal(1, json.GetProperty("agentInvocations").GetInt32());
        Assert.Equal(1, json.GetProperty("errorSpans").GetInt32());
        Assert.Equal(1, json.GetProperty("toolErrors").GetInt32());
        Assert.Equal(2, json.GetProperty("traces").GetInt32());
        Assert.Equal(2, json.GetProperty("sessions").GetInt32());
        Assert.Equal(150, json.GetProperty("inputTokens").GetInt32());
        Assert.Equal(30, json.GetProperty("outputTokens").GetInt32());
        Assert.Equal(0.0006m, json.GetProperty("costUsd").GetDecimal());
        var model = json.GetProperty("byModel").GetProperty("gpt-4o");
        Assert.Equal(2, model.GetProperty("calls").GetInt32());
        Assert.InRange(model.GetProperty("p50Ms").GetDouble(), 990, 1010);
        Assert.InRange(model.GetProperty("p99Ms").GetDouble(), 1980, 2020);
        var tool = json.GetProperty("byTool").GetProperty("search");
        Assert.Equal(1, tool.GetProperty("errors").GetInt32());
        Assert.InRange(tool.GetProperty("p95Ms").GetDouble(), 297, 303);
    }

    /// <summary>Mixed models, principals, errors, an unpriced model and cache tokens; costs in whole micro-dollars.</summary>
    internal static List<PricedInvocation> Invocations() =>
    [
        StoreTestData.Invocation(T0.AddMinutes(1), principal: "analytics-role", cost: 0.008100m, cacheRead: 400),
        StoreTestData.Invocation(T0.AddMinutes(2), principal: "analytics-role", cost: 0.012345m, stopReason: StopReasons.MaxTokens),
        StoreTestData.Invocation(T0.AddMinutes(7), model: StoreTestData.Haiku, principal: "user/alice", cost: 0.000321m, stopReason: StopReasons.ToolUse, cacheWrite: 800),
        StoreTestData.Invocation(T0.AddMinutes(8), model: StoreTestData.Haiku, principal: "user/alice", errorCode: "ThrottlingException"),
        StoreTestData.Invocation(T0.AddMinutes(40), model: "acme.mystery-v1", principal: "root", priced: false, cost: 0m),
        StoreTestData.Invocation(T0.AddMinutes(65), principal: "batch-role", cost: 1.5m, stopReason: StopReasons.GuardrailIntervened),
    ];

    /// <summary>
    /// The totals of <see cref="Invocations"/>, added up by hand so a bug the replay summary and the
    /// store report share still fails: 6 records, 1 error (the throttled call), 6 × 1,200 = 7,200
    /// input and 6 × 300 = 1,800 output tokens, 400 cache-read and 800 cache-write tokens, 1 unpriced
    /// (acme.mystery-v1); cost $0.008100 + $0.012345 + $0.000321 + $0 (throttled) + $0 (unpriced)
    /// + $1.5 = $1.520766.
    /// </summary>
    internal static void AssertInvocationTotals(JsonElement invocations)
    {
        Assert.Equal(
            (6L, 1L, 7200L, 1800L, 400L, 800L, 1L),
            (invocations.GetProperty("records").GetInt64(), invocations.GetProperty("errors").GetInt64(),
             invocations.GetProperty("inputTokens").GetInt64(), invocations.GetProperty("outputTokens").GetInt64(),
             invocations.GetProperty("cacheReadTokens").GetInt64(), invocations.GetProperty("cacheWriteTokens").GetInt64(),
             invocations.GetProperty("unpriced").GetInt64()));
        Assert.Equal(1.520766m, invocations.GetProperty("costUsd").GetDecimal());
    }

    internal static JsonDocument Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }
}
