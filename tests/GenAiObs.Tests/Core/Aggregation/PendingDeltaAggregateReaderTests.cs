using Amazon.DynamoDBv2;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// Deferred writes read through the pending deltas on dynalite: before, during and after the
/// roll-up, the reader gives exactly the items direct writes give (fine and hourly), counting no
/// delta twice and none never.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PendingDeltaAggregateReaderTests : IClassFixture<DynaliteTableFixture>
{
    private readonly DynaliteTableFixture _table;
    private readonly DateTimeOffset _window;

    public PendingDeltaAggregateReaderTests(DynaliteTableFixture table)
    {
        _table = table;
        _window = table.NextRange().AddHours(10);
    }

    /// <summary>In the third window, which holds deltas: the first window is closed (a roll-up may take it), the second not yet.</summary>
    private DateTimeOffset Now => _window.AddMinutes(13);

    private DateTimeOffset Hour => Buckets.StartOf(_window, Granularity.Hourly);

    [Fact]
    public async Task GetItemsAsync_WhenNoWindowIsRolledUpYet_ShouldReadTheItemsDirectWritesGive()
    {
        // Arrange: deliveries over three windows, left as deltas, plus one late delivery written to
        // the items directly (as a processor does after the grace period); the direct table is the control.
        var store = CreateStore();
        await using var direct = await DirectTableAsync();
        await WriteAsync(store, direct.Store);
        var late = Delivery("late", 20, 3);
        Assert.Equal(late.ItemCount, (await new AggregateWriter(store, store).WriteAsync(late, _window + Buckets.FineWidth + DeferredAggregation.WriteGrace)).Applied);
        await direct.Store.ApplyBatchAsync(late);
        var clock = new SimulatedClock(Now);
        await new AggregateMaintenance(store, clock).RollupAsync(Granularity.Hourly, Hour);
        var reader = new PendingDeltaAggregateReader(store, store, clock);

        // Act
        var fine = await ItemsAsync(reader, Granularity.Fine);
        var total = await reader.SumAsync(AggregateKeys.Total, Granularity.Fine, _window, _window.AddHours(1));
        var hourly = await ItemsAsync(reader, Granularity.Hourly);

        // Assert: item by item what direct writes give, though the table holds only the late delivery's items.
        Assert.Equal([_window, _window + Buckets.FineWidth, _window + (2 * Buckets.FineWidth)], reader.PendingWindows);
        Assert.Equal(late.ItemCount, (await store.GetItemsAsync(string.Empty, Granularity.Fine, _window, _window.AddHours(1))).Count);
        AssertSameItems(await ItemsAsync(direct.Store, Granularity.Fine), fine);
        Assert.Equal(Requests + 3, total[CounterNames.Requests]);
        await new AggregateMaintenance(direct.Store, clock).RollupAsync(Granularity.Hourly, Hour);
        AssertSameItems(await ItemsAsync(direct.Store, Granularity.Hourly), hourly);
    }

    [Fact]
    public async Task GetItemsAsync_AfterTheRollupAndMaintenance_ShouldCountNothingTwice()
    {
        // Arrange: the first window rolled up and its hour recomputed, as an evaluator run does.
        var store = CreateStore();
        await using var direct = await DirectTableAsync();
        await WriteAsync(store, direct.Store);
        var clock = new SimulatedClock(Now);
        var rolled = await new DeltaRollup(store, store).RunAsync(Now);
        await new AggregateMaintenance(store, clock).RollupAsync(Granularity.Hourly, Hour);
        await new AggregateMaintenance(direct.Store, clock).RollupAsync(Granularity.Hourly, Hour);
        var reader = new PendingDeltaAggregateReader(store, store, clock);

        // Act
        var fine = await ItemsAsync(reader, Granularity.Fine);
        var hourly = await ItemsAsync(reader, Granularity.Hourly);

        // Assert
        Assert.Equal(1, rolled.Windows);
        Assert.Equal([_window + Buckets.FineWidth, _window + (2 * Buckets.FineWidth)], reader.PendingWindows);
        AssertSameItems(await ItemsAsync(direct.Store, Granularity.Fine), fine);
        AssertSameItems(await ItemsAsync(direct.Store, Granularity.Hourly), hourly);
        Assert.Equal(Requests, (await reader.SumAsync(AggregateKeys.Total, Granularity.Hourly, Hour, Hour.AddHours(1)))[CounterNames.Requests]);
    }

    [Fact]
    public async Task GetItemsAsync_WhenAWindowIsRolledUpBetweenTwoReads_ShouldNotCountItTwice()
    {
        // Arrange: the reader has loaded the pending deltas (first read) at a time the first window may be rolled up.
        var store = CreateStore();
        await using var direct = await DirectTableAsync();
        await WriteAsync(store, direct.Store);
        var clock = new SimulatedClock(Now);
        var reader = new PendingDeltaAggregateReader(store, store, clock);
        var before = await reader.SumAsync(AggregateKeys.Total, Granularity.Fine, _window, _window.AddHours(1));
        var pendingBefore = reader.PendingWindows;

        // Act: another evaluator rolls the first window up and recomputes its hour, then the reader reads again.
        await new DeltaRollup(store, store).RunAsync(Now);
        await new AggregateMaintenance(store, clock).RollupAsync(Granularity.Hourly, Hour);
        var fine = await ItemsAsync(reader, Granularity.Fine);
        var hourly = await reader.SumAsync(AggregateKeys.Total, Granularity.Hourly, Hour, Hour.AddHours(1));

        // Assert: the rolled-up window left the overlay; every figure is the direct one.
        Assert.Equal(Requests, before[CounterNames.Requests]);
        Assert.Contains(_window, pendingBefore);
        Assert.DoesNotContain(_window, reader.PendingWindows);
        AssertSameItems(await ItemsAsync(direct.Store, Granularity.Fine), fine);
        Assert.Equal(Requests, hourly[CounterNames.Requests]);
        Assert.Equal(Requests * 12_300, hourly[CounterNames.CostMicros]);
    }

    [Fact]
    public async Task GetSeriesAsync_WhenAKeyExistsOnlyInDeltas_ShouldReturnItsItemsInTimeOrder()
    {
        // Arrange
        var store = CreateStore();
        await using var direct = await DirectTableAsync();
        await WriteAsync(store, direct.Store);
        var reader = new PendingDeltaAggregateReader(store, store, new SimulatedClock(Now));
        var key = AggregateKeys.ModelPrefix + StoreTestData.Haiku;

        // Act
        var series = await reader.GetSeriesAsync(key, Granularity.Fine, _window, _window.AddHours(1));

        // Assert
        Assert.Empty(await store.GetSeriesAsync(key, Granularity.Fine, _window, _window.AddHours(1)));
        var expected = await direct.Store.GetSeriesAsync(key, Granularity.Fine, _window, _window.AddHours(1));
        Assert.True(expected.Count >= 2, $"the model should be in several buckets, is in {expected.Count}");
        Assert.Equal(expected.Select(item => item.BucketStart), series.Select(item => item.BucketStart));
        Assert.All(expected.Zip(series), pair => Assert.True(pair.First.Counters.ContentEquals(pair.Second.Counters), Buckets.Label(pair.First.BucketStart, Granularity.Fine)));
    }

    [Fact]
    public async Task GetItemsAsync_WhenAWindowHoldsMorePrincipalsThanTheLimit_ShouldReadBeforeTheRollupWhatItWritesAfter()
    {
        // Arrange: 30 deliveries of 2 principals each in the first window (60 principals, limit 20).
        var store = CreateStore();
        var deliveries = StoreTestData.SixtyPrincipalDeliveries(_window);
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);
        var before = await ItemsAsync(new PendingDeltaAggregateReader(store, store, new SimulatedClock(Now)), Granularity.Fine);

        // Act: the window rolled up; a reader that no longer has it pending.
        var closed = _window + Buckets.FineWidth + DeferredAggregation.WriteGrace + DeferredAggregation.ProcessorTimeout + DeferredAggregation.Margin;
        Assert.Equal(1, (await new DeltaRollup(store, store, maxWindows: 1).RunAsync(closed)).Windows);
        var afterReader = new PendingDeltaAggregateReader(store, store, new SimulatedClock(closed));
        var after = await ItemsAsync(afterReader, Granularity.Fine);

        // Assert: the same 21 principal items (top 20 and "other") and counters either way.
        Assert.DoesNotContain(_window, afterReader.PendingWindows);
        Assert.Equal(21, before.Keys.Count(key => key.Contains("|" + AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)));
        AssertSameItems(after, before);
        Assert.Equal(after.Count, (await store.GetItemsAsync(string.Empty, Granularity.Fine, _window, _window.AddHours(1))).Count);
    }

    /// <summary>Records in the deliveries <see cref="WriteAsync"/> writes.</summary>
    private const int Requests = 6 * 5;

    /// <summary>
    /// Six deliveries two minutes apart (the last ones' records reach the third window), as deltas
    /// in <paramref name="deferred"/> and applied to <paramref name="direct"/>; the watermark just
    /// before the first window (the table's one watermark was left by earlier tests' windows).
    /// </summary>
    private async Task WriteAsync(DynamoDbAggregateStore deferred, DynamoDbAggregateStore direct)
    {
        var writer = new AggregateWriter(deferred, deferred);
        foreach (var delivery in Enumerable.Range(0, 6).Select(i => Delivery("delivery-" + i, i * 120, 5)))
        {
            Assert.Equal(new ApplyResult(1, 0, 1), await writer.WriteAsync(delivery, DeferredAggregation.WindowOf(delivery).AddMinutes(1)));
            await direct.ApplyBatchAsync(delivery);
        }

        await deferred.AdvanceRollupWatermarkAsync(_window - Buckets.FineWidth);
    }

    private DynamoDbAggregateStore CreateStore() => new(_table.Client, _table.TableName, retry: new DynamoDbRetryPolicy(6, TimeSpan.Zero, TimeSpan.Zero));

    /// <summary>A delivery of <paramref name="count"/> records starting <paramref name="offsetSeconds"/> into the window, over two models and four principals.</summary>
    private AggregateBatch Delivery(string batchId, int offsetSeconds, int count) =>
        AggregateBuilder.Build(
            batchId,
            [.. Enumerable.Range(0, count).Select(i => StoreTestData.Invocation(
                _window.AddSeconds(offsetSeconds + (i * 13)),
                model: (offsetSeconds / 120) % 3 == 1 ? StoreTestData.Haiku : StoreTestData.Sonnet,
                principal: "role/p" + ((offsetSeconds + i) % 4),
                cost: 0.0123m,
                latencyMs: 300 + (i * 97),
                stopReason: i % 4 == 0 ? StopReasons.MaxTokens : StopReasons.EndTurn))],
            []);

    private async Task<Dictionary<string, AggregateCounters>> ItemsAsync(IAggregateStore store, Granularity granularity) =>
        (await store.GetItemsAsync(string.Empty, granularity, _window, _window.AddHours(1)))
            .ToDictionary(item => Buckets.Label(item.BucketStart, granularity) + "|" + item.Key, item => item.Counters, StringComparer.Ordinal);

    private static void AssertSameItems(Dictionary<string, AggregateCounters> expected, Dictionary<string, AggregateCounters> actual)
    {
        Assert.True(expected.Count >= 7, $"the deliveries should touch several items, touched {expected.Count}");
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, pair => Assert.True(pair.Value.ContentEquals(actual[pair.Key]), "item " + pair.Key));
    }

    private async Task<DirectTable> DirectTableAsync()
    {
        var name = _table.TableName + "-direct-" + Guid.NewGuid().ToString("N")[..6];
        await TableLayout.CreateAsync(_table.Client, name, TimeProvider.System);
        return new DirectTable(_table.Client, name);
    }

    private sealed class DirectTable(IAmazonDynamoDB client, string name) : IAsyncDisposable
    {
        public DynamoDbAggregateStore Store { get; } = new(client, name, retry: new DynamoDbRetryPolicy(6, TimeSpan.Zero, TimeSpan.Zero));

        public async ValueTask DisposeAsync() => await client.DeleteTableAsync(name);
    }
}
