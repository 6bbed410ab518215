using System.Text.Json;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Rules;
using Xunit;

namespace GenAiObs.Tests.Kinesis;

/// <summary>
/// The invocation-log function handed Kinesis events in-process, with an in-memory store (or one
/// that fails on demand): partial batch responses, poison records, control messages and the
/// account and region keys of a central deployment.
/// </summary>
public sealed class KinesisStreamFunctionTests
{
    private static readonly InvocationContext Context = new("req-stream", DateTimeOffset.MaxValue, null, null);
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task HandleAsync_WhenGivenTheFixtureEvent_ShouldAcknowledgeEveryRecordAndKeyByAccountAndRegion()
    {
        // Arrange
        var store = new InMemoryAggregateStore();
        var (function, stdout, stderr) = Create(store);

        // Act
        var response = await function.HandleAsync(KinesisEvents.Fixture("central-stream.kinesis-event.json"), Context, CancellationToken.None);

        // Assert: nothing to retry — the control message and the poison record are acknowledged.
        Assert.Empty(KinesisEvents.FailedSequenceNumbers(response));
        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Start, Start.AddHours(1));
        Assert.Equal(6, sums[AggregateKeys.Total][CounterNames.Requests]);
        Assert.Equal(3, sums["account#123456789012"][CounterNames.Requests]);
        Assert.Equal(3, sums["account#210987654321"][CounterNames.Requests]);
        Assert.Equal(6, sums["region#us-east-1"][CounterNames.Requests]);

