using GenAiObs.Core.Aggregation;
using Xunit;

namespace GenAiObs.Tests.Store;

public sealed class InMemoryAggregateStoreTests : AggregateStoreContractTests
{
    protected override DateTimeOffset Base { get; } = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    protected override IAggregateStore CreateStore(AggregateRetention? retention = null) => new InMemoryAggregateStore(retention);

    [Fact]
    public async Task VersionOf_ShouldGrowWithEveryWriteInTheRangeAndOnlyThen()
    {
        var store = new InMemoryAggregateStore();
        var hour = Base;
        var empty = store.VersionOf(Granularity.Fine, hour, hour.AddHours(1));
        await store.ApplyBatchAsync(new AggregateBatch("batch-1", [Delta(hour.AddMinutes(10))]));
        var written = store.VersionOf(Granularity.Fine, hour, hour.AddHours(1));
        await store.ApplyBatchAsync(new AggregateBatch("batch-1", [Delta(hour.AddMinutes(10))]));
        var redelivered = store.VersionOf(Granularity.Fine, hour, hour.AddHours(1));
        await store.ApplyBatchAsync(new AggregateBatch("batch-2", [Delta(hour.AddHours(2))]));
        var elsewhere = store.VersionOf(Granularity.Fine, hour, hour.AddHours(1));
        var rollup = new Dictionary<string, AggregateCounters> { [AggregateKeys.Total] = Delta(hour).Counters };
        await store.PutRollupAsync(Granularity.Hourly, hour, rollup);
        var rolledUp = store.VersionOf(Granularity.Hourly, hour, hour.AddHours(1));
        await store.PutRollupAsync(Granularity.Hourly, hour, rollup);

        Assert.Equal(0, empty);
        Assert.True(written > empty);
        Assert.Equal(written, redelivered);
        Assert.Equal(written, elsewhere);
        Assert.True(rolledUp > written);
        Assert.Equal(rolledUp, store.VersionOf(Granularity.Hourly, hour, hour.AddHours(1)));
    }

    [Fact]
    public async Task ApplyBatchAsync_WhenItemsHoldMoreCounters_ShouldAllocateFewBytesPerCounter()
    {
        // The 5-minute items are what a replay's memory grows with (issue #13). Held as a
        // Dictionary<string, long>, each further counter of an item cost 64 bytes here (the table
        // regrew while it was filled); packed, it costs its varint pair, about two bytes. The
        // difference between items of 30 counters and of 1 leaves out what every batch and item
        // costs alike. Counted bytes, not time.
        const int Items = 2_000;
        var perItemOf30 = await BytesAllocatedPerItemAsync(Items, counters: 30);
        var perItemOf1 = await BytesAllocatedPerItemAsync(Items, counters: 1);

        var perCounter = (perItemOf30 - perItemOf1) / 29;

        Assert.True(perCounter < 16, $"{perCounter} bytes allocated per further counter ({perItemOf30} per item of 30, {perItemOf1} per item of 1)");
    }

    private async Task<long> BytesAllocatedPerItemAsync(int items, int counters)
    {
        var store = new InMemoryAggregateStore();
        var batches = Enumerable.Range(0, items).Select(i =>
        {
            var bag = new AggregateCounters();
            bag.Add(CounterNames.Requests, 1);
            for (var bin = 1; bin < counters; bin++)
            {
                bag.Add(CounterNames.HistogramBin(HistogramFamily.Latency, bin), 1 + ((i + bin) % 3));
            }

            return new AggregateBatch($"batch-{i}", [new AggregateDelta(Base.AddMinutes(5 * (i % 288)), $"model#m{i / 288}", bag)]);
        }).ToList();
        await store.ApplyBatchAsync(batches[0]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var batch in batches.Skip(1))
        {
            await store.ApplyBatchAsync(batch);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (items - 1);
    }

    private static AggregateDelta Delta(DateTimeOffset bucket)
    {
        var counters = new AggregateCounters();
        counters.Add(CounterNames.Requests, 2);
        return new AggregateDelta(bucket, AggregateKeys.Total, counters);
    }
}
