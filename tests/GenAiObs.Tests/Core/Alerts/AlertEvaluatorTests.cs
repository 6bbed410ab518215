using Xunit;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Cli;

namespace GenAiObs.Tests.Rules;

public class AlertEvaluatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    private sealed class CapturingPublisher : IAlertPublisher
    {
        public List<AlertNotification> Published { get; } = [];

        public int FailuresLeft { get; set; }

        public Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new HttpRequestException("SNS unavailable");
            }

            Published.Add(notification);
            return Task.FromResult(new PublishReceipt("msg-" + Published.Count));
        }
    }

    private static async Task<(AlertEvaluator Evaluator, SimulatedClock Clock, CapturingPublisher Publisher, InMemoryAlertStateStore States)> ArrangeAsync(RuleSettings? settings = null)
    {
        var store = await new Traffic()
            .Steady(Start, Now, 25)
            .Steady(Now.AddMinutes(-10), Now, 12, model: "broken-model", failing: true)
            .StoreAsync();
        var clock = new SimulatedClock(Now);
        var publisher = new CapturingPublisher();
        var states = new InMemoryAlertStateStore();
        var evaluator = new AlertEvaluator(
            store,
            new RuleEvaluator(settings ?? RuleSettings.Default),
            RoutingTree.Default,
            states,
            publisher,
            clock,
            delay: (wait, _) =>
            {
                clock.Advance(wait);
                return Task.CompletedTask;
            });
        return (evaluator, clock, publisher, states);
    }

    [Fact]
    public async Task EvaluateAsync_WhenCriticalRulesFire_ShouldPageAfterGroupWaitWithinTheSameRun()
    {
        var (evaluator, clock, publisher, _) = await ArrangeAsync();

        var result = await evaluator.EvaluateAsync(CancellationToken.None);

        Assert.Equal(["ErrorRateHigh", "ModelUnavailable"], result.Alerts.Select(a => a.Rule));
        Assert.Equal(2, publisher.Published.Count);
        Assert.All(publisher.Published, n =>
        {
            Assert.Equal(("pagerduty", AlertStatus.Firing, Now.AddSeconds(30)), (n.Receiver, n.Status, n.At));
        });
        Assert.Equal("broken-model", publisher.Published.Single(n => n.AlertName == "ModelUnavailable").Alerts.Single().Labels.Get("model"));
        Assert.Equal(Now.AddSeconds(30), clock.GetUtcNow());
        Assert.Empty(result.Failed);
    }

    [Fact]
    public async Task EvaluateAsync_WhenRunAgainAtTheSameInstant_ShouldSendNothingMore()
    {
        var (evaluator, _, publisher, _) = await ArrangeAsync();
        await evaluator.EvaluateAsync(CancellationToken.None);

        var again = await evaluator.EvaluateAsync(CancellationToken.None);

        Assert.Empty(again.Sent);
        Assert.Equal(2, publisher.Published.Count);
        Assert.Equal(2, again.Alerts.Count);
    }

    [Fact]
    public async Task EvaluateAsync_WhenThePublisherFails_ShouldRetryAtTheNextRunAndNotLoseTheNotification()
    {
        var (evaluator, clock, publisher, _) = await ArrangeAsync();
        publisher.FailuresLeft = 2;

        var failed = await evaluator.EvaluateAsync(CancellationToken.None);
        clock.Set(Now.AddMinutes(5));
        var retried = await evaluator.EvaluateAsync(CancellationToken.None);

        Assert.Equal(2, failed.Failed.Count);
        Assert.Empty(failed.Sent);
        Assert.Equal(2, retried.Sent.Count);
        Assert.Equal(["ErrorRateHigh", "ModelUnavailable"], publisher.Published.Select(n => n.AlertName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EvaluateAsync_ForAOneShotNotice_ShouldSendItOnceWithoutWaitingAndNeverRepeatOrResolveIt()
    {
        var settings = RuleSettings.Default with { MonthlyBudgetUsd = 30m };
        var (evaluator, clock, publisher, states) = await ArrangeAsync(settings);

        await evaluator.EvaluateAsync(CancellationToken.None);
        for (var step = 1; step <= 60; step++)
        {
            clock.Set(Now.AddMinutes(5 * step));
            await evaluator.EvaluateAsync(CancellationToken.None);
        }

        var budget = Assert.Single(publisher.Published, n => n.AlertName == "BudgetThreshold");
        Assert.Equal(("slack-ops", AlertStatus.Firing, Now, "2026-11"), (budget.Receiver, budget.Status, budget.At, budget.Alerts.Single().Labels.Get("period")));
        var exceeded = Assert.Single(publisher.Published, n => n.AlertName == "MonthlyBudgetExceeded");
        Assert.Equal("slack-finops", exceeded.Receiver);
        Assert.Contains((await states.LoadAsync(CancellationToken.None)), g => OneShotPlanner.IsOneShotGroup(g.GroupId) && g.State is not null);
    }

    [Fact]
    public async Task EvaluateAsync_WhenTwoEvaluatorsShareTheStateStore_ShouldSendEachOneShotOnce()
    {
        var settings = RuleSettings.Default with { MonthlyBudgetUsd = 30m };
        var (first, clock, publisher, states) = await ArrangeAsync(settings);
        var store = await new Traffic().Steady(Start, Now, 25).StoreAsync();
        var second = new AlertEvaluator(store, new RuleEvaluator(settings), RoutingTree.Default, states, publisher, clock, new EvaluatorOptions { FollowUpWithin = TimeSpan.Zero });

        await Task.WhenAll(first.EvaluateAsync(CancellationToken.None), second.EvaluateAsync(CancellationToken.None));

        Assert.Single(publisher.Published, n => n.AlertName == "BudgetThreshold");
        Assert.Single(publisher.Published, n => n.AlertName == "MonthlyBudgetExceeded");
    }
}
