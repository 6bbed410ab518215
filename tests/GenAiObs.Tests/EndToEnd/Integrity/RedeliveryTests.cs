using System.Text.Json;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Integrity;

/// <summary>Exactly-once per delivery, for the aggregates and the EMF metrics alike (the failure it guards against: a redelivery doubled CloudWatch metrics).</summary>
public sealed class RedeliveryTests
{
    private static readonly InvocationContext Context = new("req-1", DateTimeOffset.MaxValue, null, null);

    private static byte[] Delivery() => TestEvents.SubscriptionEvent(TestEvents.RuntimeFixture("invocation-logs.data-message.json"));

    private static (InvocationLogFunction Function, StringWriter Stdout) Create(IAggregateStore store)
    {
        var stdout = new StringWriter();
        var log = new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, TimeProvider.System, "test");
        return (new InvocationLogFunction(new BatchProcessor(PriceTable.LoadDefault()), new EmfSerializer(), new InvocationMetricsOptions("svc"), stdout, log, TimeProvider.System, store), stdout);
    }

    private static double Invocations(string emf) =>
        EmfSpec.ParseLines(emf).Where(d => d.HasDimensions(["Service"])).Sum(d => d.Values.GetValueOrDefault("Invocations", [0]).Sum());

    [Fact]
    public async Task HandleAsync_WhenTheSameDeliveryIsRedelivered_ShouldPublishItsMetricsOnce()
    {
        var store = new InMemoryAggregateStore();
        var (first, firstOut) = Create(store);
        var (second, secondOut) = Create(store);

        await first.HandleAsync(Delivery(), Context, CancellationToken.None);
        using var summary = JsonDocument.Parse(await second.HandleAsync(Delivery(), Context, CancellationToken.None));

        Assert.Equal(3, Invocations(firstOut.ToString()));
        Assert.Equal(string.Empty, secondOut.ToString());
        Assert.Equal(0, summary.RootElement.GetProperty("emfDocuments").GetInt32());
        Assert.True(summary.RootElement.GetProperty("aggregateItemsAlreadyApplied").GetInt32() > 0);
    }

    [Fact]
    public async Task HandleAsync_WhenTheSameEventsArriveInADifferentBatch_ShouldCountThemAgain()
    {
        // The documented scope: exactly once per delivery (its id comes from its event ids); the same
        // events batched differently are a different delivery.
        var store = new InMemoryAggregateStore();
        var (function, stdout) = Create(store);
        var processor = new BatchProcessor(PriceTable.LoadDefault());
        var whole = processor.ProcessLambdaEvent(Delivery());

        await function.HandleAsync(Delivery(), Context, CancellationToken.None);
        await store.ApplyBatchAsync(AggregateBuilder.Build("another-batching", whole.Invocations.Take(2), []));

        var hour = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, hour, hour.AddHours(1));
        Assert.Equal(5, total[CounterNames.Requests]);
        Assert.Equal(3, Invocations(stdout.ToString()));
    }
}
