using Xunit;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Records;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

public class InvocationRulesTests
{
    [Fact]
    public async Task ErrorRateHigh_WhenMoreThanFivePercentFailOverFifteenMinutes_ShouldFireNamingTheFailingModels()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-10), 90, model: "model-a")
            .Invocations(Now.AddMinutes(-5), 10, model: "model-b", errors: 8);

        var alerts = await EvaluateAsync(new ErrorRateHighRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("ErrorRateHigh", alert.Labels["alertname"]);
        Assert.Equal("critical", alert.Labels["severity"]);
        Assert.Equal("aws", alert.Labels["cloud_provider"]);
        Assert.Contains("8.0%", alert.Summary, StringComparison.Ordinal);
        var top = Assert.Single(alert.Contributors);
        Assert.Equal(("model", "model-b", 1.0), (top.Dimension, top.Name, top.Share));
    }

    [Fact]
    public async Task ErrorRateHigh_WhenRateIsAtTheThreshold_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-5), 100, errors: 5);

        var alerts = await EvaluateAsync(new ErrorRateHighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task ErrorRateHigh_WhenFewerThanMinimumSamples_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-5), 19, errors: 19);

        var alerts = await EvaluateAsync(new ErrorRateHighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task ErrorRateHigh_WhenFailuresAreOlderThanTheWindow_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-20), 50, errors: 50)
            .Invocations(Now.AddMinutes(-5), 50);

        var alerts = await EvaluateAsync(new ErrorRateHighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task ErrorRateHigh_WhenThresholdAndWindowAreConfigured_ShouldUseThem()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-25), 30, errors: 3)
            .Invocations(Now.AddMinutes(-5), 10);
        var settings = RuleSettings.Default.With(ErrorRateHighRule.Definition.Id, p => p with { Threshold = 2m, Window = TimeSpan.FromMinutes(30) });

        var alerts = await EvaluateAsync(new ErrorRateHighRule(), data, settings);

        Assert.Single(alerts);
    }

    [Fact]
    public async Task LatencyP95High_WhenP95IsAboveTenSeconds_ShouldFire()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-10), 18, latencyMs: 800)
            .Invocations(Now.AddMinutes(-5), 12, model: "slow-model", latencyMs: 14_000);

        var alerts = await EvaluateAsync(new LatencyP95HighRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("critical", alert.Severity);
        Assert.Contains("slow-model", alert.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatencyP95High_WhenOnlyAFewCallsAreSlow_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-10), 97, latencyMs: 800)
            .Invocations(Now.AddMinutes(-5), 3, latencyMs: 30_000);

        var alerts = await EvaluateAsync(new LatencyP95HighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task LatencyP95High_WhenFewerThanMinimumSamples_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-5), 19, latencyMs: 30_000);

        var alerts = await EvaluateAsync(new LatencyP95HighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task ModelUnavailable_WhenEveryCallOfAModelFailed_ShouldFireForThatModelOnly()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-10), 12, model: "broken", errors: 12)
            .Invocations(Now.AddMinutes(-10), 40, model: "healthy", errors: 2);

        var alerts = await EvaluateAsync(new ModelUnavailableRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("broken", alert.Labels["model"]);
        Assert.Equal("critical", alert.Severity);
    }

    [Fact]
    public async Task ModelUnavailable_WhenOneCallSucceeded_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-10), 12, errors: 11);

        var alerts = await EvaluateAsync(new ModelUnavailableRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task ModelUnavailable_WhenFewerThanTenCalls_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-10), 9, errors: 9);

        var alerts = await EvaluateAsync(new ModelUnavailableRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task CompletionRateLow_WhenBothFullHoursAreBelowNinetyFivePercent_ShouldFire()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddHours(-2), 90)
            .Invocations(Now.AddHours(-2), 10, stopReason: StopReasons.MaxTokens)
            .Invocations(Now.AddHours(-1), 80, stopReason: StopReasons.ToolUse)
            .Invocations(Now.AddHours(-1), 20, stopReason: StopReasons.MaxTokens);

        var alerts = await EvaluateAsync(new CompletionRateLowRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("warning", alert.Severity);
        Assert.Contains("90.0%", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("80.0%", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompletionRateLow_WhenOnlyOneHourIsLow_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddHours(-2), 100)
            .Invocations(Now.AddHours(-1), 80)
            .Invocations(Now.AddHours(-1), 20, stopReason: StopReasons.MaxTokens);

        var alerts = await EvaluateAsync(new CompletionRateLowRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task CompletionRateLow_WhenAnHourHasFewerThanTwentyCountedInvocations_ShouldStaySilent()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddHours(-2), 10)
            .Invocations(Now.AddHours(-2), 9, stopReason: StopReasons.MaxTokens)
            .Invocations(Now.AddHours(-1), 50)
            .Invocations(Now.AddHours(-1), 50, stopReason: StopReasons.MaxTokens);

        var alerts = await EvaluateAsync(new CompletionRateLowRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task CompletionRateLow_WhenTheCurrentPartialHourIsLow_ShouldIgnoreIt()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddHours(-2), 100)
            .Invocations(Now.AddHours(-1), 100)
            .Invocations(Now.AddMinutes(-4), 100, stopReason: StopReasons.MaxTokens);

        var alerts = await EvaluateAsync(new CompletionRateLowRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task UnpricedModelInUse_WhenAModelHasNoPrice_ShouldFirePerModelCountingInvocationsAndSpans()
    {
        var data = new FakeAlertData()
            .Invocations(Now.AddMinutes(-30), 4, model: "new-model", unpriced: 4)
            .Invocations(Now.AddMinutes(-30), 50, model: "known-model")
            .Add(AggregateKeys.SpanModel("new-model"), Now.AddMinutes(-20), c => c.Add(CounterNames.SpanUnpriced, 3));

        var alerts = await EvaluateAsync(new UnpricedModelInUseRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("new-model", alert.Labels["model"]);
        Assert.Contains("7 calls", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("run `genaiobs prices refresh --out prices.json`", alert.Description, StringComparison.Ordinal);
        Assert.Contains("PricesBucketName/PricesObjectKey", alert.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnpricedModelInUse_WhenTheUnpricedCallsAreOlderThanAnHour_ShouldStaySilent()
    {
        var data = new FakeAlertData().Invocations(Now.AddMinutes(-70), 4, model: "new-model", unpriced: 4);

        var alerts = await EvaluateAsync(new UnpricedModelInUseRule(), data);

        Assert.Empty(alerts);
    }
}
