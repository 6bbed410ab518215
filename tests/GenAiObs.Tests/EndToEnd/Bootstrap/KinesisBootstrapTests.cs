using System.Text.Json;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Hardening;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Runtime;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Kinesis;

/// <summary>
/// The published <c>bootstrap</c> (invocation-logs handler) fed Kinesis events through a loopback
/// Runtime API, writing to dynalite through a fault-injecting proxy: the same stream batch arrives
/// as a first half, then whole while the table throttles, then as bisected halves, then whole
/// again — and the table holds every record exactly once.
/// </summary>
[Collection(PublishedBootstrapCollection.Name)]
[Trait("Category", "Integration")]
public sealed class KinesisBootstrapTests(PublishedBootstrap bootstrap, DynaliteTableFixture table) : IClassFixture<DynaliteTableFixture>
{
    private const int PerPayload = 5;
    private const string AccountA = "111111111111";
    private const string AccountB = "222222222222";

    [Fact]
    public async Task Bootstrap_WhenAStreamBatchIsRetriedWholeAndAsBisectedHalves_ShouldCountEveryRecordExactlyOnce()
    {
        // Arrange: a control message, a poison record, then six payloads of five invocation
        // records each, three from account A and three from account B.
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(bootstrap.ExecutablePath, new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
            ["_HANDLER"] = "invocation-logs",
            ["GENAIOBS_TABLE_NAME"] = table.TableName,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.EndpointUrl,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            // The records lie in this test's private range from 2030 on (NextRange), years ahead of the accepted window.
            ["GENAIOBS_MAX_EVENT_AHEAD_HOURS"] = "1000000",
        });
        List<KinesisEvents.StreamRecord> batch = [KinesisEvents.Control(0), KinesisEvents.Poison(1)];
        for (var p = 0; p < 6; p++)
        {
            batch.Add(KinesisEvents.Payload(2 + p, p < 3 ? AccountA : AccountB, Invocations(start, p * PerPayload, PerPayload)));
        }

        var firstHalf = batch[..4];
        var secondHalf = batch[4..];
        var n = 0;
        async Task<PostedResult> InvokeAsync(IEnumerable<KinesisEvents.StreamRecord> records)
        {
            server.Enqueue(new QueuedInvocation($"req-{n++}", KinesisEvents.Event(records), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()));
            return await server.NextPostAsync(TimeSpan.FromSeconds(60));
        }

        // Act
        var partial = await InvokeAsync(firstHalf);
        proxy.FailFraction(1.0, ProxyFault.Throttled, seed: 7, "UpdateItem");
        var throttled = await InvokeAsync(batch);
        proxy.Heal();
        var bisected = new[] { await InvokeAsync(firstHalf), await InvokeAsync(secondHalf) };
        var whole = await InvokeAsync(batch);
        await process.StopAsync();

        // Assert: while throttled, every payload from the first one on goes back to the stream;
        // the control message and the poison record before it never do.
        Assert.All([partial, throttled, .. bisected, whole], p => Assert.Equal("response", p.Kind));
        Assert.Empty(KinesisEvents.FailedSequenceNumbers(partial.Body));
        Assert.Equal(batch[2..].Select(r => r.SequenceNumber), KinesisEvents.FailedSequenceNumbers(throttled.Body));
        Assert.All(bisected, p => Assert.Empty(KinesisEvents.FailedSequenceNumbers(p.Body)));
        Assert.Empty(KinesisEvents.FailedSequenceNumbers(whole.Body));

        var sums = await new DynamoDbAggregateStore(table.Client, table.TableName).SumByPrefixAsync(string.Empty, Granularity.Fine, start, start.AddHours(3));
        Assert.Equal(Expected(0, 30), Measures(sums[AggregateKeys.Total]));
        Assert.Equal(Expected(0, 15), Measures(sums["account#" + AccountA]));
        Assert.Equal(Expected(15, 15), Measures(sums["account#" + AccountB]));
        Assert.Equal(Expected(0, 30), Measures(sums["region#us-east-1"]));

        // Each invocation holding the first half names the poison record's reason and counts the control message.
        var lines = process.StandardError.Select(line => JsonDocument.Parse(line).RootElement).Where(l => l.TryGetProperty("counts", out _)).ToList();
        Assert.Equal(5, lines.Count);
        Assert.Equal([1, 1, 1, 0, 1], lines.Select(l => l.GetProperty("counts").GetProperty("controlMessages").GetInt32()));
        Assert.Equal([1, 1, 1, 0, 1], lines.Select(l => l.TryGetProperty("reasons", out var reasons) ? reasons.GetProperty(RejectReasons.InvalidGzip).GetInt32() : 0));
        Assert.Equal("ProvisionedThroughputExceededException", lines[1].GetProperty("errorType").GetString());
        Assert.Equal(6, lines[1].GetProperty("counts").GetProperty("recordsRetried").GetInt32());
        Assert.True(lines[4].GetProperty("counts").GetProperty("aggregateItemsAlreadyApplied").GetInt32() > 0);
        Assert.Equal(0, lines[4].GetProperty("counts").GetProperty("aggregateItemsWritten").GetInt32());
    }

    /// <summary>Record i: 100 + i input and 10 + i output tokens on Sonnet 4.5 by its us. profile, every 7th a throttled call.</summary>
    private static IEnumerable<(string Id, long Timestamp, byte[] Message)> Invocations(DateTimeOffset start, int first, int count) =>
        Enumerable.Range(first, count).Select(i => (
            TestEvents.EventId(i),
            start.AddSeconds(37 * i).ToUnixTimeMilliseconds(),
            System.Text.Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(
                start.AddSeconds(37 * i),
                inputTokens: 100 + i,
                outputTokens: 10 + i,
                errorCode: i % 7 == 0 ? "ThrottlingException" : null,
                requestId: $"req-{i}"))));

    /// <summary>
    /// Requests, errors, tokens and micro-dollars of records first … first + count − 1, derived from
    /// how they are built: Sonnet 4.5's us. profile costs $3 / $15 per million tokens × 1.1 (the
    /// cross-region profile premium in functions/GenAiObs.Core/Pricing/default-prices.json); a failed call costs 0.
    /// </summary>
    private static (long Requests, long Errors, long Input, long Output, long CostMicros) Expected(int first, int count)
    {
        long errors = 0, input = 0, output = 0, cost = 0;
        for (var i = first; i < first + count; i++)
        {
            input += 100 + i;
            output += 10 + i;
            if (i % 7 == 0)
            {
                errors++;
                continue;
            }

            cost += (long)decimal.Round(((100 + i) * 3m + (10 + i) * 15m) * 1.1m, 0, MidpointRounding.ToEven);
        }

        return (count, errors, input, output, cost);
    }

    private static (long, long, long, long, long) Measures(AggregateCounters counters) =>
        (counters[CounterNames.Requests], counters[CounterNames.Errors], counters[CounterNames.InputTokens], counters[CounterNames.OutputTokens], counters[CounterNames.CostMicros]);
}
