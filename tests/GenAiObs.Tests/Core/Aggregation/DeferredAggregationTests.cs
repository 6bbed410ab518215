using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// A deferred window's deltas merged as the roll-up applies them: summed per (bucket, key), then
/// folded per bucket to the per-bucket limits with the ranking every other fold uses.
/// </summary>
public sealed class DeferredAggregationTests
{
    private static readonly DateTimeOffset Window = new(2026, 12, 7, 12, 35, 0, TimeSpan.Zero);

    /// <summary>The principal in every delivery: the cheapest in each, the costliest in the window.</summary>
    private const string Spread = "role/spread";

    [Fact]
    public void Merge_WhenAWindowOf30DeltasHolds60Principals_ShouldKeepTheTop20ByWindowCostAndSumTheRestIntoOther()
    {
        // Arrange
        var deliveries = SixtyPrincipals();
        var limit = CardinalityLimits.Default.Principal;

        // Act
        var merged = DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(Window), deliveries);

        // Assert: each delivery kept its 3 principals; the window keeps 20 and "other".
        Assert.All(deliveries, delivery => Assert.Equal(3, delivery.Deltas.Count(d => d.Key.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal))));
        var principals = merged.Deltas.Where(d => d.Key.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)).ToDictionary(d => d.Key, d => d.Counters, StringComparer.Ordinal);
        Assert.Equal(limit + 1, principals.Count);
        Assert.All(merged.Deltas, d => Assert.Equal(Window, d.BucketStart));

        // The spread principal ($0.03 over 30 requests) ties p59 on cost and ranks first on requests;
        // then p59 … p41 ($0.030 … $0.021); p00 … p40 fold.
        var expectedNamed = new[] { Spread }.Concat(Enumerable.Range(41, 19).Select(Principal)).Select(AggregateKeys.Principal).Append(AggregateKeys.PrincipalPrefix + TopValues.Other);
        Assert.Equal(expectedNamed.Order(StringComparer.Ordinal), principals.Keys.Order(StringComparer.Ordinal));
        var other = principals[AggregateKeys.PrincipalPrefix + TopValues.Other];
        Assert.Equal(41, other[CounterNames.Requests]);
        Assert.Equal(Enumerable.Range(0, 41).Sum(CostMicros), other[CounterNames.CostMicros]);

        // Nothing lost: the principals add up to the total, and the models were not touched.
        var total = Assert.Single(merged.Deltas, d => d.Key == AggregateKeys.Total).Counters;
        Assert.Equal(90, total[CounterNames.Requests]);
        Assert.Equal(total[CounterNames.Requests], principals.Values.Sum(c => c[CounterNames.Requests]));
        Assert.Equal(total[CounterNames.CostMicros], principals.Values.Sum(c => c[CounterNames.CostMicros]));
        Assert.Equal(total[CounterNames.InputTokens], principals.Values.Sum(c => c[CounterNames.InputTokens]));
        var unfolded = DeferredAggregation.Merge("unfolded", deliveries, new CardinalityLimits { Principal = 10_000 });
        Assert.Equal(61, unfolded.Deltas.Count(d => d.Key.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)));
        Assert.Equal(
            unfolded.Deltas.Where(d => !d.Key.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)).Select(d => (d.Key, Requests: d.Counters[CounterNames.Requests])),
            merged.Deltas.Where(d => !d.Key.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)).Select(d => (d.Key, Requests: d.Counters[CounterNames.Requests])));
    }

    [Fact]
    public void Merge_WhenTheLimitIsConfigured_ShouldKeepThatManyPrincipalsPerBucket()
    {
        // Arrange: GENAIOBS_MAX_VALUES=principal=5, as the evaluator reads it.
        var limits = CardinalityLimits.Default.With("principal=5");

        // Act
        var merged = DeferredAggregation.Merge("roll", SixtyPrincipals(), limits);

        // Assert
        var principals = merged.Deltas.Where(d => d.Key.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)).Select(d => d.Key).ToList();
        Assert.Equal(6, principals.Count);
        Assert.Contains(AggregateKeys.Principal(Spread), principals);
        Assert.Contains(AggregateKeys.Principal(Principal(59)), principals);
    }

    [Fact]
    public void Merge_WhenTheSameDeltasComeInAnotherOrder_ShouldGiveTheSameItems()
    {
        // Arrange: a retried roll-up reads the window's deltas again, in whatever order the Query returns.
        var deliveries = SixtyPrincipals();
        var shuffled = deliveries.Where((_, i) => i % 2 == 1).Concat(deliveries.Where((_, i) => i % 2 == 0).Reverse()).ToList();

        // Act
        var first = DeferredAggregation.Merge("roll", deliveries);
        var again = DeferredAggregation.Merge("roll", shuffled);

        // Assert
        Assert.NotEqual(deliveries.Select(d => d.BatchId), shuffled.Select(d => d.BatchId));
        Assert.Equal(first.Deltas.Select(d => (d.BucketStart, d.Key)), again.Deltas.Select(d => (d.BucketStart, d.Key)));
        Assert.All(first.Deltas.Zip(again.Deltas), pair => Assert.True(pair.First.Counters.ContentEquals(pair.Second.Counters), pair.First.Key));
    }

    [Fact]
    public async Task ApplyBatchAsync_WhenTheFoldedRollupIsAppliedAgain_ShouldCountItOnce()
    {
        // Arrange: the roll-up applied, then run again (after a failure that left the watermark).
        var store = new InMemoryAggregateStore();
        var deliveries = SixtyPrincipals();
        var batchId = DeferredAggregation.RollupBatchId(Window);
        var first = await store.ApplyBatchAsync(DeferredAggregation.Merge(batchId, deliveries));

        // Act
        var again = await store.ApplyBatchAsync(DeferredAggregation.Merge(batchId, Enumerable.Reverse(deliveries)));

        // Assert: the same 21 principal items, none applied twice.
        Assert.Equal(0, again.Applied);
        Assert.Equal(first.Applied, again.AlreadyApplied);
        var principals = await store.GetItemsAsync(AggregateKeys.PrincipalPrefix, Granularity.Fine, Window, Window + Buckets.FineWidth);
        Assert.Equal(21, principals.Count);
        Assert.Equal(90, principals.Sum(item => item.Counters[CounterNames.Requests]));
    }

    [Fact]
    public void Merge_WhenAWindowHoldsMoreSessionsThanTheLimit_ShouldKeepEverySession()
    {
        // Arrange: 30 span deliveries of two sessions each (60 sessions; the session limit is 50).
        var deliveries = Enumerable.Range(0, 30).Select(d => AggregateBuilder.Build(
            "spans-" + d.ToString(CultureInfo.InvariantCulture),
            [],
            [.. Enumerable.Range(0, 2).Select(i => StoreTestData.Span(
                Window.AddSeconds((d * 10) + i),
                SpanClass.ModelCall,
                sessionId: "session-" + ((d * 2) + i).ToString("D2", CultureInfo.InvariantCulture),
                traceId: "trace-" + ((d * 2) + i).ToString("D2", CultureInfo.InvariantCulture),
                model: StoreTestData.Haiku,
                cost: 0.001m))])).ToList();

        // Act
        var merged = DeferredAggregation.Merge("roll", deliveries);

        // Assert: RunawayAgentSession reads each session by name; sessions keep the per-delivery fold.
        Assert.Equal(60, merged.Deltas.Count(d => d.Key.StartsWith(AggregateKeys.SessionPrefix, StringComparison.Ordinal)));
        Assert.DoesNotContain(merged.Deltas, d => d.Key == AggregateKeys.SessionPrefix + TopValues.Other);
        Assert.Equal(60, merged.Deltas.Count(d => d.Key.StartsWith(AggregateKeys.TracePrefix, StringComparison.Ordinal)));
    }

    /// <summary>
    /// 30 deliveries 10 s apart in one bucket. Delivery d: principals 2d and 2d+1 (principal i costs
    /// $0.0005 × (i + 1)), and <see cref="Spread"/> at $0.001 — 60 principals plus one, 90 requests.
    /// </summary>
    private static List<AggregateBatch> SixtyPrincipals() =>
        [.. Enumerable.Range(0, 30).Select(d => AggregateBuilder.Build(
            "delivery-" + d.ToString("D2", CultureInfo.InvariantCulture),
            [
                .. Enumerable.Range(0, 2).Select(i => StoreTestData.Invocation(
                    Window.AddSeconds((d * 10) + i),
                    model: i == 0 ? StoreTestData.Haiku : StoreTestData.Sonnet,
                    principal: Principal((d * 2) + i),
                    cost: AggregateCounters.FromMicros(CostMicros((d * 2) + i)))),
                StoreTestData.Invocation(Window.AddSeconds((d * 10) + 5), principal: Spread, cost: 0.001m),
            ],
            []))];

    private static string Principal(int i) => "role/p" + i.ToString("D2", CultureInfo.InvariantCulture);

    private static long CostMicros(int principal) => 500 * (principal + 1);
}
