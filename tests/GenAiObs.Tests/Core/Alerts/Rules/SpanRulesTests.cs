using Xunit;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

public class SpanRulesTests
{
    private static FakeAlertData Agents(FakeAlertData data, DateTimeOffset time, long agents, long errors) =>
        data.Add(AggregateKeys.Total, time, c =>
        {
            c.Add(CounterNames.Agents, agents);
            c.Add(CounterNames.AgentErrors, errors);
        });

    private static FakeAlertData Session(FakeAlertData data, string session, DateTimeOffset time, long modelCalls, decimal costUsd)
    {
        void Add(AggregateCounters c)
        {
            c.Add(CounterNames.ModelCalls, modelCalls);
            c.Add(CounterNames.SpanCostMicros, AggregateCounters.ToMicros(costUsd));
        }

        data.Add(AggregateKeys.Session(session), time, Add);
        return data.Add(AggregateKeys.Total, time, Add);
    }

    private static FakeAlertData Durations(FakeAlertData data, string key, DateTimeOffset time, int count, double ms) =>
        data.Add(key, time, c =>
        {
            for (var i = 0; i < count; i++)
            {
                c.AddObservation(HistogramFamily.SpanDuration, ms);
            }
        });

    [Fact]
    public async Task AgentErrorRateHigh_WhenEachOfThreeWindowsIsAboveTenPercent_ShouldFire()
    {
        var data = new FakeAlertData();
        Agents(data, Now.AddMinutes(-15), 10, 2);
        Agents(data, Now.AddMinutes(-10), 10, 3);
        Agents(data, Now.AddMinutes(-5), 10, 2);

        var alerts = await EvaluateAsync(new AgentErrorRateHighRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("critical", alert.Severity);
        Assert.Contains("20.0%, 30.0%, 20.0%", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentErrorRateHigh_WhenOneWindowIsHealthy_ShouldStaySilent()
    {
        var data = new FakeAlertData();
        Agents(data, Now.AddMinutes(-15), 10, 5);
        Agents(data, Now.AddMinutes(-10), 10, 1);
        Agents(data, Now.AddMinutes(-5), 10, 5);

        var alerts = await EvaluateAsync(new AgentErrorRateHighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task AgentErrorRateHigh_WhenFewerThanTwentyAgentSpansInTotal_ShouldStaySilent()
    {
        var data = new FakeAlertData();
        Agents(data, Now.AddMinutes(-15), 6, 6);
        Agents(data, Now.AddMinutes(-10), 6, 6);
        Agents(data, Now.AddMinutes(-5), 7, 7);

        var alerts = await EvaluateAsync(new AgentErrorRateHighRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task RunawayAgentSession_WhenASessionMakesMoreThanHundredModelCalls_ShouldFireForThatSession()
    {
        var data = new FakeAlertData();
        Session(data, "sess-loop", Now.AddMinutes(-8), 60, 1m);
        Session(data, "sess-loop", Now.AddMinutes(-3), 41, 1m);
        Session(data, "sess-ok", Now.AddMinutes(-3), 20, 2m);

        var alerts = await EvaluateAsync(new RunawayAgentSessionRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("sess-loop", alert.Labels["session"]);
        var contributor = Assert.Single(alert.Contributors);
        Assert.Equal(("session", "sess-loop", 2m / 4m), (contributor.Dimension, contributor.Name, (decimal)contributor.Share));
    }

    [Fact]
    public async Task RunawayAgentSession_WhenASessionCostsMoreThanTenDollars_ShouldFire()
    {
        var data = new FakeAlertData();
        Session(data, "sess-expensive", Now.AddMinutes(-3), 5, 10.01m);

        var alerts = await EvaluateAsync(new RunawayAgentSessionRule(), data);

        Assert.Equal("sess-expensive", Assert.Single(alerts).Labels["session"]);
    }

    [Fact]
    public async Task RunawayAgentSession_WhenTheCallsAreSpreadOverMoreThanTenMinutes_ShouldStaySilent()
    {
        var data = new FakeAlertData();
        Session(data, "sess-slow", Now.AddMinutes(-14), 60, 5m);
        Session(data, "sess-slow", Now.AddMinutes(-3), 60, 5m);

        var alerts = await EvaluateAsync(new RunawayAgentSessionRule(), data);

        Assert.Empty(alerts);
    }

    [Fact]
    public async Task ComponentP95High_WhenAToolIsSlow_ShouldFireOnceForThatToolsComponent()
    {
        var data = new FakeAlertData();
        Durations(data, AggregateKeys.Component("tool:search_web"), Now.AddMinutes(-5), 25, 7_000);
        Durations(data, AggregateKeys.Tool("search_web"), Now.AddMinutes(-5), 25, 7_000);
        Durations(data, AggregateKeys.Component("tool:get_weather"), Now.AddMinutes(-5), 25, 300);
        Durations(data, AggregateKeys.Component("model:claude"), Now.AddMinutes(-5), 25, 2_000);
        Durations(data, AggregateKeys.Component("model:claude"), Now.AddMinutes(-20), 25, 9_000);

        var alerts = await EvaluateAsync(new ComponentP95HighRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal(("tool:search_web", "search_web"), (alert.Labels["component"], alert.Labels["tool"]));
    }

    [Fact]
    public async Task ComponentP95High_WhenTheAgentComponentIsSlow_ShouldFireWithoutAToolLabel()
    {
        var data = new FakeAlertData();
        Durations(data, AggregateKeys.Component("agent"), Now.AddMinutes(-10), 30, 12_000);

        var alerts = await EvaluateAsync(new ComponentP95HighRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("agent", alert.Labels["component"]);
        Assert.False(alert.Labels.ContainsKey("tool"));
    }

    [Fact]
    public async Task ComponentP95High_WhenFewerThanTwentySpans_ShouldStaySilent()
    {
        var data = new FakeAlertData();
        Durations(data, AggregateKeys.Component("tool:search_web"), Now.AddMinutes(-5), 19, 9_000);

        var alerts = await EvaluateAsync(new ComponentP95HighRule(), data);

        Assert.Empty(alerts);
    }
}
