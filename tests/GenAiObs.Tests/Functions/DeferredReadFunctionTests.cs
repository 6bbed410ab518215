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
using GenAiObs.Tests.Rules;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// The evaluator as the bootstrap builds it with <c>GENAIOBS_AGGREGATE_WRITES=deferred</c>, on
/// dynalite: windows not yet closed (so not rolled up) are read through their deltas, and the rules
/// fire as they do on directly written items.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeferredReadFunctionTests(DynaliteTableFixture table) : IClassFixture<DynaliteTableFixture>
{
    private static readonly InvocationContext Context = new("req-deferred-read", DateTimeOffset.MaxValue, null, null);

    [Fact]
    public async Task HandleAsync_WhenTheFailuresAreOnlyInWindowsNotRolledUpYet_ShouldFireWhatDirectWritesFire()
    {
        // Arrange: an hour of traffic whose last 5-minute bucket also holds a failing model, all
        // left as deltas; evaluated 3 s after it, so that bucket's window is not closed yet.
        var now = new DateTimeOffset(2032, 3, 9, 10, 5, 3, TimeSpan.Zero);
        var traffic = new Traffic()
            .Steady(now.AddHours(-1), now, 20)
            .Steady(now.AddMinutes(-5), now, 25, model: "broken-model", failing: true);
        var store = new DynamoDbAggregateStore(table.Client, table.TableName);
        await StoreTestData.LeaveAsDeltasAsync(store, traffic.Deliveries(), now.AddHours(-2));
        var scheduledEvent = """{"time":"2032-03-09T10:05:00Z"}"""u8.ToArray();
        var control = new EvaluatorFunction(
            new AlertEvaluator(await traffic.StoreAsync(), new RuleEvaluator(RuleSettings.Default), RoutingTree.Default, new InMemoryAlertStateStore(), new FakePublisher(), new SimulatedClock(now), delay: (_, _) => Task.CompletedTask),
            new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, new SimulatedClock(now), "test"));

        // Act: an evaluator reading the items alone (direct mode) sees none of it; the deferred one rolls up what is closed and reads the rest through.
        var itemsOnly = EvaluatorResponse.Firing(await Evaluator("direct", now).HandleAsync(scheduledEvent, Context, CancellationToken.None));
        var deferred = EvaluatorResponse.Firing(await Evaluator("deferred", now).HandleAsync(scheduledEvent, Context, CancellationToken.None));
        var expected = EvaluatorResponse.Firing(await control.HandleAsync(scheduledEvent, Context, CancellationToken.None));

        // Assert: the failing bucket is still only in its delta, and the rules saw it.
        Assert.Empty(itemsOnly);
        Assert.Contains("ModelUnavailable", expected);
        Assert.Equal(expected, deferred);
        var lastBucket = Buckets.StartOf(now, Granularity.Fine) - Buckets.FineWidth;
        Assert.Equal(lastBucket - Buckets.FineWidth, await store.GetRollupWatermarkAsync());
        Assert.Empty(await store.GetItemsAsync(string.Empty, Granularity.Fine, lastBucket, now));
        Assert.NotEmpty(await store.GetItemsAsync(string.Empty, Granularity.Fine, now.AddHours(-1), lastBucket));
    }

    private ILambdaFunction Evaluator(string writeMode, DateTimeOffset now) =>
        HandlerRegistry.Initialise(
            new DictionaryEnvironment
            {
                { EnvironmentVariables.Handler, HandlerRegistry.Evaluator },
                { EnvironmentVariables.TableName, table.TableName },
                { EnvironmentVariables.AggregateWrites, writeMode },
                { EnvironmentVariables.EndpointUrlDynamoDb, table.Endpoint },
                { EnvironmentVariables.Region, "us-east-1" },
            },
            TextWriter.Null,
            TextWriter.Null,
            new SimulatedClock(now)).Function;
}
