using System.Text.Json;
using Xunit;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Cli;

namespace GenAiObs.Tests.Rules;

public class EvaluatorFunctionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 3, TimeSpan.Zero);

    private sealed class CapturingPublisher : IAlertPublisher
    {
        public List<AlertNotification> Published { get; } = [];

        public Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            Published.Add(notification);
            return Task.FromResult(new PublishReceipt("msg"));
        }
    }

    [Fact]
    public async Task HandleAsync_OnAScheduledEvent_ShouldEvaluatePublishAndAnswerWithCounts()
    {
        var store = await new Traffic()
            .Steady(Now.AddHours(-1), Now, 20)
            .Steady(Now.AddMinutes(-15), Now, 10, model: "broken-model", failing: true)
            .StoreAsync();
        var clock = new SimulatedClock(Now);
        var publisher = new CapturingPublisher();
        var evaluator = new AlertEvaluator(store, new RuleEvaluator(RuleSettings.Default), RoutingTree.Default, new InMemoryAlertStateStore(), publisher, clock,
            delay: (wait, _) =>
            {
                clock.Advance(wait);
                return Task.CompletedTask;
            });
        var diagnostics = new StringWriter();
        var function = new EvaluatorFunction(evaluator, new StructuredLogger(diagnostics, DiagnosticLevel.Information, clock, "test"));
        var scheduledEvent = """{"version":"0","id":"e1","detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-18T10:05:00Z","region":"eu-west-1","resources":[],"detail":{}}"""u8.ToArray();

        var response = await function.HandleAsync(scheduledEvent, new InvocationContext("req-1", Now.AddMinutes(1), null, null), CancellationToken.None);

        using var json = JsonDocument.Parse(response);
        Assert.Equal("2026-11-18T10:05:03.000Z", json.RootElement.GetProperty("at").GetString());
        Assert.Equal("2026-11-18T10:05:00Z", json.RootElement.GetProperty("scheduledTime").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("alerts").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("sent").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(2, publisher.Published.Count);
        Assert.Contains("ErrorRateHigh", diagnostics.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WhenAThresholdIsUnparseable_ShouldFailTheColdStartNamingTheSetting()
    {
        var environment = new DictionaryEnvironment
        {
            { "_HANDLER", "evaluator" },
            { "GENAIOBS_TABLE_NAME", "genaiobs" },
            { "AWS_REGION", "eu-west-1" },
            { "GENAIOBS_RULE_LATENCY_P95_HIGH_THRESHOLD", "ten seconds" },
        };

        var exception = Assert.Throws<RuleSettingsException>(() => HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System));

        Assert.Contains("GENAIOBS_RULE_LATENCY_P95_HIGH_THRESHOLD", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WithoutATable_ShouldFailTheColdStartNamingTheVariable()
    {
        var environment = new DictionaryEnvironment { { "_HANDLER", "evaluator" }, { "AWS_REGION", "eu-west-1" } };

        var exception = Assert.Throws<SettingsException>(() => HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System));

        Assert.Equal("GENAIOBS_TABLE_NAME", exception.VariableName);
    }

    [Fact]
    public void Create_WithTheTemplatesSettings_ShouldBuildTheEvaluator()
    {
        var environment = new DictionaryEnvironment
        {
            { "_HANDLER", "evaluator" },
            { "GENAIOBS_TABLE_NAME", "genaiobs" },
            { "AWS_REGION", "eu-west-1" },
            { "GENAIOBS_MONTHLY_BUDGET_USD", "5000" },
            { "GENAIOBS_RECEIVER_TOPICS", """{"pagerduty":"arn:aws:sns:eu-west-1:123456789012:pd"}""" },
        };

        var host = HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System);

        Assert.IsType<EvaluatorFunction>(host.Function);
    }
}
