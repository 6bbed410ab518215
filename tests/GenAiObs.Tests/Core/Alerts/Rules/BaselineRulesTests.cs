using Xunit;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

public class BaselineRulesTests
{
    private static FakeAlertData SevenDaysAtTenDollars(FakeAlertData data)
    {
        for (var day = 1; day <= 7; day++)
        {
            data.Invocations(DayStart.AddDays(-day).AddHours(12), 10, model: "model-a", principal: "alice", costUsd: 10m, team: "search");
        }

        return data;
    }

    [Fact]
    public async Task DailyCostAboveBaseline_WhenTodayIsAboveOneHundredFiftyPercentOfTheSevenDayMean_ShouldFireWithShareOfIncrease()
    {
        var data = SevenDaysAtTenDollars(new FakeAlertData())
            .Baseline(AggregateKeys.Total, Today)
            .Invocations(Now.AddHours(-2), 10, model: "model-a", principal: "alice", costUsd: 10m, team: "search")
            .Invocations(Now.AddHours(-1), 10, model: "model-b", principal: "bob", costUsd: 6m, team: "search");

        var alerts = await EvaluateAsync(new DailyCostAboveBaselineRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("critical", alert.Severity);
        Assert.Contains("$16.00", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("$10.00", alert.Summary, StringComparison.Ordinal);
        var model = Assert.Single(alert.Contributors, c => c.Dimension == "model");
        Assert.Equal(("model-b", 6m, 1.0, ContributionBasis.Increase), (model.Name, model.Amount, model.Share, model.Basis));
        var principal = Assert.Single(alert.Contributors, c => c.Dimension == "principal");
        Assert.Equal("bob", principal.Name);
        var team = Assert.Single(alert.Contributors, c => c.Dimension == "team");
        Assert.Equal(("search", 1.0), (team.Name, team.Share));
        Assert.Contains("model model-b: $6.00 (100.0% of the increase)", alert.Annotations["top_contributors"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DailyCostAboveBaseline_WhenTodayIsBelowTheThreshold_ShouldStaySilent()
    {
        var data = SevenDaysAtTenDollars(new FakeAlertData())
            .Baseline(AggregateKeys.Total, Today)
            .Invocations(Now.AddHours(-1), 10, costUsd: 15m);

        var alerts = await EvaluateAsync(new DailyCostAboveBaselineRule(), data);

        Assert.Empty(alerts);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(null)]
    public async Task DailyCostAboveBaseline_DuringWarmUp_ShouldStaySilent(int? historyDays)
    {
        var data = SevenDaysAtTenDollars(new FakeAlertData()).Invocations(Now.AddHours(-1), 10, costUsd: 100m);
        if (historyDays is { } days)
        {
            data.Baseline(AggregateKeys.Total, Today, historyDays: days);
        }

        var alerts = await EvaluateAsync(new DailyCostAboveBaselineRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task TokenUsageWeekOverWeek_WhenTokensGrowMoreThanTwentyPercent_ShouldFireNamingTheGrowingModel()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Total, Today)
            .Invocations(Now.AddDays(-10), 10, model: "model-a", inputTokens: 800, outputTokens: 200)
            .Invocations(Now.AddDays(-3), 10, model: "model-a", inputTokens: 800, outputTokens: 200)
            .Invocations(Now.AddDays(-2), 10, model: "model-b", principal: "bob", inputTokens: 500);

        var alerts = await EvaluateAsync(new TokenUsageWeekOverWeekRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Contains("150.0%", alert.Summary, StringComparison.Ordinal);
        var model = Assert.Single(alert.Contributors, c => c.Dimension == "model");
        Assert.Equal(("model-b", 500m, 1.0), (model.Name, model.Amount, model.Share));
    }

    [Fact]
    public async Task TokenUsageWeekOverWeek_WhenGrowthIsTenPercent_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Total, Today)
            .Invocations(Now.AddDays(-10), 10, inputTokens: 1000)
            .Invocations(Now.AddDays(-3), 10, inputTokens: 1100);

        var alerts = await EvaluateAsync(new TokenUsageWeekOverWeekRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task TokenUsageWeekOverWeek_WithLessThanTwoWeeksOfHistory_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Total, Today, historyDays: 10)
            .Invocations(Now.AddDays(-10), 10, inputTokens: 100)
            .Invocations(Now.AddDays(-3), 10, inputTokens: 1000);

        var alerts = await EvaluateAsync(new TokenUsageWeekOverWeekRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task LatencyDegradation_WhenP95OfTheLastDayIsAboveOneHundredThirtyPercentOfTheWeek_ShouldFire()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Total, Today)
            .Invocations(Now.AddDays(-4), 100, latencyMs: 1_000)
            .Invocations(Now.AddHours(-5), 100, latencyMs: 1_500);

        var alerts = await EvaluateAsync(new LatencyDegradationRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("warning", alert.Severity);
        Assert.Contains("anthropic.claude-sonnet", alert.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatencyDegradation_WhenP95RoseTwentyPercent_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Total, Today)
            .Invocations(Now.AddDays(-4), 100, latencyMs: 1_000)
            .Invocations(Now.AddHours(-5), 100, latencyMs: 1_200);

        var alerts = await EvaluateAsync(new LatencyDegradationRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task LatencyDegradation_DuringWarmUp_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Total, Today, historyDays: 4)
            .Invocations(Now.AddDays(-4), 100, latencyMs: 1_000)
            .Invocations(Now.AddHours(-5), 100, latencyMs: 5_000);

        var alerts = await EvaluateAsync(new LatencyDegradationRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task CacheHitRateDrop_WhenAModelsCacheShareFallsBelowSeventyPercentOfItsBaseline_ShouldFireForThatModel()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Model("cached-model"), Today)
            .Baseline(AggregateKeys.Model("uncached-model"), Today)
            .Invocations(Now.AddDays(-3), 50, model: "cached-model", inputTokens: 1000, cacheReadTokens: 1000)
            .Invocations(Now.AddHours(-2), 30, model: "cached-model", inputTokens: 900, cacheReadTokens: 100)
            .Invocations(Now.AddDays(-3), 50, model: "uncached-model", inputTokens: 1000)
            .Invocations(Now.AddHours(-2), 30, model: "uncached-model", inputTokens: 1000);

        var alerts = await EvaluateAsync(new CacheHitRateDropRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("cached-model", alert.Labels["model"]);
        Assert.Contains("10.0%", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CacheHitRateDrop_DuringTheModelsWarmUp_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Model("cached-model"), Today, historyDays: 2)
            .Invocations(Now.AddDays(-1), 50, model: "cached-model", inputTokens: 1000, cacheReadTokens: 1000)
            .Invocations(Now.AddHours(-2), 30, model: "cached-model", inputTokens: 1000);

        var alerts = await EvaluateAsync(new CacheHitRateDropRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task CacheHitRateDrop_WhenFewerThanTwentyInvocationsToday_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Baseline(AggregateKeys.Model("cached-model"), Today)
            .Invocations(Now.AddDays(-1), 50, model: "cached-model", inputTokens: 1000, cacheReadTokens: 1000)
            .Invocations(Now.AddHours(-2), 19, model: "cached-model", inputTokens: 1000);

        var alerts = await EvaluateAsync(new CacheHitRateDropRule(), data);

        Assert.Empty(alerts);
    }

    private static FakeAlertData WithHourProfile(FakeAlertData data, double mean, double stdDev, int historyDays = 30)
    {
        var slot = Baseline.SlotOf(Now.AddHours(-1));
        var profile = new Dictionary<int, IReadOnlyDictionary<BaselineMetric, BaselineStat>>
        {
            [slot] = new Dictionary<BaselineMetric, BaselineStat> { [BaselineMetric.Requests] = new(mean, stdDev, 4) },
        };
        return data.Baseline(AggregateKeys.Total, Today, historyDays, profile);
    }

    [Theory]
    [InlineData(200, "above")]
    [InlineData(20, "below")]
    public async Task UnusualRequestVolume_WhenTheLastHourIsOutsideThreeSigma_ShouldFireInEitherDirection(int requests, string direction)
    {
        var data = WithHourProfile(new FakeAlertData(), mean: 100, stdDev: 10)
            .Invocations(Now.AddMinutes(-40), requests, principal: "batch-job");

        var alerts = await EvaluateAsync(new UnusualRequestVolumeRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Contains(direction, alert.Summary, StringComparison.Ordinal);
        var principal = Assert.Single(alert.Contributors, c => c.Dimension == "principal");
        Assert.Equal(("batch-job", 1.0, ContributionBasis.Total), (principal.Name, principal.Share, principal.Basis));
    }

    [Fact]
    public async Task UnusualRequestVolume_WhenWithinThreeSigma_ShouldStaySilent()
    {
        var data = WithHourProfile(new FakeAlertData(), mean: 100, stdDev: 10).Invocations(Now.AddMinutes(-40), 125);

        var alerts = await EvaluateAsync(new UnusualRequestVolumeRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task UnusualRequestVolume_WhenTheProfileHasNoSpreadYet_ShouldUseThePoissonFloor()
    {
        var data = WithHourProfile(new FakeAlertData(), mean: 100, stdDev: 0).Invocations(Now.AddMinutes(-40), 125);

        var alerts = await EvaluateAsync(new UnusualRequestVolumeRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task UnusualRequestVolume_DuringWarmUp_ShouldStaySilent()
    {
        var data = WithHourProfile(new FakeAlertData(), mean: 100, stdDev: 10, historyDays: 6).Invocations(Now.AddMinutes(-40), 1000);

        var alerts = await EvaluateAsync(new UnusualRequestVolumeRule(), data);

        Assert.Empty(alerts);
    }
}
