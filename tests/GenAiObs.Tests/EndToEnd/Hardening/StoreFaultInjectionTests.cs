using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Runtime;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// The subscription functions, served by the real runtime loop, writing to dynalite through a
/// fault-injecting proxy: throttling, 5xx, a stopped server, a server too slow for the deadline.
/// After recovery — Lambda redelivering the failed invocations — the aggregates equal what one
/// clean delivery produces (the same builders into the in-memory store: every key and counter),
/// and the table's totals equal absolute figures derived from how the events are built (records,
/// errors, tokens, micro-dollars), so a bug both paths share fails too: nothing lost, nothing twice. A
/// failure that outlasts the retries fails the invocation, visibly (runtime error, ERROR log
/// line with its type) and without publishing the attempt's metrics.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StoreFaultInjectionTests(DynaliteTableFixture table) : IClassFixture<DynaliteTableFixture>
{
    private const string UpdateItem = "UpdateItem";
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    [Fact]
    public async Task InvocationLogs_WhenDynamoDbThrottlesAFewWrites_ShouldRetryWithinTheInvocationAndCountExactly()
    {
        // Arrange
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.Start((stdout, log) => InvocationLogs(proxy, stdout, log, maxAttempts: 4));
        var lambdaEvent = InvocationEvent(start, 40);
        proxy.FailNext(3, ProxyFault.Throttled, UpdateItem);

        // Act
        var posted = await harness.InvokeAsync(lambdaEvent);

        // Assert
        Assert.Equal("response", posted.Kind);
        Assert.Equal(3, proxy.Injected(UpdateItem));
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
        await AssertInvocationTotalsAsync(start, 40);
        Assert.Equal(40, PublishedInvocations(harness));
    }

    [Fact]
    public async Task InvocationLogs_WhenThrottlingOutlastsTheRetries_ShouldFailTheInvocationVisiblyThenCountOnceOnRedelivery()
    {
        // Arrange: every UpdateItem is throttled until the test heals the proxy.
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.Start((stdout, log) => InvocationLogs(proxy, stdout, log, maxAttempts: 3));
        var lambdaEvent = InvocationEvent(start, 25);
        proxy.FailFraction(1.0, ProxyFault.Throttled, seed: 1, UpdateItem);

        // Act
        var failed = await harness.InvokeAsync(lambdaEvent);
        var emfAfterFailure = harness.StdoutLines.Count;
        proxy.Heal();
        var redelivered = await harness.InvokeAsync(lambdaEvent);

        // Assert: the failure is the invocation's (so Lambda redelivers), named, and logged.
        Assert.Equal("error", failed.Kind);
        using (var error = JsonDocument.Parse(failed.Body))
        {
            Assert.Equal("ProvisionedThroughputExceededException", error.RootElement.GetProperty("errorType").GetString());
        }

        var errorLine = Assert.Single(harness.LogLines, line => line.GetProperty("level").GetString() == "ERROR");
        Assert.Equal(failed.RequestId, errorLine.GetProperty("requestId").GetString());
        Assert.Equal("ProvisionedThroughputExceededException", errorLine.GetProperty("errorType").GetString());
        Assert.Equal(0, emfAfterFailure);
        Assert.Equal(3, proxy.Injected(UpdateItem));

        // … and the redelivery counts every record once, metrics included.
        Assert.Equal("response", redelivered.Kind);
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
        await AssertInvocationTotalsAsync(start, 25);
        Assert.Equal(25, PublishedInvocations(harness));
    }

    [Theory]
    [InlineData("invocation-logs")]
    [InlineData("spans")]
    public async Task Functions_WhenHalfOfTheWritesFailWithoutRetries_ShouldConvergeToExactTotalsOverRedeliveries(string handler)
    {
        // Arrange: no in-invocation retries; each write fails with a seeded 50% chance, so every
        // failed delivery has written some items and not others.
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.Start((stdout, log) => handler == "spans" ? Spans(proxy, stdout, log) : InvocationLogs(proxy, stdout, log, maxAttempts: 1));
        var lambdaEvent = handler == "spans" ? SpanEvent(start, 30) : InvocationEvent(start, 30);
        proxy.FailFraction(0.5, ProxyFault.ServerError, seed: 42, UpdateItem);

        // Act: Lambda's retries (plus a DLQ redrive), bounded; the last one finds the table healthy.
        var (response, errors) = await harness.InvokeUntilSuccessAsync(lambdaEvent, attempts: 6, beforeAttempt: attempt =>
        {
            if (attempt == 6)
            {
                proxy.Heal();
            }
        });

        // Assert
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("InternalServerErrorException", e.Headers["Lambda-Runtime-Function-Error-Type"]));
        using var summary = JsonDocument.Parse(response.Body);
        Assert.True(summary.RootElement.GetProperty("aggregateItemsAlreadyApplied").GetInt32() > 0, "the failed deliveries had written some items");
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
        await (handler == "spans" ? AssertSpanTotalsAsync(start, 30) : AssertInvocationTotalsAsync(start, 30));
        Assert.Equal(errors.Count, harness.LogLines.Count(line => line.GetProperty("level").GetString() == "ERROR"));
    }

    [Fact]
    public async Task InvocationLogs_WhenDynamoDbIsStopped_ShouldFailTheInvocationThenCountOnceWhenItIsBack()
    {
        // Arrange
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.Start((stdout, log) => InvocationLogs(proxy, stdout, log, maxAttempts: 3));
        var lambdaEvent = InvocationEvent(start, 10);
        proxy.StopAccepting();

        // Act
        var failed = await harness.InvokeAsync(lambdaEvent);
        proxy.StartAccepting();
        var redelivered = await harness.InvokeAsync(lambdaEvent);

        // Assert
        Assert.Equal("error", failed.Kind);
        var errorLine = Assert.Single(harness.LogLines, line => line.GetProperty("level").GetString() == "ERROR");
        Assert.Equal("HttpRequestException", errorLine.GetProperty("errorType").GetString());
        Assert.Equal("response", redelivered.Kind);
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
        await AssertInvocationTotalsAsync(start, 10);
    }

    [Fact]
    public async Task InvocationLogs_WhenDynamoDbIsSlowerThanTheDeadline_ShouldTimeOutAndNotDoubleCountTheLateWrites()
    {
        // Arrange: the runtime's clock is manual; the first two writes hang in the proxy.
        var start = table.NextRange();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.Start((stdout, log) => InvocationLogs(proxy, stdout, log, maxAttempts: 3, parallel: 2), clock);
        var lambdaEvent = InvocationEvent(start, 20);
        proxy.HoldNext(2, UpdateItem);

        // Act: the deadline passes while the writes hang; then they reach the table late.
        var invocation = harness.InvokeAsync(lambdaEvent, deadline: clock.GetUtcNow().AddSeconds(30));
        await proxy.AllHeldAsync(FunctionHarness.Wait);
        clock.Advance(TimeSpan.FromSeconds(31));
        var timedOut = await invocation;
        proxy.ReleaseHeld();
        await proxy.ForwardedAtLeastAsync(UpdateItem, 2, FunctionHarness.Wait);
        var redelivered = await harness.InvokeAsync(lambdaEvent, deadline: clock.GetUtcNow().AddMinutes(5));

        // Assert
        Assert.Equal(("error", "HandlerTimeout"), (timedOut.Kind, timedOut.Headers["Lambda-Runtime-Function-Error-Type"]));
        Assert.Contains(harness.LogLines, line => line.GetProperty("errorType").ValueKind == JsonValueKind.String && line.GetProperty("errorType").GetString() == "HandlerTimeout");
        Assert.Equal("response", redelivered.Kind);
        using var summary = JsonDocument.Parse(redelivered.Body);
        Assert.True(summary.RootElement.GetProperty("aggregateItemsAlreadyApplied").GetInt32() >= 2, "the late writes were found already applied");
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
        await AssertInvocationTotalsAsync(start, 20);
    }

    // ---- The same faults through the bootstrap's cold start (HandlerRegistry.Initialise from the
    // environment), so the production wiring — settings, store, default retry policy — is the one
    // under test.

    [Fact]
    public async Task InvocationLogs_FromColdStart_WhenDynamoDbThrottlesAFewWrites_ShouldRetryAndCountExactly()
    {
        // Arrange
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.StartColdStart(ColdStartEnvironment(HandlerRegistry.InvocationLogs, proxy));
        var lambdaEvent = InvocationEvent(start, 30);
        proxy.FailNext(3, ProxyFault.Throttled, UpdateItem);

        // Act
        var posted = await harness.InvokeAsync(lambdaEvent);

        // Assert
        Assert.Equal("response", posted.Kind);
        Assert.Equal(3, proxy.Injected(UpdateItem));
        await AssertInvocationTotalsAsync(start, 30);
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
        Assert.Equal(30, PublishedInvocations(harness));
    }

    [Fact]
    public async Task Spans_FromColdStart_WhenDynamoDbFailsUntilRedelivery_ShouldFailVisiblyThenCountExactlyOnce()
    {
        // Arrange: every write fails with a 500 until the proxy heals (the default 6 attempts run out).
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.StartColdStart(ColdStartEnvironment(HandlerRegistry.Spans, proxy));
        var lambdaEvent = SpanEvent(start, 24);
        proxy.FailFraction(1.0, ProxyFault.ServerError, seed: 7, UpdateItem);

        // Act
        var failed = await harness.InvokeAsync(lambdaEvent);
        proxy.Heal();
        var redelivered = await harness.InvokeAsync(lambdaEvent);

        // Assert
        Assert.Equal(("error", "InternalServerErrorException"), (failed.Kind, failed.Headers["Lambda-Runtime-Function-Error-Type"]));
        Assert.Contains(harness.LogLines, line => line.GetProperty("level").GetString() == "ERROR" && line.GetProperty("requestId").GetString() == failed.RequestId);
        Assert.Equal("response", redelivered.Kind);
        await AssertSpanTotalsAsync(start, 24);
        await AssertExactlyOneDeliveryAsync(lambdaEvent, start);
    }

    [Fact]
    public async Task Evaluator_FromColdStart_WhenDynamoDbIsStopped_ShouldFailTheInvocationThenEvaluateWhenItIsBack()
    {
        // Arrange
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var harness = FunctionHarness.StartColdStart(ColdStartEnvironment(HandlerRegistry.Evaluator, proxy));
        var scheduled = """{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-18T10:05:00Z","detail":{}}"""u8.ToArray();
        proxy.StopAccepting();

        // Act
        var failed = await harness.InvokeAsync(scheduled);
        proxy.StartAccepting();
        var recovered = await harness.InvokeAsync(scheduled);

        // Assert
        Assert.Equal(("error", "HttpRequestException"), (failed.Kind, failed.Headers["Lambda-Runtime-Function-Error-Type"]));
        Assert.Contains(harness.LogLines, line => line.GetProperty("level").GetString() == "ERROR" && line.GetProperty("requestId").GetString() == failed.RequestId);
        Assert.Equal("response", recovered.Kind);
    }

    private DictionaryEnvironment ColdStartEnvironment(string handler, FaultInjectingProxy proxy) => new()
    {
        { EnvironmentVariables.Handler, handler },
        { EnvironmentVariables.TableName, table.TableName },
        { EnvironmentVariables.EndpointUrlDynamoDb, proxy.EndpointUrl },
        { EnvironmentVariables.Region, "us-east-1" },
        // Each test owns a two-month range from 2030 on (NextRange) so tests sharing the table never
        // touch each other's items: those event times lie years ahead of the accepted window.
        { EnvironmentVariables.MaxEventAheadHours, "1000000" },
    };

    // ---- The functions, wired as the bootstrap wires them but on the proxy's endpoint.

    private InvocationLogFunction InvocationLogs(FaultInjectingProxy proxy, TextWriter stdout, StructuredLogger log, int maxAttempts, int parallel = 1) =>
        new(new BatchProcessor(Prices), new EmfSerializer("GenAI/Hardening"), new InvocationMetricsOptions("hardening", 20, "test"), stdout, log, TimeProvider.System, Store(proxy, maxAttempts, parallel));

    private SpanFunction Spans(FaultInjectingProxy proxy, TextWriter stdout, StructuredLogger log) =>
        new(new BatchProcessor(Prices), new EmfSerializer("GenAI/Hardening"), new SpanMetricsBuilder(new SpanMetricsOptions(MaxDimensionValues: 20, DefaultEnvironment: "test", PipelineServiceName: "hardening")), stdout, log, TimeProvider.System, Store(proxy, maxAttempts: 1, parallel: 1));

    private DynamoDbAggregateStore Store(FaultInjectingProxy proxy, int maxAttempts, int parallel) =>
        new(DynamoDbClientFactory.Create(proxy.EndpointUrl, "us-east-1"), table.TableName, retry: new DynamoDbRetryPolicy(maxAttempts, TimeSpan.Zero, TimeSpan.Zero), maxParallelRequests: parallel);

    // ---- Expectations

    /// <summary>Every (bucket, key) in the table equals what one clean delivery of the event aggregates to, in memory.</summary>
    private async Task AssertExactlyOneDeliveryAsync(byte[] lambdaEvent, DateTimeOffset start)
    {
        var expectedStore = new InMemoryAggregateStore();
        await expectedStore.ApplyBatchAsync(AggregateBuilder.Build(new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent)));
        var expected = await expectedStore.SumByPrefixAsync(string.Empty, Granularity.Fine, start, start.AddHours(2));
        var actual = await new DynamoDbAggregateStore(table.Client, table.TableName).SumByPrefixAsync(string.Empty, Granularity.Fine, start, start.AddHours(2));

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, pair => Assert.True(pair.Value.ContentEquals(actual[pair.Key]), $"{pair.Key} differs from one clean delivery"));
    }

    /// <summary>
    /// The table's totals for <see cref="InvocationEvent"/>, derived here from how the event is
    /// built (not from the pipeline): record i has 100 + i input and 10 + i output tokens, every
    /// 7th is a throttled call (counted, priced at 0), and the models cycle through Sonnet 4.5 by
    /// its us. profile ($3 / $15 per million, × 1.1 regional), Claude 3 Haiku ($0.25 / $1.25) and
    /// Nova Pro ($0.80 / $3.20) — functions/GenAiObs.Core/Pricing/default-prices.json. Cost is summed per record in
    /// micro-dollars, each rounded half to even.
    /// </summary>
    private async Task AssertInvocationTotalsAsync(DateTimeOffset start, int count)
    {
        (decimal Input, decimal Output, decimal Multiplier)[] prices = [(3m, 15m, 1.1m), (0.25m, 1.25m, 1m), (0.8m, 3.2m, 1m)];
        long errors = 0, input = 0, output = 0, costMicros = 0;
        for (var i = 0; i < count; i++)
        {
            input += 100 + i;
            output += 10 + i;
            if (i % 7 == 0)
            {
                errors++;
                continue;
            }

            var (inPrice, outPrice, multiplier) = prices[i % 3];
            costMicros += (long)decimal.Round(((100 + i) * inPrice + (10 + i) * outPrice) * multiplier, 0, MidpointRounding.ToEven);
        }

        var total = (await TableTotalsAsync(start))[AggregateKeys.Total];
        Assert.Equal(
            (count, errors, errors, input, output, costMicros),
            (total[CounterNames.Requests], total[CounterNames.Errors], total[CounterNames.Throttles], total[CounterNames.InputTokens], total[CounterNames.OutputTokens], total[CounterNames.CostMicros]));
    }

    /// <summary>
    /// The table's totals for <see cref="SpanEvent"/>: every span is a Sonnet 4.5 model call (us.
    /// profile) of 1,980 input and 119 output tokens — 8,497.5 micro-dollars, rounded half to even
    /// to 8,498 — and every 6th is an error (counted with its tokens, priced at 0 as a failed
    /// invocation is).
    /// </summary>
    private async Task AssertSpanTotalsAsync(DateTimeOffset start, int count)
    {
        long errors = Enumerable.Range(0, count).Count(i => i % 6 == 0);

        var total = (await TableTotalsAsync(start))[AggregateKeys.Total];
        Assert.Equal(
            ((long)count, errors, (long)count, 1980L * count, 119L * count, 8498L * (count - errors)),
            (total[CounterNames.Spans], total[CounterNames.SpanErrors], total[CounterNames.ModelCalls], total[CounterNames.SpanInputTokens], total[CounterNames.SpanOutputTokens], total[CounterNames.SpanCostMicros]));
    }

    private Task<IReadOnlyDictionary<string, AggregateCounters>> TableTotalsAsync(DateTimeOffset start) =>
        new DynamoDbAggregateStore(table.Client, table.TableName).SumByPrefixAsync(AggregateKeys.Total, Granularity.Fine, start, start.AddHours(2));

    private static double PublishedInvocations(FunctionHarness harness) =>
        harness.StdoutLines
            .SelectMany(line => EmfSpec.ParseViews(Encoding.UTF8.GetBytes(line)))
            .Where(d => d.HasDimensions(["Service"]))
            .Sum(d => d.Values.GetValueOrDefault("Invocations", [0]).Sum());

    // ---- Events: realistic records spread over several models, principals and 5-minute buckets.

    private static byte[] InvocationEvent(DateTimeOffset start, int count)
    {
        string[] models = ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-pro-v1:0"];
        var events = Enumerable.Range(0, count).Select(i => (
            TestEvents.EventId(i),
            start.AddSeconds(37 * i).ToUnixTimeMilliseconds(),
            Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(
                start.AddSeconds(37 * i),
                modelId: models[i % models.Length],
                inputTokens: 100 + i,
                outputTokens: 10 + i,
                errorCode: i % 7 == 0 ? "ThrottlingException" : null,
                latencyMs: 200 + (i * 31),
                callerArn: $"arn:aws:sts::111122223333:assumed-role/role-{i % 4}/{PiiCanary.SessionEmail}"))));
        return TestEvents.SubscriptionEvent(TestEvents.DataMessage(events));
    }

    private static byte[] SpanEvent(DateTimeOffset start, int count)
    {
        var events = Enumerable.Range(0, count).Select(i => (
            TestEvents.EventId(i),
            start.AddSeconds(41 * i).ToUnixTimeMilliseconds(),
            Encoding.UTF8.GetBytes(PiiCanary.ModelCallSpan(
                start.AddSeconds(41 * i),
                spanId: (0x1000 + i).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
                traceId: "4bf92f3577b34da6a3ce929d0e0e47" + (i % 5).ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
                sessionId: "session-" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
                error: i % 6 == 0,
                durationMs: 300 + (i * 17)))));
        return TestEvents.SubscriptionEvent(TestEvents.DataMessage(events));
    }
}
