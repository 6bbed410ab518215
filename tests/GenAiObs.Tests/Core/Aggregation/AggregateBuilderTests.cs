using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Store;

public sealed class AggregateBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_WhenRecordsShareBucketAndKey_ShouldCoalesceIntoOneDeltaPerPair()
    {
        // Arrange: three calls in the 10:00 bucket, one in 10:05, two principals.
        var invocations = new[]
        {
            StoreTestData.Invocation(T0.AddSeconds(10), principal: "a"),
            StoreTestData.Invocation(T0.AddSeconds(20), principal: "a"),
            StoreTestData.Invocation(T0.AddMinutes(4), principal: "b"),
            StoreTestData.Invocation(T0.AddMinutes(5), principal: "a"),
        };

        // Act
        var batch = AggregateBuilder.Build("b1", invocations, []);

        // Assert: 10:00 → total, model, principal#a, principal#b; 10:05 → total, model, principal#a.
        Assert.Equal(7, batch.ItemCount);
        var total = Delta(batch, T0, AggregateKeys.Total);
        Assert.Equal(3, total.Counters[CounterNames.Requests]);
        Assert.Equal(2, Delta(batch, T0, AggregateKeys.Principal("a")).Counters[CounterNames.Requests]);
        Assert.Equal(1, Delta(batch, T0.AddMinutes(5), AggregateKeys.Model(StoreTestData.Sonnet)).Counters[CounterNames.Requests]);
    }

    [Fact]
    public void Build_WhenCostHasSubMicroDigits_ShouldRoundEachRecordHalfEvenBeforeSumming()
    {
        // Arrange: 0.0000025 → 2 (half-even), 0.0000035 → 4, 0.00000251 → 3.
        var invocations = new[]
        {
            StoreTestData.Invocation(T0, cost: 0.0000025m),
            StoreTestData.Invocation(T0, cost: 0.0000035m),
            StoreTestData.Invocation(T0, cost: 0.00000251m),
        };

        // Act
        var batch = AggregateBuilder.Build("b1", invocations, []);

        // Assert
        Assert.Equal(9, Delta(batch, T0, AggregateKeys.Total).Counters[CounterNames.CostMicros]);
    }

    [Fact]
    public void Build_WhenRequestMetadataHasMixedCaseKeys_ShouldAddTeamApplicationAndEnvironmentKeys()
    {
        // Arrange
        var metadata = new Dictionary<string, string> { ["Team"] = "search", ["APPLICATION"] = "support-bot", ["environment"] = "prod", ["costCenter"] = "42" };

        // Act
        var batch = AggregateBuilder.Build("b1", [StoreTestData.Invocation(T0, metadata: metadata)], []);

        // Assert
        var keys = batch.Deltas.Select(d => d.Key).ToHashSet();
        Assert.Contains("team#search", keys);
        Assert.Contains("app#support-bot", keys);
        Assert.Contains("env#prod", keys);
        Assert.Equal(6, keys.Count);
    }

    [Fact]
    public void Build_WhenCallsFailOrAreUnpriced_ShouldCountErrorsThrottlesStopReasonsAndUnpricedSeparately()
    {
        // Arrange
        var invocations = new[]
        {
            StoreTestData.Invocation(T0, stopReason: StopReasons.MaxTokens),
            StoreTestData.Invocation(T0, errorCode: "ThrottlingException", stopReason: StopReasons.Unknown),
            StoreTestData.Invocation(T0, errorCode: "ValidationException", stopReason: StopReasons.Unknown, priced: false),
            StoreTestData.Invocation(T0, model: "acme.unknown-model", priced: false, cost: 0m),
        };

        // Act
        var total = Delta(AggregateBuilder.Build("b1", invocations, []), T0, AggregateKeys.Total).Counters;

        // Assert
        Assert.Equal(4, total[CounterNames.Requests]);
        Assert.Equal(2, total[CounterNames.Errors]);
        Assert.Equal(1, total[CounterNames.Throttles]);
        Assert.Equal(1, total[CounterNames.StopReason(StopReasons.MaxTokens)]);
        Assert.Equal(1, total[CounterNames.StopReason(StopReasons.EndTurn)]);
        Assert.Equal(0, total[CounterNames.StopReason(StopReasons.Unknown)]);
        Assert.Equal(1, total[CounterNames.Unpriced]);
        Assert.Equal(2, total[CounterNames.UnpricedAny]);
    }

    [Fact]
    public void Build_WhenLatenciesPresent_ShouldStoreLogHistogramBinsAsCounters()
    {
        // Arrange
        var invocations = new[]
        {
            StoreTestData.Invocation(T0, latencyMs: 850, ttftMs: 120),
            StoreTestData.Invocation(T0, latencyMs: 850.5, ttftMs: null),
            StoreTestData.Invocation(T0, latencyMs: 0, ttftMs: null),
        };

        // Act
        var counters = Delta(AggregateBuilder.Build("b1", invocations, []), T0, AggregateKeys.Total).Counters;

        // Assert
        Assert.Equal(2, counters[CounterNames.HistogramBin(HistogramFamily.Latency, LogHistogram.BinOf(850))]);
        Assert.Equal(1, counters["h_lat_z"]);
        Assert.Equal(1, counters.Histogram(HistogramFamily.TimeToFirstToken).Count);
        Assert.Equal(3, counters.Histogram(HistogramFamily.Latency).Count);
    }

    [Fact]
    public void Build_WhenSpansOfEveryClass_ShouldFillSpanKeysAndCounters()
    {
        // Arrange
        var spans = new[]
        {
            StoreTestData.Span(T0, SpanClass.Agent, durationMs: 5000, isError: true),
            StoreTestData.Span(T0, SpanClass.ModelCall, model: "gpt-4o", input: 900, output: 120, cost: 0.00345m, finishReasons: [StopReasons.ToolUse]),
            StoreTestData.Span(T0, SpanClass.Tool, tool: "get_weather", toolFailed: true),
            StoreTestData.Span(T0, SpanClass.Other, sessionId: null, traceId: "trace-2"),
        };

        // Act
        var batch = AggregateBuilder.Build("b1", [], spans);

        // Assert
        var total = Delta(batch, T0, AggregateKeys.Total).Counters;
        Assert.Equal(4, total[CounterNames.Spans]);
        Assert.Equal(1, total[CounterNames.SpanErrors]);
        Assert.Equal(1, total[CounterNames.AgentErrors]);
        Assert.Equal(1, total[CounterNames.ModelCalls]);
        Assert.Equal(1, total[CounterNames.ToolErrors]);
        Assert.Equal(900, total[CounterNames.SpanInputTokens]);
        Assert.Equal(3450, total[CounterNames.SpanCostMicros]);
        Assert.Equal(1, total[CounterNames.FinishReason(StopReasons.ToolUse)]);
        Assert.Equal(1, Delta(batch, T0, AggregateKeys.SpanModel("gpt-4o")).Counters.Histogram(HistogramFamily.SpanDuration).Count);
        Assert.Equal(1, Delta(batch, T0, AggregateKeys.Tool("get_weather")).Counters[CounterNames.ToolErrors]);
        Assert.Equal(3, Delta(batch, T0, AggregateKeys.Session("session-a")).Counters[CounterNames.Spans]);
        Assert.Equal(1, Delta(batch, T0, AggregateKeys.Trace("trace-2")).Counters[CounterNames.Spans]);
        Assert.Equal(1, Delta(batch, T0, AggregateKeys.Component("other:POST")).Counters[CounterNames.Spans]);
        Assert.Equal(4, Delta(batch, T0, AggregateKeys.Service("travel-agent")).Counters.Histogram(HistogramFamily.SpanDuration).Count);
    }

    [Fact]
    public void Build_WhenBuiltTwice_ShouldGiveTheSameOrderedDeltas()
    {
        // Arrange
        var invocations = Enumerable.Range(0, 50).Select(i => StoreTestData.Invocation(T0.AddSeconds(i * 17), principal: "p" + (i % 7))).ToList();

        // Act
        var first = AggregateBuilder.Build("b1", invocations, []);
        var second = AggregateBuilder.Build("b1", invocations.AsEnumerable().Reverse(), []);

        // Assert
        Assert.Equal(first.Deltas.Select(d => (d.BucketStart, d.Key)), second.Deltas.Select(d => (d.BucketStart, d.Key)));
        Assert.All(first.Deltas.Zip(second.Deltas), pair => Assert.True(pair.First.Counters.ContentEquals(pair.Second.Counters)));
    }

    [Fact]
    public void Build_WhenEveryFixedCounterHasItsOwnValue_ShouldStoreEachUnderItsOwnNameAndNothingElse()
    {
        // Arrange: distinct primes wherever a record carries a number, so two counters sharing a
        // slot (or a slot under the wrong name) would show as a wrong or merged value.
        var answered = StoreTestData.Invocation(T0, input: 11, output: 13, cacheRead: 17, cacheWrite: 19, cost: 0.023m, latencyMs: null);
        answered = answered with { Record = answered.Record with { Dimensions = new RequestDimensions("search", null, null, null) } };
        var throttled = StoreTestData.Invocation(T0, input: 0, output: 0, errorCode: "ThrottlingException", latencyMs: null);
        var unpriced = StoreTestData.Invocation(T0, model: "acme.unknown-model", input: 0, output: 0, cost: 0m, priced: false, latencyMs: null);
        var image = StoreTestData.Invocation(T0, model: "stability.sd3-large-v1:0", input: 0, output: 0, cost: 0m, priced: false, latencyMs: null) with { NotTokenPriced = true };
        var agent = StoreTestData.Span(T0, SpanClass.Agent, isError: true);
        var call = StoreTestData.Span(T0, SpanClass.ModelCall, model: "gpt-4o", input: 29, output: 31, cost: 0.000037m, priced: false);
        call = call with { Span = call.Span with { CacheReadTokens = 41, CacheWriteTokens = 43 } };
        var tool = StoreTestData.Span(T0, SpanClass.Tool, tool: "get_weather", toolFailed: true);

        // Act
        var total = Delta(AggregateBuilder.Build("b1", [answered, throttled, unpriced, image], [agent, call, tool]), T0, AggregateKeys.Total).Counters;

        // Assert
        var expected = new Dictionary<string, long>
        {
            [CounterNames.Requests] = 4,
            [CounterNames.Errors] = 1,
            [CounterNames.Throttles] = 1,
            [CounterNames.InputTokens] = 11,
            [CounterNames.OutputTokens] = 13,
            [CounterNames.CacheReadTokens] = 17,
            [CounterNames.CacheWriteTokens] = 19,
            [CounterNames.CostMicros] = 23_000,
            [CounterNames.CostSquareNanos] = 529_000, // 0.023² USD² in 10⁻⁹ units: only tagged requests carry it
            [CounterNames.Unpriced] = 1,
            [CounterNames.UnpricedAny] = 1,
            [CounterNames.NotTokenPriced] = 1,
            [CounterNames.NotTokenPricedAny] = 1,
            [CounterNames.StopReason(StopReasons.EndTurn)] = 3,
            [CounterNames.Spans] = 3,
            [CounterNames.SpanErrors] = 1,
            [CounterNames.Agents] = 1,
            [CounterNames.AgentErrors] = 1,
            [CounterNames.ModelCalls] = 1,
            [CounterNames.SpanInputTokens] = 29,
            [CounterNames.SpanOutputTokens] = 31,
            [CounterNames.SpanCacheReadTokens] = 41,
            [CounterNames.SpanCacheWriteTokens] = 43,
            [CounterNames.SpanCostMicros] = 37,
            [CounterNames.SpanUnpriced] = 1,
            [CounterNames.Tools] = 1,
            [CounterNames.ToolErrors] = 1,
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), total.Values.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void CounterNames_ShouldGiveEveryCounterADistinctStoredName()
    {
        // Arrange
        var names = typeof(CounterNames).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (Field: field.Name, Value: (string)field.GetRawConstantValue()!))
            .ToList();

        // Act
        var shared = names.GroupBy(name => name.Value, StringComparer.Ordinal).Where(group => group.Count() > 1).Select(group => string.Join(" = ", group.Select(name => name.Field)));

        // Assert
        Assert.True(names.Count >= 26, $"found {names.Count} counter names");
        Assert.Empty(shared);
    }

    private static AggregateDelta Delta(AggregateBatch batch, DateTimeOffset bucket, string key) =>
        Assert.Single(batch.Deltas, d => d.BucketStart == bucket && d.Key == key);
}
