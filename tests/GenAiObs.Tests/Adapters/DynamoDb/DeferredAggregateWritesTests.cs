using Amazon.DynamoDBv2;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// Deferred aggregate writes on dynalite: one delta item per delivery, rolled up once, never before
/// the window is closed, into the totals direct writes give with each bucket folded to its limits,
/// as one packed item per fine bucket that every read of fine items sums with the per-key items.
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
    public async Task RunAsync_WhenAWindowOf30DeltasHolds60PrincipalsAndFailsAfterItsPack_ShouldWriteTheTopNAndOtherOnce()
    {
        // Arrange: 30 deliveries of 2 principals each (60 in the window, one fine bucket: one pack); the
        // first roll-up's store fails (HTTP 500) at its first UpdateItem, the hour mark after the pack.
        var store = CreateStore();
        var deliveries = StoreTestData.SixtyPrincipalDeliveries(_window);
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);
        using var faulty = new FaultInjectingHandler((operation, count) => operation == "UpdateItem" ? FaultInjectingHandler.ServerError : null);
        using var faultyClient = _table.CreateClient(faulty);
        var failing = new DynamoDbAggregateStore(faultyClient, _table.TableName, retry: FastRetry(maxAttempts: 2), maxParallelRequests: 1);

        // Act
        await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => new DeltaRollup(failing, failing).RunAsync(Closed));
        var packsAfterFailure = await RawPartitionAsync(_window);
        var retried = await new DeltaRollup(store, store).RunAsync(Closed);

        // Assert: the failed run had written its pack; the retry rewrote it whole. 21 principal keys —
        // p40 … p59 by cost and "other" with p00 … p39, exactly.
        Assert.Equal([TableLayout.PackSortKey(_window)], packsAfterFailure.Select(item => item[TableLayout.SortKey].S));
        var merged = DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_window), deliveries);
        Assert.Equal(merged.ItemCount, retried.ItemsApplied);
        Assert.Equal([TableLayout.PackSortKey(_window)], (await RawPartitionAsync(_window)).Select(item => item[TableLayout.SortKey].S));
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
        Assert.Contains(await store.GetMarkedHoursAsync(), mark => mark.Hour == Buckets.StartOf(_window, Granularity.Hourly));
    }

    [Fact]
    public async Task RunAsync_WhenARollupFailsAfterWritingPartOfItsPacksAndRunsAgain_ShouldCountEveryDeltaOnce()
    {
        // Arrange: 5 deliveries whose records span three fine buckets (the window and the two before it:
        // three packs) and carry a session key; the roll-up's store fails (HTTP 500) from its 2nd PutItem on.
        var store = CreateStore();
        var deliveries = SpanningDeliveries("crash");
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);
        using var faulty = new FaultInjectingHandler((operation, count) => operation == "PutItem" && count > 1 ? FaultInjectingHandler.ServerError : null);
        using var faultyClient = _table.CreateClient(faulty);
        var failing = new DynamoDbAggregateStore(faultyClient, _table.TableName, retry: FastRetry(maxAttempts: 2), maxParallelRequests: 1);

        // Act
        await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => new DeltaRollup(failing, failing).RunAsync(Closed));
        var watermarkAfterFailure = await store.GetRollupWatermarkAsync();
        var firstBucketPacked = (await RawPartitionAsync(_window.AddMinutes(-10))).Any(item => TableLayout.IsPackSortKey(item[TableLayout.SortKey].S));
        var secondBucketPacked = (await RawPartitionAsync(_window.AddMinutes(-5))).Any(item => TableLayout.IsPackSortKey(item[TableLayout.SortKey].S));
        var retried = await new DeltaRollup(store, store).RunAsync(Closed);

        // Assert: the failed run wrote the first bucket's pack only and left the watermark; the retry
        // rewrote all three, and every key of every bucket reads as the per-key layout holds the merged window.
        Assert.True(firstBucketPacked);
        Assert.False(secondBucketPacked);
        Assert.Equal(_window - Buckets.FineWidth, watermarkAfterFailure);
        Assert.Equal(1, retried.Windows);
        var expected = new InMemoryAggregateStore();
        await expected.ApplyBatchAsync(DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_window), deliveries));
        await AssertSameReadsAsync(expected, store);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, _window.AddHours(-1), _window.AddHours(1));
        Assert.Equal(5 * 48, total[CounterNames.Requests]);
        Assert.Equal(5 * 48 * 12_300, total[CounterNames.CostMicros]);
    }

    [Fact]
    public async Task RunAsync_WhenAWindowIsRolledUp_ShouldWriteOnePackPerFineBucketAndTheSessionKeysPerKey()
    {
        // Arrange
        var store = CreateStore();
        var deliveries = SpanningDeliveries("layout");
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);

        // Act
        await new DeltaRollup(store, store).RunAsync(Closed);

        // Assert: each of the three buckets holds one pack of the window (the TTL of its fine items) and no
        // per-key item but the session's, which lives in the window's own bucket.
        foreach (var bucket in new[] { _window.AddMinutes(-10), _window.AddMinutes(-5), _window })
        {
            var items = await RawPartitionAsync(bucket);
            var pack = Assert.Single(items, item => TableLayout.IsPackSortKey(item[TableLayout.SortKey].S));
            Assert.Equal(TableLayout.PackSortKey(_window), pack[TableLayout.SortKey].S);
            Assert.Equal(AggregateRetention.Default.ExpiresAt(Granularity.Fine, bucket, AggregateKeys.Total).ToString(System.Globalization.CultureInfo.InvariantCulture), pack[TableLayout.ExpiresAt].N);
            var decoded = AggregateBatchCodec.Decode(pack[TableLayout.Pack].B.ToArray());
            Assert.All(decoded.Deltas, delta => Assert.Equal(bucket, delta.BucketStart));
            Assert.DoesNotContain(decoded.Deltas, delta => AggregateKeys.IsShortLived(delta.Key));
            Assert.Equal(
                bucket == _window ? [AggregateKeys.Session("session-crash")] : [],
                items.Select(item => item[TableLayout.SortKey].S).Where(sk => !TableLayout.IsPackSortKey(sk)));
        }

        var session = await store.GetSeriesAsync(AggregateKeys.Session("session-crash"), Granularity.Fine, _window, _window + Buckets.FineWidth);
        Assert.Equal(deliveries.Count, Assert.Single(session).Counters[CounterNames.Requests]);
    }

    [Fact]
    public async Task GetItemsAsync_WhenABucketHoldsAPackAndALateDirectDeliveryOfTheSameKeys_ShouldSumBoth()
    {
        // Arrange: the window rolled up into packs, then a delivery too late for a delta written per key
        // to the same buckets (total, the models and a principal the packs hold too).
        var store = CreateStore();
        var deliveries = SpanningDeliveries("mixed");
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);
        await new DeltaRollup(store, store).RunAsync(Closed);
        var late = Delivery("late-direct", -420, 30);

        // Act
        await new AggregateWriter(store, store).WriteAsync(late, Closed);

        // Assert: every read gives the per-key layout's sums of the window and the late delivery.
        var expected = new InMemoryAggregateStore();
        await expected.ApplyBatchAsync(DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_window), deliveries));
        await expected.ApplyBatchAsync(late);
        await AssertSameReadsAsync(expected, store);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, _window.AddHours(-1), _window.AddHours(1));
        Assert.Equal((5 * 48) + 30, total[CounterNames.Requests]);
        Assert.Contains(await RawPartitionAsync(_window.AddMinutes(-5)), item => item[TableLayout.SortKey].S == AggregateKeys.Total);
    }

    [Fact]
    public async Task RollupAsync_WhenTheFineItemsArePacks_ShouldWriteTheHourlyItemsThePerKeyLayoutGives()
    {
        // Arrange: the window as packs (and a late direct delivery beside them) on dynalite; the same
        // batches per key in memory.
        var store = CreateStore();
        var deliveries = SpanningDeliveries("hourly");
        await StoreTestData.LeaveAsDeltasAsync(store, deliveries, _window - Buckets.FineWidth);
        await new DeltaRollup(store, store).RunAsync(Closed);
        var late = Delivery("hourly-late", -420, 30);
        await store.ApplyBatchAsync(late);
        var perKey = new InMemoryAggregateStore();
        await perKey.ApplyBatchAsync(DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_window), deliveries));
        await perKey.ApplyBatchAsync(late);
        var clock = new ManualTimeProvider(_window.AddHours(2));

        // Act: both hours the buckets fall in (09:50 and 09:55 in the hour before the window's).
        foreach (var hour in new[] { Buckets.StartOf(_window.AddMinutes(-10), Granularity.Hourly), Buckets.StartOf(_window, Granularity.Hourly) })
        {
            await new AggregateMaintenance(store, clock).RollupAsync(Granularity.Hourly, hour);
            await new AggregateMaintenance(perKey, clock).RollupAsync(Granularity.Hourly, hour);
        }

        // Assert
        var from = Buckets.StartOf(_window.AddMinutes(-10), Granularity.Hourly);
        var rolled = (await store.GetItemsAsync(string.Empty, Granularity.Hourly, from, from.AddHours(2))).ToDictionary(item => Buckets.Label(item.BucketStart, Granularity.Hourly) + "|" + item.Key, StringComparer.Ordinal);
        var want = (await perKey.GetItemsAsync(string.Empty, Granularity.Hourly, from, from.AddHours(2))).ToDictionary(item => Buckets.Label(item.BucketStart, Granularity.Hourly) + "|" + item.Key, StringComparer.Ordinal);
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), rolled.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, rolled.Keys.Select(key => key[..key.IndexOf('|', StringComparison.Ordinal)]).Distinct().Count());
        Assert.All(want, pair => Assert.True(pair.Value.Counters.ContentEquals(rolled[pair.Key].Counters), "item " + pair.Key));
    }

    [Fact]
    public async Task ApplyWindowAsync_WhenABucketEncodesOverThePackLimit_ShouldWriteItPerKeyOnceEvenAfterAPackOfTheSameWindow()
    {
        // Arrange: an earlier attempt wrote the window as packs; this store's pack limit (1 byte) sends
        // every bucket per key, with the window's markers.
        var packing = CreateStore();
        var perKey = new DynamoDbAggregateStore(_table.Client, _table.TableName, retry: FastRetry(), maxPackBytes: 1);
        var merged = DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_window), SpanningDeliveries("oversized"));
        await packing.ApplyWindowAsync(_window, merged);

        // Act: applied per key, then retried.
        var first = await perKey.ApplyWindowAsync(_window, merged);
        var retry = await perKey.ApplyWindowAsync(_window, merged);

        // Assert: the packs are gone, every key counts once.
        // (The session key is per key in both layouts: the packing attempt's marker is on it already.)
        Assert.Equal(merged.ItemCount - 1, first.Applied);
        Assert.Equal(new ApplyResult(0, merged.ItemCount, 3 + merged.ItemCount), retry);
        foreach (var bucket in new[] { _window.AddMinutes(-10), _window.AddMinutes(-5), _window })
        {
            Assert.DoesNotContain(await RawPartitionAsync(bucket), item => TableLayout.IsPackSortKey(item[TableLayout.SortKey].S));
        }

        var expected = new InMemoryAggregateStore();
        await expected.ApplyBatchAsync(merged);
        await AssertSameReadsAsync(expected, packing);
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

    /// <summary>
    /// 5 deliveries of 48 records 13 s apart whose last record falls in the window and first 10 minutes
    /// before it (three fine buckets), each with a session key in the window's bucket.
    /// </summary>
    private List<AggregateBatch> SpanningDeliveries(string name) =>
        Enumerable.Range(0, 5)
            .Select(i =>
            {
                var delivery = Delivery(name + "-" + i, -600 + (i * 11), 48);
                var session = new AggregateCounters();
                session.Add(CounterNames.Requests, 1);
                return AggregateBatch.Sum(delivery.BatchId, delivery.Deltas.Append(new AggregateDelta(_window, AggregateKeys.Session("session-crash"), session)));
            })
            .ToList();

    /// <summary>Every raw item of one fine bucket's partition.</summary>
    private async Task<List<Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>>> RawPartitionAsync(DateTimeOffset bucket)
    {
        var response = await _table.Client.QueryAsync(new Amazon.DynamoDBv2.Model.QueryRequest
        {
            TableName = _table.TableName,
            ConsistentRead = true,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = TableLayout.PartitionKey },
            ExpressionAttributeValues = new() { [":pk"] = new Amazon.DynamoDBv2.Model.AttributeValue { S = TableLayout.AggregatePartition(Granularity.Fine, bucket) } },
        });
        return response.Items;
    }

    /// <summary>
    /// The fine reads of the hour around the window — every key, each prefix, the series of total, a
    /// model, a principal and the session — give <paramref name="actual"/> the items of <paramref name="expected"/>
    /// (counters and TTL), one per (bucket, key).
    /// </summary>
    private async Task AssertSameReadsAsync(IAggregateStore expected, IAggregateStore actual)
    {
        var from = _window.AddHours(-1);
        var to = _window.AddHours(1);
        foreach (var prefix in new[] { string.Empty, AggregateKeys.ModelPrefix, AggregateKeys.PrincipalPrefix, AggregateKeys.SessionPrefix, "p" })
        {
            var want = await expected.GetItemsAsync(prefix, Granularity.Fine, from, to);
            var got = await actual.GetItemsAsync(prefix, Granularity.Fine, from, to);
            Assert.NotEmpty(want);
            AssertSameItems(want, got, "prefix '" + prefix + "'");
        }

        foreach (var key in new[] { AggregateKeys.Total, AggregateKeys.Model(StoreTestData.Haiku), AggregateKeys.Principal("role/p0"), AggregateKeys.Session("session-crash") })
        {
            var want = await expected.GetSeriesAsync(key, Granularity.Fine, from, to);
            var got = await actual.GetSeriesAsync(key, Granularity.Fine, from, to);
            Assert.NotEmpty(want);
            AssertSameItems(want, got, "series " + key);
            Assert.Equal(want.Select(item => item.BucketStart), got.Select(item => item.BucketStart));
        }
    }

    private static void AssertSameItems(IReadOnlyList<AggregateItem> want, IReadOnlyList<AggregateItem> got, string what)
    {
        static string Id(AggregateItem item) => Buckets.Label(item.BucketStart, item.Granularity) + "|" + item.Key;
        Assert.Equal(want.Select(Id).Order(StringComparer.Ordinal), got.Select(Id).Order(StringComparer.Ordinal));
        var byId = got.ToDictionary(Id, StringComparer.Ordinal);
        Assert.All(want, item =>
        {
            Assert.True(item.Counters.ContentEquals(byId[Id(item)].Counters), what + ": item " + Id(item));
            Assert.Equal(item.ExpiresAt, byId[Id(item)].ExpiresAt);
        });
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
