using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Costing;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Costing;

public sealed class MeteredAggregateStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PutRollupAsync_WhenOneItemChangesOneStaysAndOneIsGone_ShouldCountOneQueryOnePutAndOneDelete()
    {
        // Arrange
        var metered = new MeteredAggregateStore(new InMemoryAggregateStore());
        var hour = Start.AddHours(3);
        static AggregateCounters Requests(long n) => new([new(CounterNames.Requests, n)]);
        await metered.PutRollupAsync(Granularity.Hourly, hour, new Dictionary<string, AggregateCounters> { ["team#a"] = Requests(1), ["team#b"] = Requests(2), ["team#c"] = Requests(3) });
        var first = (metered.HourlyItemWrites, metered.TargetReadUnits);

        // Act
        await metered.PutRollupAsync(Granularity.Hourly, hour, new Dictionary<string, AggregateCounters> { ["team#a"] = Requests(5), ["team#b"] = Requests(2) });

        // Assert: each PutRollup is one Query of the partition (small: one read unit), then a write per changed or stale item.
        Assert.Equal((3L, 1L), first);
        Assert.Equal(5, metered.HourlyItemWrites);
        Assert.Equal(2, metered.TargetReadUnits);
        Assert.Equal(5, metered.RollupWriteUnits);
        Assert.Equal(0, metered.DailyItemWrites);
    }

    [Fact]
    public void ItemBytes_WhenAFineItemCarriesBatchMarkers_ShouldAddSixteenBytesEach()
    {
        var counters = new AggregateCounters([new(CounterNames.Requests, 12), new(CounterNames.CostMicros, 1_234_567)]);

        var rollup = MeteredAggregateStore.ItemBytes(Granularity.Hourly, Start, AggregateKeys.Total, counters);
        var fine = MeteredAggregateStore.ItemBytes(Granularity.Fine, Start, AggregateKeys.Total, counters, markers: 30);

        // pk "H#2026-11-02T00" (2 + 15), sk, expiresAt (9 + 6), each counter's name + 1 + a byte per two digits.
        Assert.Equal(2 + 15 + 2 + AggregateKeys.Total.Length + 9 + 6 + CounterNames.Requests.Length + 1 + 1 + CounterNames.CostMicros.Length + 1 + 4, rollup);
        Assert.Equal(rollup + 3 + 7 + (30 * 16), fine);
    }

    [Fact]
    public async Task GetItemsAsync_WhenMaintenanceReadsAnHourHoldingAPackedWindow_ShouldBillTheQueriesByThePacksSizes()
    {
        // Arrange: the same merged window, packed through ApplyWindowAsync and per key through ApplyBatchAsync.
        var merged = DynamoDbWriteEstimatorTests.Window70Keys();
        var packed = new MeteredAggregateStore(new InMemoryAggregateStore());
        var perKey = new MeteredAggregateStore(new InMemoryAggregateStore());
        await packed.ApplyWindowAsync(Start.AddHours(10).AddMinutes(5), merged);
        await perKey.ApplyBatchAsync(merged);
        var hour = Start.AddHours(10);

        // Act: maintenance's source read of the hour (12 five-minute partitions).
        var packedItems = await packed.GetItemsAsync(string.Empty, Granularity.Fine, hour, hour.AddHours(1));
        var perKeyItems = await perKey.GetItemsAsync(string.Empty, Granularity.Fine, hour, hour.AddHours(1));

        // Assert: the same items. Ten partitions are empty (a read unit each); 10:00 holds 3 keys, read
        // as a pack or as items (one unit either way); 10:05 holds 70 keys and a session, read as a pack
        // and the session's item (one unit) instead of 71 items (over 8 KB: three).
        Assert.Equal(perKeyItems.Count, packedItems.Count);
        Assert.Equal((12L, 12L), (packed.SourceQueries, perKey.SourceQueries));
        static long Units(long bytes) => (bytes + 4095) / 4096;
        var packs = WindowPacks.Of(merged).Packs;
        var session = Assert.Single(perKeyItems, item => AggregateKeys.IsShortLived(item.Key));
        var sessionBytes = MeteredAggregateStore.ItemBytes(Granularity.Fine, session.BucketStart, session.Key, session.Counters, markers: 1);
        Assert.Equal(
            10 + Units(DynamoDbWriteEstimator.PackItemBytes(AggregateBatchCodec.Encode(packs[0].Batch).Length)) + Units(DynamoDbWriteEstimator.PackItemBytes(AggregateBatchCodec.Encode(packs[1].Batch).Length) + sessionBytes),
            packed.SourceReadUnits);
        Assert.Equal(12, packed.SourceReadUnits);
        long BucketBytes(DateTimeOffset bucket) => perKeyItems.Where(item => item.BucketStart == bucket).Sum(item => MeteredAggregateStore.ItemBytes(Granularity.Fine, item.BucketStart, item.Key, item.Counters, markers: 1));
        var windowBytes = BucketBytes(hour.AddMinutes(5));
        Assert.True(windowBytes > 8192, windowBytes + " bytes per key");
        Assert.Equal(10 + Units(BucketBytes(hour)) + Units(windowBytes), perKey.SourceReadUnits);
        Assert.True(perKey.SourceReadUnits >= packed.SourceReadUnits + 2);
        Assert.Equal(1, packed.MarkWriteUnits);
    }

    [Theory]
    [InlineData(AggregateWriteMode.Direct)]
    [InlineData(AggregateWriteMode.Deferred)]
    public void RunUntil_WhenTrafficIsSteady_ShouldWriteRollupItemsOnlyInTheFirstRunAfterAnHourEnds(AggregateWriteMode mode)
    {
        // Arrange: three hours of deliveries every 10 seconds, three principals, two models.
        var simulation = new MaintenanceSimulation(Start, mode);
        var writesPerRun = new List<(DateTimeOffset At, long Hourly, long Daily)>();
        var end = Start.AddHours(3);
        var sequence = 0;

        // Act
        for (var at = Start; at < end; at = at.AddSeconds(10))
        {
            var before = (simulation.Meter.HourlyItemWrites, simulation.Meter.DailyItemWrites, simulation.Runs);
            simulation.RunUntil(at.AddSeconds(10));
            if (simulation.Runs > before.Runs)
            {
                writesPerRun.Add((Buckets.StartOf(at.AddSeconds(10), Granularity.Fine), simulation.Meter.HourlyItemWrites - before.HourlyItemWrites, simulation.Meter.DailyItemWrites - before.DailyItemWrites));
            }

            simulation.Deliver(AggregateBuilder.Build(
                "steady-" + sequence++,
                [StoreTestData.Invocation(at.AddSeconds(1), model: sequence % 2 == 0 ? StoreTestData.Sonnet : StoreTestData.Haiku, principal: "p" + (sequence % 3))],
                []));
        }

        simulation.RunUntil(end.AddMinutes(11));

        // Assert: 35 runs before the end (00:05 to 02:55); only those at 01:00 and 02:00 (deferred: at 01:05 and 02:05, once
        // the hour's last windows are rolled up, as a late mark) write hourly items, and no run writes a daily one.
        Assert.Equal(35, writesPerRun.Count);
        var writing = writesPerRun.Where(run => run.Hourly > 0).Select(run => run.At.TimeOfDay).ToList();
        var expected = mode == AggregateWriteMode.Direct
            ? new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(2) }
            : [TimeSpan.FromHours(1), TimeSpan.FromMinutes(65), TimeSpan.FromHours(2), TimeSpan.FromMinutes(125)];
        Assert.Equal(expected, writing);
        Assert.All(writesPerRun, run => Assert.Equal(0, run.Daily));
        var keysPerHour = (long)Assert.Single(writesPerRun.Where(run => run.At.TimeOfDay == TimeSpan.FromHours(1)).Select(run => run.Hourly));
        Assert.InRange(keysPerHour, 5, 60);
        Assert.True(simulation.Meter.HourlyItemWrites <= 3 * 2 * keysPerHour, $"{simulation.Meter.HourlyItemWrites} hourly item writes");
        Assert.True(simulation.Meter.SourceReadUnits > 0);
    }
}
