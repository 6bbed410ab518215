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
}
