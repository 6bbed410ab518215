using System.Diagnostics;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Integrity;

/// <summary>Replay's alert simulation follows the buckets that hold data (the failure it guards against: one 2001 record beside 2026 data took 81 s).</summary>
public sealed class SparseReplayTests
{
    private static readonly DateTimeOffset Old = new(2001, 3, 4, 10, 2, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recent = new(2026, 11, 18, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EvaluationTimes_WhenDataIsContiguous_ShouldBeEveryBoundaryFromFirstToLast()
    {
        var buckets = Enumerable.Range(0, 12).Select(i => Recent.AddMinutes(5 * i)).ToList();

        var times = AlertSimulation.EvaluationTimes(buckets, TimeSpan.FromDays(1));

        Assert.Equal(Enumerable.Range(1, 12).Select(i => Recent.AddMinutes(5 * i)), times);
    }

    [Fact]
    public void EvaluationTimes_WhenTwentyFiveYearsSeparateTwoBuckets_ShouldSkipTheEmptyStretch()
    {
        var reach = TimeSpan.FromDays(7) + TimeSpan.FromHours(1);

        var times = AlertSimulation.EvaluationTimes([Old, Recent, Recent.AddMinutes(5)], reach);

        // The old bucket is followed for the rules' reach (7 days 1 hour = 2,028 boundaries, the
        // first 5 minutes after it included), the recent ones to the end: 2,030, not 2.7 million.
        Assert.Equal(2_028 + 2, times.Count);
        Assert.Equal(Buckets.StartOf(Old, Granularity.Fine).AddMinutes(5), times[0]);
        Assert.Equal(Recent.AddMinutes(10), times[^1]);
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public void Reach_WithDefaultRules_ShouldCoverTheLongestWindowPlusAnHour() =>
        Assert.Equal(TimeSpan.FromDays(7) + TimeSpan.FromHours(1), AlertSimulation.Reach(RuleSettings.Default));

    [Fact]
    public async Task RunAsync_WhenOneOldRecordPrecedesRecentData_ShouldFinishQuickly()
    {
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build("old", [StoreTestData.Invocation(Old)], []));
        await store.ApplyBatchAsync(AggregateBuilder.Build("recent", Enumerable.Range(0, 10).Select(i => StoreTestData.Invocation(Recent.AddMinutes(i))).ToList(), []));
        var clock = Stopwatch.StartNew();

        var notifications = await AlertSimulation.RunAsync(store, Old, Recent.AddMinutes(9), new EvaluatorSettings(RuleSettings.Default, RoutingTree.Default));

        // The full walk evaluated 2.7 million boundaries (minutes); this one about 4,000.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.All(notifications, n => Assert.True(n.At > Old));
    }
}
