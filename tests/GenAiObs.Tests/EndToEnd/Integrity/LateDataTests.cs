using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Tests.Rules;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Integrity;

/// <summary>Late data reaches every rollup (the failure it guards against: data 2+ hours late stayed in the 5-minute items only).</summary>
public sealed class LateDataTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);

    private static AggregateBatch TenOClockBatch() =>
        AggregateBuilder.Build("late-batch", Enumerable.Range(0, 30).Select(i => StoreTestData.Invocation(Day.AddHours(10).AddSeconds(i * 9), cost: 10m)).ToList(), []);

    /// <summary>
    /// The evaluator's maintenance every hour from 10:10 to 16:10 (and, <paramref name="pastMidnight"/>,
    /// at 00:10 the next day, which rolls the day up); the batch is applied at <paramref name="appliedAt"/>.
    /// </summary>
    private static async Task<InMemoryAggregateStore> RunDayAsync(DateTimeOffset appliedAt, bool pastMidnight = false)
    {
        var store = new InMemoryAggregateStore();
        var clock = new SimulatedClock(Day);
        var maintenance = new AggregateMaintenance(store, clock);
        var batch = TenOClockBatch();
        for (var at = Day.AddHours(10).AddMinutes(5); at <= Day.AddHours(16).AddMinutes(10); at = at.AddMinutes(5))
        {
            if (at == appliedAt)
            {
                await store.ApplyBatchAsync(batch);
            }

            if (at.Minute == 10)
            {
                clock.Set(at);
                await maintenance.MaintainAsync();
            }
        }

        if (pastMidnight)
        {
            clock.Set(Day.AddDays(1).AddMinutes(10));
            await maintenance.MaintainAsync();
        }

        return store;
    }

    [Fact]
    public async Task MaintainAsync_WhenABatchArrivesFiveHoursLate_ShouldRollItUpExactlyAsIfOnTime()
    {
        var onTime = await RunDayAsync(Day.AddHours(10).AddMinutes(5), pastMidnight: true);
        var late = await RunDayAsync(Day.AddHours(15).AddMinutes(5), pastMidnight: true);

        var daily = await late.SumAsync(AggregateKeys.Total, Granularity.Daily, Day, Day.AddDays(1));
        Assert.Equal(30, daily[CounterNames.Requests]);
        Assert.Equal(300_000_000, daily[CounterNames.CostMicros]);
        Assert.True((await onTime.SumAsync(AggregateKeys.Total, Granularity.Daily, Day, Day.AddDays(1))).ContentEquals(daily));
        Assert.True((await onTime.SumAsync(AggregateKeys.Total, Granularity.Hourly, Day.AddHours(10), Day.AddHours(11)))
            .ContentEquals(await late.SumAsync(AggregateKeys.Total, Granularity.Hourly, Day.AddHours(10), Day.AddHours(11))));
        Assert.Empty(await late.GetMarkedHoursAsync());
    }

    [Fact]
    public async Task BudgetThreshold_WhenABatchArrivesFiveHoursLate_ShouldFireExactlyAsIfOnTime()
    {
        var at = Day.AddHours(16).AddMinutes(10);
        var budget = RuleTestKit.WithBudget(350m);

        var onTime = await RuleTestKit.EvaluateAsync(new BudgetThresholdRule(), new AggregateStoreReader(await RunDayAsync(Day.AddHours(10).AddMinutes(5))), budget, at);
        var late = await RuleTestKit.EvaluateAsync(new BudgetThresholdRule(), new AggregateStoreReader(await RunDayAsync(Day.AddHours(15).AddMinutes(5))), budget, at);

        Assert.Equal(onTime.Select(a => a.Summary), late.Select(a => a.Summary));
        Assert.Single(late);
    }

    [Fact]
    public async Task MaintainAsync_WhenAMarkIsWrittenAgainDuringTheRun_ShouldKeepItForTheNextRun()
    {
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(TenOClockBatch());
        var mark = Assert.Single(await store.GetMarkedHoursAsync());

        await store.ApplyBatchAsync(AggregateBuilder.Build("second", [StoreTestData.Invocation(Day.AddHours(10).AddMinutes(30))], []));

        Assert.False(await store.ClearHourMarkAsync(mark));
        var current = Assert.Single(await store.GetMarkedHoursAsync());
        Assert.Equal((Day.AddHours(10), 2L), (current.Hour, current.Version));
        Assert.True(await store.ClearHourMarkAsync(current));
    }
}
