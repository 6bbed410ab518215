using GenAiObs.Adapters.Evaluation;
using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using Xunit;

namespace GenAiObs.Tests.Rules;

/// <summary>
/// What replay's alert simulation costs, counted as the aggregate items it reads: proportional to
/// the hours replayed, and the same alerts whether or not the store can skip unchanged work.
/// </summary>
public sealed class AlertSimulationCostTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);

    private static readonly EvaluatorSettings Settings = new(RuleSettings.Default with { MonthlyBudgetUsd = 1_500m }, RoutingTree.Default);

    private static async Task<InMemoryAggregateStore> DaysOfTrafficAsync(int days) =>
        await new Traffic()
            .Steady(From, From.AddDays(days), 4)
            .Steady(From, From.AddDays(days), 2, model: "amazon.nova-pro", costUsd: 0.02m, latencyMs: 900)
            .Steady(From.AddHours(10), From.AddHours(13), 4, model: "broken-model", failing: true)
            .StoreAsync();

    private static async Task<long> ItemsReadAsync(int days)
    {
        var store = new CountingStore(await DaysOfTrafficAsync(days));

        await AlertSimulation.RunAsync(store, From, From.AddDays(days).AddMinutes(-1), Settings);

        return store.ItemsRead;
    }

    [Fact]
    public async Task RunAsync_OverThreeTimesTheHours_ShouldReadAboutThreeTimesTheItems()
    {
        var oneDay = await ItemsReadAsync(1);
        var threeDays = await ItemsReadAsync(3);

        // Each evaluation reads the buckets new since the last one plus fixed-size windows, so the
        // reads follow the hours replayed; re-reading "today" at every evaluation made them grow
        // with the hour of the day (and a month-to-date window with the day of the month).
        Assert.InRange(threeDays / (double)oneDay, 2.5, 3.3);
    }

    [Fact]
    public async Task RunAsync_OnAVersionedStore_ShouldReadAFractionOfWhatAStoreWithoutVersionsIsRead()
    {
        var versioned = new CountingStore(await DaysOfTrafficAsync(2));
        var unversioned = new UnversionedCountingStore(await DaysOfTrafficAsync(2));

        await AlertSimulation.RunAsync(versioned, From, From.AddDays(2).AddMinutes(-1), Settings);
        await AlertSimulation.RunAsync(unversioned, From, From.AddDays(2).AddMinutes(-1), Settings);

        // Without versions every evaluation re-reads every bucket of "today" for the rules (and
        // maintenance recomputes what it is asked for; it no longer rolls up the open hour and day).
        Assert.True(versioned.ItemsRead * 3 < unversioned.ItemsRead, $"versioned {versioned.ItemsRead}, without versions {unversioned.ItemsRead}");
    }

    [Fact]
    public async Task RunAsync_OnAStoreWithoutVersions_ShouldSendTheSameNotifications()
    {
        var versioned = await AlertSimulation.RunAsync(new CountingStore(await DaysOfTrafficAsync(3)), From, From.AddDays(3).AddMinutes(-1), Settings);
        var unversioned = await AlertSimulation.RunAsync(new UnversionedCountingStore(await DaysOfTrafficAsync(3)), From, From.AddDays(3).AddMinutes(-1), Settings);

        Assert.Contains(versioned, n => n.Rule == "ErrorRateHigh");
        Assert.Contains(versioned, n => n.Rule == "DailyDigest");
        Assert.Equal(unversioned, versioned);
    }

    /// <summary>The in-memory store, counting the items its queries return.</summary>
    private class UnversionedCountingStore(InMemoryAggregateStore inner) : ForwardingAggregateStore(inner)
    {
        public long ItemsRead { get; private set; }

        public override async Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
            Counted(await Inner.GetSeriesAsync(key, granularity, from, to, cancellationToken));

        public override async Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
            Counted(await Inner.GetItemsAsync(keyPrefix, granularity, from, to, cancellationToken));

        private IReadOnlyList<AggregateItem> Counted(IReadOnlyList<AggregateItem> items)
        {
            ItemsRead += items.Count;
            return items;
        }
    }

    /// <summary>As <see cref="UnversionedCountingStore"/>, passing the in-memory store's versions on.</summary>
    private sealed class CountingStore(InMemoryAggregateStore inner) : UnversionedCountingStore(inner), IAggregateVersions
    {
        public long VersionOf(Granularity granularity, DateTimeOffset from, DateTimeOffset to) => Inner.VersionOf(granularity, from, to);
    }
}
