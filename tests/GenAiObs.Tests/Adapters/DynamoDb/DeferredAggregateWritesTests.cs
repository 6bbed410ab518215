using Amazon.DynamoDBv2;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// Deferred aggregate writes on dynalite: one delta item per delivery, rolled up into exactly the
/// fine items direct writes give, once, and never before the window is closed.
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
    public async Task RunAsync_WhenDeltasAreRolledUp_ShouldGiveExactlyTheItemsDirectWritesGive()
    {
        // Arrange: the same deliveries, written directly to one table and as deltas to this one.
        var deliveries = Enumerable.Range(0, 8).Select(i => Delivery("delivery-" + i, i * 7, 5 + i)).ToList();
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

        // Assert: item by item, the same keys and counters; the hour is marked for maintenance.
        Assert.Equal(deliveries.Count, result.Deltas);
        var rolled = await ItemsAsync(store);
        var expected = await ItemsAsync(direct);
        Assert.True(expected.Count >= 7, $"the deliveries should touch several items, touched {expected.Count}");
        Assert.Equal(expected.Keys.Order(), rolled.Keys.Order());
        Assert.All(expected, pair => Assert.True(pair.Value.ContentEquals(rolled[pair.Key]), "item " + pair.Key));
        Assert.Contains(await store.GetMarkedHoursAsync(), mark => mark.Hour == Buckets.StartOf(_window, Granularity.Hourly));
        Assert.Equal(_window, await store.GetRollupWatermarkAsync());
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

    /// <summary>A delivery of <paramref name="count"/> records starting <paramref name="offsetSeconds"/> into the window, over several models and principals.</summary>
    private AggregateBatch Delivery(string batchId, int offsetSeconds, int count)
    {
        var records = Enumerable.Range(0, count)
            .Select(i => StoreTestData.Invocation(
                _window.AddSeconds(offsetSeconds + (i * 13)),
                model: i % 3 == 0 ? StoreTestData.Haiku : StoreTestData.Sonnet,
                principal: "role/p" + ((offsetSeconds + i) % 4),
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
