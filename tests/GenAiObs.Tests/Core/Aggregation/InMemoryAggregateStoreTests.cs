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

    private static AggregateDelta Delta(DateTimeOffset bucket)
    {
        var counters = new AggregateCounters();
        counters.Add(CounterNames.Requests, 2);
        return new AggregateDelta(bucket, AggregateKeys.Total, counters);
    }
}
