using Xunit;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Cli;

namespace GenAiObs.Tests.Rules;

public class AggregateStoreReaderTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Segments_WhenTheRangeSpansDays_ShouldUseFineEdgesHoursAndWholeDays()
    {
        var from = Day.AddHours(22).AddMinutes(50);
        var to = Day.AddDays(3).AddHours(1).AddMinutes(10);

        var segments = AggregateStoreReader.Segments(from, to, fineOnly: false);

        Assert.Equal(
            [
                (Granularity.Fine, from, Day.AddHours(23)),
                (Granularity.Hourly, Day.AddHours(23), Day.AddDays(1)),
                (Granularity.Daily, Day.AddDays(1), Day.AddDays(3)),
                (Granularity.Hourly, Day.AddDays(3), Day.AddDays(3).AddHours(1)),
                (Granularity.Fine, Day.AddDays(3).AddHours(1), to),
            ],
            segments);
    }

    [Fact]
    public void Segments_ForSessionKeys_ShouldReadFineBucketsOnly()
    {
        var segments = AggregateStoreReader.Segments(Day, Day.AddDays(1), fineOnly: true);

        Assert.Equal([(Granularity.Fine, Day, Day.AddDays(1))], segments);
    }

    [Fact]
    public async Task SumAsync_AfterMaintenance_ShouldEqualTheSumOfTheFineBuckets()
    {
        var store = new InMemoryAggregateStore();
        var deltas = new List<AggregateDelta>();
        for (var minutes = 0; minutes < 3 * 24 * 60; minutes += 35)
        {
            var counters = new AggregateCounters();
            counters.Add(CounterNames.Requests, 1 + (minutes % 7));
            deltas.Add(new AggregateDelta(Buckets.StartOf(Day.AddMinutes(minutes), Granularity.Fine), AggregateKeys.Total, counters));
        }

        await store.ApplyBatchAsync(new AggregateBatch("batch-1", deltas));
        var now = Day.AddDays(3);
        for (var hour = Day; hour < now; hour = hour.AddHours(1))
        {
            await new AggregateMaintenance(store, new SimulatedClock(hour.AddMinutes(5))).RollupAsync(Granularity.Hourly, hour);
        }

        for (var day = Day; day < now; day = day.AddDays(1))
        {
            await new AggregateMaintenance(store, new SimulatedClock(day.AddHours(1))).RollupAsync(Granularity.Daily, day);
        }

        var reader = new AggregateStoreReader(store);
        var from = Day.AddHours(5).AddMinutes(25);
        var to = Day.AddDays(2).AddHours(19).AddMinutes(40);

        var sum = await reader.SumAsync(AggregateKeys.Total, from, to);

        var expected = deltas.Where(d => d.BucketStart >= from && d.BucketStart < to).Sum(d => d.Counters[CounterNames.Requests]);
        Assert.Equal(expected, sum[CounterNames.Requests]);
    }

    [Fact]
    public async Task SumByPrefixAsync_WhenABucketOfAnEarlierReadRangeIsWrittenAgain_ShouldIncludeTheWrite()
    {
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(new AggregateBatch("batch-1", [Requests(Day.AddMinutes(10), "model#a", 3), Requests(Day.AddMinutes(20), "model#a", 4)]));
        var reader = new AggregateStoreReader(store);
        var first = await reader.SumByPrefixAsync(AggregateKeys.ModelPrefix, Day, Day.AddMinutes(30));

        // A late delivery into a bucket the first read covered, and a longer range that extends it.
        await store.ApplyBatchAsync(new AggregateBatch("batch-2", [Requests(Day.AddMinutes(10), "model#a", 5), Requests(Day.AddMinutes(10), "model#b", 1)]));
        var second = await reader.SumByPrefixAsync(AggregateKeys.ModelPrefix, Day, Day.AddMinutes(35));
        var total = await reader.SumAsync("model#a", Day, Day.AddMinutes(35));

        Assert.Equal(7, first["model#a"][CounterNames.Requests]);
        Assert.Equal(12, second["model#a"][CounterNames.Requests]);
        Assert.Equal(1, second["model#b"][CounterNames.Requests]);
        Assert.Equal(12, total[CounterNames.Requests]);
    }

    [Fact]
    public async Task SumAsync_WhenARangeGrowsByABucketAtATime_ShouldGiveTheRunningSums()
    {
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(new AggregateBatch("batch-1", [.. Enumerable.Range(0, 12).Select(i => Requests(Day.AddMinutes(5 * i), AggregateKeys.Total, i + 1))]));
        var reader = new AggregateStoreReader(store);

        var sums = new List<long>();
        for (var end = Day.AddMinutes(5); end < Day.AddHours(1); end = end.AddMinutes(5))
        {
            sums.Add((await reader.SumAsync(AggregateKeys.Total, Day, end))[CounterNames.Requests]);
        }

        // 1, 1+2, 1+2+3, …: the running sums of the first eleven buckets (a whole hour reads its rollup).
        Assert.Equal(Enumerable.Range(1, 11).Select(n => (long)(n * (n + 1) / 2)), sums);
    }

    private static AggregateDelta Requests(DateTimeOffset bucket, string key, long requests)
    {
        var counters = new AggregateCounters();
        counters.Add(CounterNames.Requests, requests);
        return new AggregateDelta(bucket, key, counters);
    }
}
