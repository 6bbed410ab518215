using Xunit;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

public class RuleEvaluatorTests
{
    private static FakeAlertData Incident() =>
        new FakeAlertData()
            .Invocations(Now.AddMinutes(-10), 30, model: "broken", errors: 30, latencyMs: 20_000)
            .Invocations(Now.AddMinutes(-10), 30, model: "fine", latencyMs: 900)
            .Invocations(DayStart.AddHours(-3), 10, costUsd: 900m);

    [Fact]
    public async Task EvaluateAsync_WhenCalledTwiceAtTheSameInstant_ShouldGiveTheSameAlerts()
    {
        var evaluator = new RuleEvaluator(WithBudget(1_000m));
        var data = Incident();

        var first = await evaluator.EvaluateAsync(data, Now);
        var second = await evaluator.EvaluateAsync(data, Now);

        Assert.Equal(first.Select(a => (a.Identity, a.Summary, a.Description)), second.Select(a => (a.Identity, a.Summary, a.Description)));
        Assert.Equal(
            ["BudgetForecastExceeded", "BudgetThreshold", "DailyDigest", "ErrorRateHigh", "LatencyP95High", "ModelUnavailable"],
            first.Select(a => a.Rule).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EvaluateAsync_WhenARuleIsDisabled_ShouldNotRunIt()
    {
        var settings = RuleSettingsParser.Parse(new Dictionary<string, string> { ["GENAIOBS_RULE_MODEL_UNAVAILABLE_ENABLED"] = "false" });
        var evaluator = new RuleEvaluator(settings);

        var alerts = await evaluator.EvaluateAsync(Incident(), Now);

        Assert.DoesNotContain(alerts, a => a.Rule == ModelUnavailableRule.Definition.Id);
        Assert.Contains(alerts, a => a.Rule == ErrorRateHighRule.Definition.Id);
    }

    [Fact]
    public async Task EvaluateAsync_BetweenScheduleTicks_ShouldUseTheLastFiveMinuteBoundary()
    {
        var evaluator = new RuleEvaluator(RuleSettings.Default);
        var data = Incident();

        var onTick = await evaluator.EvaluateAsync(data, Now);
        var late = await evaluator.EvaluateAsync(data, Now.AddSeconds(40));

        Assert.Equal(onTick.Select(a => a.Identity + a.Summary), late.Select(a => a.Identity + a.Summary));
    }

    [Fact]
    public async Task EveryAlert_ShouldCarryTheFixedLabels()
    {
        var evaluator = new RuleEvaluator(WithBudget(1_000m));

        var alerts = await evaluator.EvaluateAsync(Incident(), Now);

        Assert.All(alerts, alert =>
        {
            Assert.Equal(alert.Rule, alert.Labels["alertname"]);
            Assert.Equal(RuleCatalog.Get(alert.Rule).Severity, alert.Labels["severity"]);
            Assert.Equal("aws", alert.Labels["cloud_provider"]);
            Assert.False(string.IsNullOrWhiteSpace(alert.Summary));
        });
    }

    [Fact]
    public void Catalog_ShouldDeriveEveryDefinitionFromItsRuleOnce()
    {
        var rules = RuleEvaluator.DefaultRules();

        Assert.Same(RuleCatalog.Rules, rules);
        Assert.Equal(rules.Select(rule => rule.Definition), RuleCatalog.All);
        Assert.Equal(rules.Count, rules.Select(rule => rule.GetType()).Distinct().Count());
        Assert.Equal(rules.Count, RuleCatalog.All.Select(definition => definition.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(RuleCatalog.All, definition =>
        {
            Assert.Same(definition, RuleCatalog.Get(definition.Id));
            Assert.Contains(definition.Severity, new[] { "critical", "warning", "info" });
            Assert.True((definition.Parameters & RuleParameterKinds.Enabled) != 0, $"{definition.Id} cannot be disabled");
        });
    }
}