        var log = JsonDocument.Parse(stderr.ToString().Trim()).RootElement;
        Assert.Equal("WARN", log.GetProperty("level").GetString());
        var counts = log.GetProperty("counts");
        Assert.Equal(4, counts.GetProperty("records").GetInt32());
        Assert.Equal(0, counts.GetProperty("recordsRetried").GetInt32());
        Assert.Equal(6, counts.GetProperty("invocations").GetInt32());
        Assert.Equal(1, counts.GetProperty("controlMessages").GetInt32());
        Assert.Equal(3, counts.GetProperty("rejected").GetInt32());
        Assert.Equal(1, log.GetProperty("reasons").GetProperty(RejectReasons.InvalidGzip).GetInt32());
        var totals = EmfSpec.ParseLines(stdout.ToString()).Where(d => d.HasDimensions(["Service"])).ToList();
        Assert.Equal(6, totals.Sum(d => d.Values.GetValueOrDefault("Invocations", [0]).Sum()));
        Assert.Equal(3, totals.Sum(d => d.Values.GetValueOrDefault("RejectedRecords", [0]).Sum()));
        Assert.DoesNotContain("CANARY", stdout + stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_WhenTheStoreFailsOnTheThirdPayload_ShouldReportItAndEveryLaterRecordButNotThePoison()
    {
        // Arrange: poison, payload, payload, payload, control; the store fails on its second write
        // (the third record, the second payload).
        var store = new FailingStore(new InMemoryAggregateStore(), failOnCall: 2);
        var (function, stdout, stderr) = Create(store);
        var body = KinesisEvents.Event(
        [
            KinesisEvents.Poison(0),
            KinesisEvents.Payload(1, "111111111111", Invocations(0, 2)),
            KinesisEvents.Payload(2, "111111111111", Invocations(2, 2)),
            KinesisEvents.Payload(3, "222222222222", Invocations(4, 2)),
            KinesisEvents.Control(4),
        ]);

        // Act
        var response = await function.HandleAsync(body, Context, CancellationToken.None);

        // Assert
        Assert.Equal([KinesisEvents.Sequence(2), KinesisEvents.Sequence(3), KinesisEvents.Sequence(4)], KinesisEvents.FailedSequenceNumbers(response));
        var sums = await store.Inner.SumByPrefixAsync(string.Empty, Granularity.Fine, Start, Start.AddHours(1));
        Assert.Equal(2, sums[AggregateKeys.Total][CounterNames.Requests]);
        var log = JsonDocument.Parse(stderr.ToString().Trim()).RootElement;
        Assert.Equal("ERROR", log.GetProperty("level").GetString());
        Assert.Equal(nameof(TimeoutException), log.GetProperty("errorType").GetString());
        Assert.Equal(3, log.GetProperty("counts").GetProperty("recordsRetried").GetInt32());
        Assert.Equal(1, log.GetProperty("reasons").GetProperty(RejectReasons.InvalidGzip).GetInt32());

        // Only what was acknowledged is published: the first payload's two invocations.
        var totals = EmfSpec.ParseLines(stdout.ToString()).Where(d => d.HasDimensions(["Service"])).ToList();
        Assert.Equal(2, totals.Sum(d => d.Values.GetValueOrDefault("Invocations", [0]).Sum()));

        // Act again: Lambda retries from the lowest reported sequence number.
        var retry = await function.HandleAsync(KinesisEvents.Event(
        [
            KinesisEvents.Payload(2, "111111111111", Invocations(2, 2)),
            KinesisEvents.Payload(3, "222222222222", Invocations(4, 2)),
            KinesisEvents.Control(4),
        ]), Context, CancellationToken.None);

        Assert.Empty(KinesisEvents.FailedSequenceNumbers(retry));
        sums = await store.Inner.SumByPrefixAsync(string.Empty, Granularity.Fine, Start, Start.AddHours(1));
        Assert.Equal(6, sums[AggregateKeys.Total][CounterNames.Requests]);
        Assert.Equal(4, sums["account#111111111111"][CounterNames.Requests]);
        Assert.Equal(2, sums["account#222222222222"][CounterNames.Requests]);
    }

    [Fact]
    public async Task HandleAsync_WhenARecordHasNoSequenceNumber_ShouldRejectAndAcknowledgeIt()
    {
        var store = new InMemoryAggregateStore();
        var (function, _, stderr) = Create(store);
        var data = KinesisEvents.Payload(0, "111111111111", Invocations(0, 1)).Data;
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"Records":[{"kinesis":{"data":"{{data}}"},"eventID":"shardId-000000000001:1","eventSourceARN":"{{KinesisEvents.StreamArn}}"}]}""");

        var response = await function.HandleAsync(body, Context, CancellationToken.None);

        Assert.Empty(KinesisEvents.FailedSequenceNumbers(response));
        Assert.Empty(await store.GetItemsAsync(string.Empty, Granularity.Fine, Start, Start.AddHours(1)));
        var log = JsonDocument.Parse(stderr.ToString().Trim()).RootElement;
        Assert.Equal(1, log.GetProperty("reasons").GetProperty(RejectReasons.InvalidEnvelope).GetInt32());
    }

    [Fact]
    public async Task HandleAsync_WhenASubscriptionEventArrives_ShouldKeepTheDirectModeKeysAndSummary()
    {
        // Direct mode: no account or region keys (one account and region, already "total").
        var store = new InMemoryAggregateStore();
        var (function, _, _) = Create(store);

        var response = await function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Invocations(0, 3))), Context, CancellationToken.None);

        using var summary = JsonDocument.Parse(response);
        Assert.Equal(3, summary.RootElement.GetProperty("invocations").GetInt32());
        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Start, Start.AddHours(1));
        Assert.Equal(3, sums[AggregateKeys.Total][CounterNames.Requests]);
        Assert.DoesNotContain(sums.Keys, k => k.StartsWith(AggregateKeys.AccountPrefix, StringComparison.Ordinal) || k.StartsWith(AggregateKeys.RegionPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_WhenCentralModeReceivesThisAccountsOwnSubscriptionEvent_ShouldKeyItByOwnerAndTheFunctionsRegion()
    {
        // Central mode: this account's own groups stay subscribed directly; their deliveries get the
        // same account and Region keys as the members' deliveries through the stream.
        var store = new InMemoryAggregateStore();
        var (function, stdout, _) = Create(store, new ProcessingOptions { DirectDeliveryRegion = "eu-west-1" });

        await function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Invocations(0, 3), owner: "999988887777")), Context, CancellationToken.None);

        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Start, Start.AddHours(1));
        Assert.Equal(3, sums[AggregateKeys.Total][CounterNames.Requests]);
        Assert.Equal(3, sums["account#999988887777"][CounterNames.Requests]);
        Assert.Equal(3, sums["region#eu-west-1"][CounterNames.Requests]);
        var attribution = EmfSpec.ParseLines(stdout.ToString()).Where(d => d.Properties.ContainsKey(MetricDimensions.Principal)).ToList();
        Assert.NotEmpty(attribution);
        Assert.All(attribution, d => Assert.Equal(("999988887777", "eu-west-1"), (d.Properties[MetricDimensions.Account], d.Properties[MetricDimensions.Region])));
    }

    [Fact]
    public async Task HandleAsync_WhenRecordsComeFromTwoAccounts_ShouldCarryEachAccountAndRegionOnItsAttributionDocuments()
    {
        var (function, stdout, _) = Create(new InMemoryAggregateStore());

        await function.HandleAsync(KinesisEvents.Event(
        [
            KinesisEvents.Payload(1, "111111111111", Invocations(0, 2)),
            KinesisEvents.Payload(2, "222222222222", Invocations(2, 1)),
        ], region: "ap-southeast-2"), Context, CancellationToken.None);

        // Each delivery's attribution documents name its owner; invocations sum per account as in the store.
        var attribution = EmfSpec.ParseLines(stdout.ToString()).Where(d => d.Properties.ContainsKey(MetricDimensions.Principal)).ToList();
        var byAccount = attribution.GroupBy(d => d.Properties[MetricDimensions.Account]).ToDictionary(g => g.Key, g => g.Sum(d => d.PropertyValues[InvocationMetricNames.InvocationsProperty]));
        Assert.Equal(new Dictionary<string, double> { ["111111111111"] = 2, ["222222222222"] = 1 }, byAccount);
        Assert.All(attribution, d => Assert.Equal("ap-southeast-2", d.Properties[MetricDimensions.Region]));
    }

    [Fact]
    public async Task HandleAsync_WhenDirectModeReceivesASubscriptionEvent_ShouldWriteNoAccountOrRegionProperty()
    {
        var (function, stdout, _) = Create(new InMemoryAggregateStore());

        await function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Invocations(0, 2))), Context, CancellationToken.None);

        var documents = EmfSpec.ParseLines(stdout.ToString());
        Assert.Contains(documents, d => d.Properties.ContainsKey(MetricDimensions.Principal));
        Assert.DoesNotContain(documents, d => d.Properties.ContainsKey(MetricDimensions.Account) || d.Properties.ContainsKey(MetricDimensions.Region));
    }

    /// <summary>Invocation records <paramref name="first"/> … first + count − 1, 40 s apart from <see cref="Start"/>.</summary>
    internal static IEnumerable<(string Id, long Timestamp, byte[] Message)> Invocations(int first, int count) =>
        Enumerable.Range(first, count).Select(i => (
            TestEvents.EventId(i),
            Start.AddSeconds(40 * i).ToUnixTimeMilliseconds(),
            System.Text.Encoding.UTF8.GetBytes(Hardening.PiiCanary.InvocationRecord(Start.AddSeconds(40 * i), inputTokens: 100 + i, outputTokens: 10 + i, requestId: $"req-{i}"))));

    private static (ILambdaFunction Function, StringWriter Stdout, StringWriter Stderr) Create(IAggregateStore store, ProcessingOptions? options = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var function = new InvocationLogFunction(
            new BatchProcessor(PriceTable.LoadDefault(), DecoderLimits.Default, options),
            new EmfSerializer("GenAI/Stream"),
            new InvocationMetricsOptions("stream-test"),
            stdout,
            new StructuredLogger(stderr, DiagnosticLevel.Information, TimeProvider.System, "stream-test"),
            TimeProvider.System,
            store);
        return (function, stdout, stderr);
    }

    /// <summary>A store whose n-th <see cref="ApplyBatchAsync"/> call (1-based) throws, as a table that stays throttled does after the client's retries.</summary>
    private sealed class FailingStore(InMemoryAggregateStore inner, int failOnCall) : ForwardingAggregateStore(inner)
    {
        private int _calls;

        public override Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == failOnCall ? throw new TimeoutException("store unavailable") : Inner.ApplyBatchAsync(batch, cancellationToken);
    }
}
