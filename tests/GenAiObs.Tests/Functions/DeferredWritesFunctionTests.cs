using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Rules;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>The functions with <c>GENAIOBS_AGGREGATE_WRITES=deferred</c> on dynalite: one delta per delivery, rolled up by the evaluator before it evaluates.</summary>
[Trait("Category", "Integration")]
public sealed class DeferredWritesFunctionTests(DynaliteTableFixture table) : IClassFixture<DynaliteTableFixture>
{
    private static readonly InvocationContext Context = new("req-deferred", DateTimeOffset.MaxValue, null, null);

    [Fact]
    public async Task HandleAsync_WhenTheSameDeliveryArrivesTwiceInDeferredMode_ShouldWriteOneDeltaAndPublishItsEmfOnce()
    {
        // Arrange: the fixture's records are from 2026-11-26 10:00; the processor runs a minute later.
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.InvocationLogs },
            { EnvironmentVariables.MaxEventAgeHours, "1000000" },
            { EnvironmentVariables.TableName, table.TableName },
            { EnvironmentVariables.AggregateWrites, "deferred" },
            { EnvironmentVariables.EndpointUrlDynamoDb, table.Endpoint },
            { EnvironmentVariables.Region, "us-east-1" },
        };
        var window = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var metrics = new StringWriter();
        var host = HandlerRegistry.Initialise(environment, metrics, TextWriter.Null, new SimulatedClock(window.AddMinutes(1)));
        var body = Event();

        // Act
        using var first = JsonDocument.Parse(await host.Function.HandleAsync(body, Context, CancellationToken.None));
        var emfAfterFirst = metrics.ToString().Length;
        using var second = JsonDocument.Parse(await host.Function.HandleAsync(body, Context, CancellationToken.None));

        // Assert: one delta item, no fine item yet; the redelivery wrote nothing and published no EMF.
        Assert.Equal(1, first.RootElement.GetProperty("aggregateItemsWritten").GetInt32());
        Assert.True(first.RootElement.GetProperty("emfDocuments").GetInt32() > 0);
        Assert.Equal(0, second.RootElement.GetProperty("aggregateItemsWritten").GetInt32());
        Assert.Equal(1, second.RootElement.GetProperty("aggregateItemsAlreadyApplied").GetInt32());
        Assert.Equal(0, second.RootElement.GetProperty("emfDocuments").GetInt32());
        Assert.Equal(emfAfterFirst, metrics.ToString().Length);
        var store = new DynamoDbAggregateStore(table.Client, table.TableName);
        var delta = Assert.Single(await store.GetDeltasAsync(window));
        Assert.Equal(first.RootElement.GetProperty("batchId").GetString(), delta.BatchId);
        Assert.Equal(3, delta.Deltas.Single(d => d.Key == AggregateKeys.Total).Counters[CounterNames.Requests]);
        Assert.Empty(await store.GetItemsAsync(string.Empty, Granularity.Fine, window, window.AddHours(1)));
    }

    [Fact]
    public async Task HandleAsync_WhenTheEvaluatorRunsInDeferredMode_ShouldRollUpTheClosedWindowsThenEvaluateThem()
    {
        // Arrange: an hour of traffic whose last 15 minutes fail, present only as deltas; the
        // same traffic written directly to an in-memory store is the control.
        var now = new DateTimeOffset(2031, 6, 18, 10, 5, 3, TimeSpan.Zero);
        var traffic = new Traffic()
            .Steady(now.AddHours(-1), now, 20)
            .Steady(now.AddMinutes(-15), now, 10, model: "broken-model", failing: true);
        var store = new DynamoDbAggregateStore(table.Client, table.TableName);
        await StoreTestData.LeaveAsDeltasAsync(store, traffic.Deliveries(), now.AddHours(-2));
        var evaluatedAt = now + DeferredAggregation.MaxRollupDelay - TimeSpan.FromMinutes(5);
        var diagnostics = new StringWriter();
        var clock = new SimulatedClock(evaluatedAt);
        var deferred = new EvaluatorFunction(Evaluator(store, clock), new StructuredLogger(diagnostics, DiagnosticLevel.Information, clock, "test"), new DeltaRollup(store, store), clock);
        var withoutRollup = new EvaluatorFunction(Evaluator(store, clock), new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, clock, "test"));
        var control = new EvaluatorFunction(Evaluator(await traffic.StoreAsync(), clock), new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, clock, "test"));
        var scheduledEvent = """{"time":"2031-06-18T10:10:00Z"}"""u8.ToArray();

        // Act
        var unrolled = EvaluatorResponse.Firing(await withoutRollup.HandleAsync(scheduledEvent, Context, CancellationToken.None));
        var rolled = EvaluatorResponse.Firing(await deferred.HandleAsync(scheduledEvent, Context, CancellationToken.None));
        var expected = EvaluatorResponse.Firing(await control.HandleAsync(scheduledEvent, Context, CancellationToken.None));

        // Assert: without the roll-up the rules see nothing; with it, what direct writes give.
        Assert.Empty(unrolled);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, rolled);
        var log = diagnostics.ToString();
        Assert.True(log.IndexOf("Deltas rolled up", StringComparison.Ordinal) is >= 0 and var rolledAt && rolledAt < log.IndexOf("Evaluation done", StringComparison.Ordinal), log);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, now.AddHours(-2), now.AddMinutes(10));
        Assert.Equal((12 * 20) + (3 * 10), total[CounterNames.Requests]);
    }

    private static AlertEvaluator Evaluator(IAggregateStore store, TimeProvider clock) =>
        new(store, new RuleEvaluator(RuleSettings.Default), RoutingTree.Default, new InMemoryAlertStateStore(), new FakePublisher(), clock, delay: (_, _) => Task.CompletedTask);


    private static byte[] Event() => TestEvents.SubscriptionEvent(TestEvents.RuntimeFixture("invocation-logs.data-message.json"));
}
