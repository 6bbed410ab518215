using Amazon.DynamoDBv2;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// Deferred aggregate writes on dynalite: one delta item per delivery, rolled up once, never before
/// the window is closed, into the totals direct writes give with each bucket folded to its limits.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeferredAggregateWritesTests : IClassFixture<DynaliteTableFixture>
{
    private readonly DynaliteTableFixture _table;
    private readonly DateTimeOffset _window;

    public DeferredAggregateWritesTests(DynaliteTableFixture table)
    {
        _table = table;
        _window = table.NextRange().AddHours(10);
    }

    /// <summary>When the window is closed for certain (window end + grace + timeout + margin, and a second).</summary>
    private DateTimeOffset Closed => _window + Buckets.FineWidth + DeferredAggregation.WriteGrace + DeferredAggregation.ProcessorTimeout + DeferredAggregation.Margin + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task WriteAsync_WhenTheDeliveryIsRedelivered_ShouldWriteOneDeltaItemOnce()
    {
        // Arrange
        var store = CreateStore();
        var writer = new AggregateWriter(store, store);
        var batch = Delivery("redelivered", 0, 6);

        // Act
        var first = await writer.WriteAsync(batch, _window.AddSeconds(40));
        var second = await writer.WriteAsync(batch, _window.AddMinutes(6));

        // Assert: one item, in the window's partition; the redelivery reads as "all already applied".
        Assert.Equal(new ApplyResult(1, 0, 1), first);
        Assert.Equal(new ApplyResult(0, 1, 1), second);
        var deltas = await store.GetDeltasAsync(_window);
        var delta = Assert.Single(deltas);
        Assert.Equal("redelivered", delta.BatchId);
        Assert.Equal(batch.ItemCount, delta.ItemCount);
        Assert.Empty(await store.GetItemsAsync(string.Empty, Granularity.Fine, _window, _window.AddHours(1)));
    }

    [Fact]
    public async Task WriteAsync_WhenTheWindowNoLongerAcceptsDeltas_ShouldWriteDirectlyUnlessItsDeltaIsThere()
    {
        // Arrange: one delivery wrote its delta on time; another arrives only after the grace period.
        var store = CreateStore();
        var writer = new AggregateWriter(store, store);
        var onTime = Delivery("on-time", 0, 4);
        var late = Delivery("late", 10, 4);
        await writer.WriteAsync(onTime, _window.AddMinutes(1));
        var afterGrace = _window + Buckets.FineWidth + DeferredAggregation.WriteGrace;

        // Act
        var lateRedelivery = await writer.WriteAsync(onTime, afterGrace);
        var lateDelivery = await writer.WriteAsync(late, afterGrace);

        // Assert: the late redelivery finds its delta and writes nothing; the late delivery goes to the items.
        Assert.Equal(new ApplyResult(0, 1, 1), lateRedelivery);
        Assert.Equal(late.ItemCount, lateDelivery.Applied);
        Assert.Equal(["on-time"], (await store.GetDeltasAsync(_window)).Select(b => b.BatchId));
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, _window, _window.AddHours(1));
        Assert.Equal(4, total[CounterNames.Requests]);
    }

    [Fact]
    public async Task RunAsync_WhenDeltasAreRolledUp_ShouldGiveTheDirectWritesTotalsWithEachBucketFoldedToItsLimits()
    {
        // Arrange: the same deliveries, written directly to one table and as deltas to this one. Each
        // delivery holds at most 12 of the 30 principals (folded on its own: nothing to fold); the
        // window holds all 30, over the limit of 20.
        var deliveries = Enumerable.Range(0, 8).Select(i => Delivery("delivery-" + i, i * 7, 5 + i, principals: 30)).ToList();
        var store = CreateStore();
        var writer = new AggregateWriter(store, store);
        await using var directTable = await SecondTableAsync();
        var direct = new DynamoDbAggregateStore(_table.Client, directTable.Name, retry: FastRetry());
        foreach (var delivery in deliveries)
        {
            await writer.WriteAsync(delivery, _window.AddMinutes(4));
            await direct.ApplyBatchAsync(delivery);
        }

        // The table's one watermark was left by earlier tests' (earlier) windows.
        await store.AdvanceRollupWatermarkAsync(_window - Buckets.FineWidth);

        // Act
        var result = await new DeltaRollup(store, store).RunAsync(Closed);

        // Assert: the keys under no limit (total, models) item by item as direct writes give them.
        Assert.Equal(deliveries.Count, result.Deltas);
        var rolled = await ItemsAsync(store);
        var expected = await ItemsAsync(direct);
        static bool IsPrincipal(string item) => item.Contains("|" + AggregateKeys.PrincipalPrefix, StringComparison.Ordinal);
        Assert.Equal(expected.Keys.Where(k => !IsPrincipal(k)).Order(), rolled.Keys.Where(k => !IsPrincipal(k)).Order());
        Assert.All(expected.Where(pair => !IsPrincipal(pair.Key)), pair => Assert.True(pair.Value.ContentEquals(rolled[pair.Key]), "item " + pair.Key));

        // The principals: direct writes keep all 30 in the bucket, the roll-up the 20 that rank first
        // (equal costs: most requests, then name) and "other" with the rest; the sums are the same.
        var directPrincipals = expected.Where(pair => IsPrincipal(pair.Key)).ToList();
        var rolledPrincipals = rolled.Where(pair => IsPrincipal(pair.Key)).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        Assert.Equal(30, directPrincipals.Count);
        Assert.Equal(CardinalityLimits.Default.Principal + 1, rolledPrincipals.Count);
        var top = directPrincipals
            .OrderByDescending(pair => pair.Value[CounterNames.CostMicros])
            .ThenByDescending(pair => pair.Value[CounterNames.Requests])
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(CardinalityLimits.Default.Principal)
            .ToList();
        Assert.All(top, pair => Assert.True(pair.Value.ContentEquals(rolledPrincipals[pair.Key]), "item " + pair.Key));
        var other = rolledPrincipals[Buckets.Label(_window, Granularity.Fine) + "|" + AggregateKeys.PrincipalPrefix + TopValues.Other];
        var folded = directPrincipals.Except(top).ToList();
        Assert.Equal(folded.Sum(pair => pair.Value[CounterNames.Requests]), other[CounterNames.Requests]);
        Assert.Equal(folded.Sum(pair => pair.Value[CounterNames.CostMicros]), other[CounterNames.CostMicros]);
        Assert.Equal(directPrincipals.Sum(pair => pair.Value[CounterNames.OutputTokens]), rolledPrincipals.Values.Sum(c => c[CounterNames.OutputTokens]));
        Assert.Contains(await store.GetMarkedHoursAsync(), mark => mark.Hour == Buckets.StartOf(_window, Granularity.Hourly));
        Assert.Equal(_window, await store.GetRollupWatermarkAsync());
    }

    [Fact]
    public async Task RunAsync_WhenAWindowOf30DeltasHolds60PrincipalsAndFailsPartWay_ShouldWriteTheTopNAndOtherOnce()
    {
        // Arrange: 30 deliveries of 2 principals each (60 in the window); the first roll-up's store
        // fails (HTTP 500) from its 11th UpdateItem on.
        var store = CreateStore();
        var deliveries = StoreTestData.SixtyPrincipalDeliveries(_window);
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);
        using var faulty = new FaultInjectingHandler((operation, count) => operation == "UpdateItem" && count > 10 ? FaultInjectingHandler.ServerError : null);
        using var faultyClient = _table.CreateClient(faulty);
        var failing = new DynamoDbAggregateStore(faultyClient, _table.TableName, retry: FastRetry(maxAttempts: 2), maxParallelRequests: 1);

        // Act
        await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => new DeltaRollup(failing, failing).RunAsync(Closed));
        var retried = await new DeltaRollup(store, store).RunAsync(Closed);

        // Assert: 21 principal items — p40 … p59 by cost and "other" with p00 … p39, exactly.
        var merged = DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_window), deliveries);
        Assert.Equal(merged.ItemCount - 10, retried.ItemsApplied);
        var principals = (await store.GetItemsAsync(AggregateKeys.PrincipalPrefix, Granularity.Fine, _window, _window.AddHours(1)))
            .ToDictionary(item => AggregateKeys.ValueOf(item.Key), item => item.Counters, StringComparer.Ordinal);
        Assert.Equal(
            Enumerable.Range(40, 20).Select(i => "role/p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(TopValues.Other).Order(StringComparer.Ordinal),
            principals.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(40, principals[TopValues.Other][CounterNames.Requests]);
        Assert.Equal(Enumerable.Range(1, 40).Sum(i => 1_000L * i), principals[TopValues.Other][CounterNames.CostMicros]);
        Assert.Equal(60, principals.Values.Sum(c => c[CounterNames.Requests]));
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, _window, _window.AddHours(1));
        Assert.Equal(60, total[CounterNames.Requests]);
        Assert.Equal(Enumerable.Range(1, 60).Sum(i => 1_000L * i), total[CounterNames.CostMicros]);
    }

    [Fact]
    public async Task RunAsync_WhenARollupFailsAfterSomeItemsAndRunsAgain_ShouldCountEveryDeltaOnce()
    {
        // Arrange: the roll-up's store fails (HTTP 500) from its 4th UpdateItem on.
        var store = CreateStore();
        var writer = new AggregateWriter(store, store);
        var deliveries = Enumerable.Range(0, 5).Select(i => Delivery("crash-" + i, i * 11, 6)).ToList();
        foreach (var delivery in deliveries)
        {
            await writer.WriteAsync(delivery, _window.AddMinutes(2));
        }

        await store.AdvanceRollupWatermarkAsync(_window - Buckets.FineWidth);
        using var faulty = new FaultInjectingHandler((operation, count) => operation == "UpdateItem" && count > 3 ? FaultInjectingHandler.ServerError : null);
        using var faultyClient = _table.CreateClient(faulty);
        var failing = new DynamoDbAggregateStore(faultyClient, _table.TableName, retry: FastRetry(maxAttempts: 2), maxParallelRequests: 1);

        // Act
        await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => new DeltaRollup(failing, failing).RunAsync(Closed));
        var watermarkAfterFailure = await store.GetRollupWatermarkAsync();
        var retried = await new DeltaRollup(store, store).RunAsync(Closed);

        // Assert: the failed run left the watermark; the retry skipped the 3 items already written.
        Assert.Equal(_window - Buckets.FineWidth, watermarkAfterFailure);
        var merged = DeferredAggregation.Merge("all", deliveries);
        Assert.Equal(merged.ItemCount - 3, retried.ItemsApplied);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, _window, _window.AddHours(1));
        Assert.Equal(30, total[CounterNames.Requests]);
        Assert.Equal(30 * 12_300, total[CounterNames.CostMicros]);
    }

    [Fact]
    public async Task RunAsync_BeforeTheWindowIsClosed_ShouldNotRollItUp()
    {
        // Arrange
        var store = CreateStore();
        await new AggregateWriter(store, store).WriteAsync(Delivery("open", 0, 3), _window.AddMinutes(1));
        await store.AdvanceRollupWatermarkAsync(_window - Buckets.FineWidth);
        var rollup = new DeltaRollup(store, store);

        // Act: a second before closure, then at closure.
        var early = await rollup.RunAsync(Closed - TimeSpan.FromSeconds(2));
        var itemsBefore = await store.GetItemsAsync(string.Empty, Granularity.Fine, _window, _window.AddHours(1));
        var onTime = await rollup.RunAsync(Closed);

        // Assert
        Assert.Equal(0, early.Windows);
        Assert.Empty(itemsBefore);
        Assert.Equal(1, onTime.Windows);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, _window, _window.AddHours(1));
        Assert.Equal(3, total[CounterNames.Requests]);
    }

    private DynamoDbAggregateStore CreateStore() => new(_table.Client, _table.TableName, retry: FastRetry());

    private static DynamoDbRetryPolicy FastRetry(int maxAttempts = 6) => new(maxAttempts, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>A delivery of <paramref name="count"/> records starting <paramref name="offsetSeconds"/> into the window, over several models and <paramref name="principals"/> principals.</summary>
    private AggregateBatch Delivery(string batchId, int offsetSeconds, int count, int principals = 4)
    {
        var records = Enumerable.Range(0, count)
            .Select(i => StoreTestData.Invocation(
                _window.AddSeconds(offsetSeconds + (i * 13)),
                model: i % 3 == 0 ? StoreTestData.Haiku : StoreTestData.Sonnet,
                principal: "role/p" + ((offsetSeconds + i) % principals),
                cost: 0.0123m,
                latencyMs: 300 + (i * 97),
                stopReason: i % 4 == 0 ? StopReasons.MaxTokens : StopReasons.EndTurn))
            .ToList();
        return AggregateBuilder.Build(batchId, records, []);
    }

    private async Task<Dictionary<string, AggregateCounters>> ItemsAsync(IAggregateStore store) =>
        (await store.GetItemsAsync(string.Empty, Granularity.Fine, _window, _window.AddHours(1)))
            .ToDictionary(item => Buckets.Label(item.BucketStart, Granularity.Fine) + "|" + item.Key, item => item.Counters, StringComparer.Ordinal);

    private async Task<SecondTable> SecondTableAsync()
    {
        var name = _table.TableName + "-direct";
        await TableLayout.CreateAsync(_table.Client, name, TimeProvider.System);
        return new SecondTable(_table.Client, name);
    }

    private sealed class SecondTable(IAmazonDynamoDB client, string name) : IAsyncDisposable
    {
        public string Name => name;

        public async ValueTask DisposeAsync() => await client.DeleteTableAsync(name);
    }
}
