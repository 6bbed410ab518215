using Xunit;
using GenAiObs.Core.Alerts.Rules;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

public class PeriodicRulesTests
{
    private static readonly DateTimeOffset MonthStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static FakeAlertData MonthToDate(decimal modelA, decimal modelB) =>
        new FakeAlertData()
            .Invocations(new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero), 10, model: "model-a", costUsd: 5_000m)
            .Invocations(MonthStart.AddDays(3), 10, model: "model-a", principal: "alice", costUsd: modelA)
            .Invocations(MonthStart.AddDays(9), 10, model: "model-b", principal: "bob", costUsd: modelB);

    [Fact]
    public async Task BudgetThreshold_WhenMonthToDateReachesEightyPercent_ShouldFireOnceShotForTheMonthWithTopContributors()
    {
        var data = MonthToDate(600m, 250m);

        var alerts = await EvaluateAsync(new BudgetThresholdRule(), data, WithBudget(1_000m));

        var alert = Assert.Single(alerts);
        Assert.Equal(("warning", "2026-11", true), (alert.Severity, alert.Labels["period"], alert.OneShot));
        Assert.Contains("$850.00", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("85.0%", alert.Summary, StringComparison.Ordinal);
        var models = alert.Contributors.Where(c => c.Dimension == "model").ToList();
        Assert.Equal(["model-a", "model-b"], models.Select(c => c.Name));
        Assert.Equal(600.0 / 850.0, models[0].Share, 6);
        Assert.Equal(ContributionBasis.Total, models[0].Basis);
    }

    [Fact]
    public async Task BudgetThreshold_WhenBelowEightyPercent_ShouldStaySilent()
    {
        var alerts = await EvaluateAsync(new BudgetThresholdRule(), MonthToDate(500m, 290m), WithBudget(1_000m));

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task BudgetRules_WithoutABudget_ShouldStaySilent()
    {
        var data = MonthToDate(5_000m, 5_000m);

        var threshold = await EvaluateAsync(new BudgetThresholdRule(), data);
        var exceeded = await EvaluateAsync(new MonthlyBudgetExceededRule(), data);

        Assert.Empty(threshold);
        Assert.Empty(exceeded);
    }

    [Fact]
    public async Task MonthlyBudgetExceeded_WhenMonthToDateReachesTheBudget_ShouldFireOneShot()
    {
        var data = MonthToDate(600m, 400m);

        var exceeded = await EvaluateAsync(new MonthlyBudgetExceededRule(), data, WithBudget(1_000m));
        var threshold = await EvaluateAsync(new BudgetThresholdRule(), data, WithBudget(1_000m));

        var alert = Assert.Single(exceeded);
        Assert.Equal(("MonthlyBudgetExceeded", "2026-11", true), (alert.Labels["alertname"], alert.Labels["period"], alert.OneShot));
        Assert.Single(threshold);
    }

    [Fact]
    public async Task MonthlyBudgetExceeded_WhenJustBelowTheBudget_ShouldStaySilent()
    {
        var alerts = await EvaluateAsync(new MonthlyBudgetExceededRule(), MonthToDate(600m, 399.99m), WithBudget(1_000m));

        Assert.Empty(alerts);
    }

    private static FakeAlertData Yesterday() =>
        new FakeAlertData()
            .Invocations(DayStart.AddHours(-20), 40, model: "model-a", principal: "alice", costUsd: 30m, errors: 2)
            .Invocations(DayStart.AddHours(-10), 10, model: "model-b", principal: "bob", costUsd: 10m);

    [Fact]
    public async Task DailyDigest_AfterTheConfiguredHour_ShouldReportYesterdayAsAOneShot()
    {
        var alerts = await EvaluateAsync(new DailyDigestRule(), Yesterday());

        var alert = Assert.Single(alerts);
        Assert.Equal(("info", "2026-11-17", true), (alert.Severity, alert.Labels["period"], alert.OneShot));
        Assert.Contains("$40.00", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("error rate 4.0%", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("1. alice: $30.00 (75.0%)", alert.Description, StringComparison.Ordinal);
        Assert.Contains("- model-b: $10.00", alert.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DailyDigest_BeforeTheConfiguredHour_ShouldStaySilent()
    {
        var alerts = await EvaluateAsync(new DailyDigestRule(), Yesterday(), now: DayStart.AddHours(7).AddMinutes(55));

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task DailyDigest_WhenTheHourIsConfiguredLater_ShouldWaitForIt()
    {
        var settings = RuleSettings.Default.With(DailyDigestRule.Definition.Id, p => p with { HourUtc = 11 });

        var before = await EvaluateAsync(new DailyDigestRule(), Yesterday(), settings);
        var after = await EvaluateAsync(new DailyDigestRule(), Yesterday(), settings, DayStart.AddHours(11));

        Assert.Empty(before);
        Assert.Single(after);
    }

    [Fact]
    public async Task DailyDigest_WhenYesterdayHadNoActivity_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-5), 10);

        var alerts = await EvaluateAsync(new DailyDigestRule(), data);

        Assert.Empty(alerts);
    }

    private static FakeAlertData TwoWeeks() =>
        new FakeAlertData()
            .Invocations(new DateTimeOffset(2026, 11, 4, 12, 0, 0, TimeSpan.Zero), 10, model: "model-a", costUsd: 20m, inputTokens: 1000)
            .Invocations(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero), 10, model: "model-a", costUsd: 20m, inputTokens: 1000)
            .Invocations(new DateTimeOffset(2026, 11, 12, 12, 0, 0, TimeSpan.Zero), 10, model: "model-b", costUsd: 10m, inputTokens: 500);

    [Fact]
    public async Task WeeklyUsageReport_AfterTheReportDayAndHour_ShouldReportTheLastFullWeekAsAOneShot()
    {
        var alerts = await EvaluateAsync(new WeeklyUsageReportRule(), TwoWeeks());

        var alert = Assert.Single(alerts);
        Assert.Equal(("info", "2026-W46", true), (alert.Severity, alert.Labels["period"], alert.OneShot));
        Assert.Contains("$30.00 (+50.0% week over week)", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("- model-a: $20.00 (±0%)", alert.Description, StringComparison.Ordinal);
        Assert.Contains("- model-b: $10.00 (new)", alert.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WeeklyUsageReport_OnTheReportDayBeforeTheHour_ShouldStaySilent()
    {
        var alerts = await EvaluateAsync(new WeeklyUsageReportRule(), TwoWeeks(), now: new DateTimeOffset(2026, 11, 16, 7, 55, 0, TimeSpan.Zero));

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task WeeklyUsageReport_WhenTheWeekHadNoActivity_ShouldStaySilent()
    {
        var alerts = await EvaluateAsync(new WeeklyUsageReportRule(), new FakeAlertData().Invocations(Now.AddHours(-1), 10));

        Assert.Empty(alerts);
    }
}
