using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Cli;
using Xunit;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

/// <summary>
/// A planted month: since 1 October every weekday costs $50 (model-a $40 via alice, model-b $10 via bob) and
/// every weekend day $10 (model-a via alice). November 2026 starts on a Sunday and has 21 weekdays and 9 weekend
/// days, so its true total — and the weekday-aware forecast of it — is 21 × 50 + 9 × 10 = $1,140.
/// </summary>
public sealed class BudgetForecastExceededRuleTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static bool Weekend(DateTimeOffset day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static FakeAlertData PlantedMonth(DateTimeOffset until)
    {
        var data = new FakeAlertData();
        for (var day = October; day < until; day = day.AddDays(1))
        {
            if (Weekend(day))
            {
                data.Invocations(day.AddHours(12), 10, model: "model-a", principal: "alice", costUsd: 10m);
            }
            else
            {
                data.Invocations(day.AddHours(10), 40, model: "model-a", principal: "alice", costUsd: 40m);
                data.Invocations(day.AddHours(15), 10, model: "model-b", principal: "bob", costUsd: 10m);
            }
        }

        return data;
    }

    /// <summary>The planted spend of November up to (not including) <paramref name="day"/>.</summary>
    private static decimal SpentBefore(DateTimeOffset day)
    {
        var total = 0m;
        for (var d = November; d < day; d = d.AddDays(1))
        {
            total += Weekend(d) ? 10m : 50m;
        }

        return total;
    }

    [Fact]
    public async Task BudgetForecastExceeded_WhenTheWeekdayPaceCrossesTheBudget_ShouldGiveForecastRangeCrossingDayAndContributors()
    {
        // Arrange: evaluated on Saturday 7 November, 00:00: $260 spent; at the planted pace the $1,000 budget is
        // reached on Thursday 26 November (cumulative 1,020 after 970 on the 25th).
        var at = November.AddDays(6);
        var data = PlantedMonth(at);

        // Act
        var alerts = await EvaluateAsync(new BudgetForecastExceededRule(), data, WithBudget(1_000m), at);

        // Assert
        var alert = Assert.Single(alerts);
        Assert.Equal(260m, SpentBefore(at));
        Assert.Equal(("BudgetForecastExceeded", "warning", "2026-11", true), (alert.Labels["alertname"], alert.Severity, alert.Labels["period"], alert.OneShot));
        Assert.Equal(
            "Budget forecast exceeded for 2026-11: month-end spend forecast $1,140.00 (range $1,140.00–$1,140.00) is 114.0% of the $1,000.00 monthly budget; " +
            "at the current rate the budget is crossed on 2026-11-26",
            alert.Summary);
        Assert.Contains("is $260.00, 26.0% of GENAIOBS_MONTHLY_BUDGET_USD", alert.Description, StringComparison.Ordinal);
        Assert.Contains("weekday factors from the last 28 complete days", alert.Description, StringComparison.Ordinal);
        var models = alert.Contributors.Where(c => c.Dimension == "model").ToList();
        Assert.Equal(["model-a", "model-b"], models.Select(c => c.Name));
        Assert.Equal(210m, models[0].Amount);
        Assert.Equal(210.0 / 260.0, models[0].Share, 9);
    }

    [Fact]
    public async Task BudgetForecastExceeded_BeforeTheOtherBudgetRules_ShouldBeTheOnlyBudgetNotice()
    {
        var at = November.AddDays(6);
        var data = PlantedMonth(at);

        var threshold = await EvaluateAsync(new BudgetThresholdRule(), data, WithBudget(1_000m), at);
        var exceeded = await EvaluateAsync(new MonthlyBudgetExceededRule(), data, WithBudget(1_000m), at);

        Assert.Empty(threshold);
        Assert.Empty(exceeded);
    }

    [Theory]
    [InlineData(1_139.99, true)]
    [InlineData(1_140.01, false)]
    public async Task BudgetForecastExceeded_AtTheForecastEdge_ShouldFireOnlyWhenTheForecastReachesTheBudget(double budget, bool fires)
    {
        var at = November.AddDays(17);

        var alerts = await EvaluateAsync(new BudgetForecastExceededRule(), PlantedMonth(at), WithBudget((decimal)budget), at);

        Assert.Equal(fires, alerts.Count == 1);
    }

    [Fact]
    public async Task BudgetForecastExceeded_WithALowerThreshold_ShouldFireEarlier()
    {
        var at = November.AddDays(17);
        var settings = WithBudget(1_200m).With(BudgetForecastExceededRule.Definition.Id, p => p with { Threshold = 90m });

        var alerts = await EvaluateAsync(new BudgetForecastExceededRule(), PlantedMonth(at), settings, at);

        var alert = Assert.Single(alerts);
        Assert.Contains("95.0% of the $1,200.00 monthly budget; at the current rate the budget is not crossed this month", alert.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public async Task BudgetForecastExceeded_BeforeMinSamplesCompleteDays_ShouldStaySilent(int completeDays, bool fires)
    {
        var at = November.AddDays(completeDays);

        var alerts = await EvaluateAsync(new BudgetForecastExceededRule(), PlantedMonth(at), WithBudget(1_000m), at);

        Assert.Equal(fires, alerts.Count == 1);
    }

    [Fact]
    public async Task BudgetForecastExceeded_OnceTheBudgetIsSpent_ShouldLeaveItToMonthlyBudgetExceeded()
    {
        // Arrange: by Monday 9 November $280 is spent; a $280 budget is exhausted, a $280.01 one is not.
        var at = November.AddDays(8);
        var data = PlantedMonth(at);

        // Act
        var spent = await EvaluateAsync(new BudgetForecastExceededRule(), data, WithBudget(280m), at);
        var exceeded = await EvaluateAsync(new MonthlyBudgetExceededRule(), data, WithBudget(280m), at);
        var justBefore = await EvaluateAsync(new BudgetForecastExceededRule(), data, WithBudget(280.01m), at);

        // Assert
        Assert.Equal(280m, SpentBefore(at));
        Assert.Empty(spent);
        Assert.Single(exceeded);
        Assert.Single(justBefore);
    }

    [Fact]
    public async Task BudgetForecastExceeded_WithoutABudgetOrWhenDisabledByItsSettings_ShouldStaySilent()
    {
        var at = November.AddDays(6);
        var data = PlantedMonth(at);

        var noBudget = await EvaluateAsync(new BudgetForecastExceededRule(), data, RuleSettings.Default, at);
        var disabled = await new RuleEvaluator(RuleSettingsParser.Parse(new Dictionary<string, string>
        {
            ["GENAIOBS_MONTHLY_BUDGET_USD"] = "1000",
            ["GENAIOBS_RULE_BUDGET_FORECAST_EXCEEDED_ENABLED"] = "false",
        })).EvaluateAsync(data, at, CancellationToken.None);

        Assert.Empty(noBudget);
        Assert.DoesNotContain(disabled, a => a.Rule == "BudgetForecastExceeded");
    }

    [Fact]
    public async Task BudgetForecastExceeded_ThroughTheEvaluator_ShouldReachTheFinOpsReceiverOncePerMonthDaysBeforeTheBudgetIsExceeded()
    {
        // Arrange: the planted month as stored traffic, one evaluation at every midnight from 2 to 30 November
        // and again on 1 December, with the default routing tree.
        var traffic = new Traffic();
        for (var day = October; day < new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero); day = day.AddDays(1))
        {
            traffic.Steady(day.AddHours(10), day.AddHours(10).AddMinutes(5), 1, model: "model-a", costUsd: Weekend(day) ? 10m : 50m);
        }

        var store = await traffic.StoreAsync();
        var clock = new SimulatedClock(November.AddDays(1));
        var publisher = new RecordingPublisher();
        var evaluator = new AlertEvaluator(
            store,
            new RuleEvaluator(RuleSettings.Default with { MonthlyBudgetUsd = 1_000m }),
            RoutingTree.Default,
            new InMemoryAlertStateStore(),
            publisher,
            clock,
            delay: (wait, _) =>
            {
                clock.Advance(wait);
                return Task.CompletedTask;
            });

        // Act
        for (var day = November.AddDays(1); day <= new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero); day = day.AddDays(1))
        {
            clock.Set(day);
            await evaluator.EvaluateAsync(CancellationToken.None);
        }

        // Assert: MinSamples 3 → first possible on 4 November; the budget is exceeded by the spend of 26 November,
        // seen at midnight on the 27th.
        var forecast = Assert.Single(publisher.Published, n => n.AlertName == "BudgetForecastExceeded");
        var exceeded = Assert.Single(publisher.Published, n => n.AlertName == "MonthlyBudgetExceeded");
        Assert.Equal(("slack-finops", November.AddDays(3)), (forecast.Receiver, forecast.At));
        Assert.Equal(("slack-finops", November.AddDays(26)), (exceeded.Receiver, exceeded.At));
    }

    private sealed class RecordingPublisher : IAlertPublisher
    {
        public List<AlertNotification> Published { get; } = [];

        public Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            Published.Add(notification);
            return Task.FromResult(new PublishReceipt("msg-" + Published.Count));
        }
    }
}
