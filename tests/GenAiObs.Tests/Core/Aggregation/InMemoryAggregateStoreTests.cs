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

    [Fact]
    public async Task SumByPrefixAsync_WhenSummedInsideTheStore_ShouldEqualSummingItsItemsInNamesValuesAndOrder()
    {
        // The store sums its packed items itself (IAggregateSums); replay's output depends on the
        // sums' order (keys and counters), so it must be exactly what summing the items gives.
        var store = new InMemoryAggregateStore();
        var batch = 0;
        foreach (var (minutes, key, counters) in new (int, string, (string, long)[])[]
                 {
                     (0, "model#b", [(CounterNames.Requests, 2), (CounterNames.Errors, 1)]),
                     (0, "model#a", [(CounterNames.OutputTokens, 7)]),
                     (0, AggregateKeys.Total, [(CounterNames.Requests, 3)]),
                     (5, "model#a", [(CounterNames.Requests, 1), (CounterNames.OutputTokens, -7)]),
                     (5, "model#a", [(CounterNames.Errors, 4)]),
                     (10, "model#c", [(CounterNames.Errors, 0), (CounterNames.Requests, 5)]),
                     (10, "model#b", [(CounterNames.InputTokens, 9), (CounterNames.Requests, 1)]),
                     (65, "model#b", [(CounterNames.Requests, 1)]),
                 })
        {
            var bag = new AggregateCounters();
            foreach (var (name, value) in counters)
            {
                bag.Add(name, value);
            }

            await store.ApplyBatchAsync(new AggregateBatch($"batch-{batch++}", [new AggregateDelta(Base.AddMinutes(minutes), key, bag)]));
        }

        foreach (var (prefix, to) in new[] { ("model#", Base.AddHours(2)), (string.Empty, Base.AddHours(2)), ("model#", Base.AddMinutes(10)), ("model#b", Base.AddHours(2)), ("nothing#", Base.AddHours(2)) })
        {
            var expected = AggregateQueries.SumByKey(await store.GetItemsAsync(prefix, Granularity.Fine, Base, to));
            var summed = await store.SumByPrefixAsync(prefix, Granularity.Fine, Base, to);

            Assert.Equal(Flatten(expected), Flatten(summed));
        }

        var series = new AggregateCounters();
        foreach (var item in await store.GetSeriesAsync("model#a", Granularity.Fine, Base, Base.AddHours(2)))
        {
            series.Merge(item.Counters);
        }

        var one = await store.SumAsync("model#a", Granularity.Fine, Base, Base.AddHours(2));
        Assert.Equal([.. series.Values], [.. one.Values]);
        Assert.Contains(one.Values, counter => counter.Key == CounterNames.OutputTokens && counter.Value == 0);
        Assert.Empty((await store.SumAsync("model#none", Granularity.Fine, Base, Base.AddHours(2))).Values);

        static List<string> Flatten(IReadOnlyDictionary<string, AggregateCounters> sums) =>
            [.. sums.SelectMany(pair => pair.Value.Values.Select(counter => $"{pair.Key} {counter.Key}={counter.Value}"))];
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
