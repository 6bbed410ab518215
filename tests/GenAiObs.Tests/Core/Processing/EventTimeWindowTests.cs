using System.Text;
using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Integrity;

/// <summary>One rule for event times (the failure it guards against: a year-9999 record failed its whole delivery).</summary>
public sealed class EventTimeWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    private static string Converse(string timestamp) =>
        """{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"@TIME","accountId":"111122223333","region":"us-east-1","requestId":"r-1","operation":"Converse","modelId":"amazon.nova-lite-v1:0","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app-role/s"},"input":{"inputTokenCount":100},"output":{"outputTokenCount":20,"outputBodyJson":{"stopReason":"end_turn","metrics":{"latencyMs":300}}}}""".Replace("@TIME", timestamp, StringComparison.Ordinal);

    private static BatchResult Process(EventTimeWindow? window, params string[] timestamps)
    {
        var processor = new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { Window = window, Time = new Store.FixedTimeProvider(Now) });
        var events = timestamps.Select((t, i) => (TestEvents.EventId(i), Now.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(Converse(t))));
        return processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(events)));
    }

    [Theory]
    [InlineData("2026-11-17T12:00:00Z", true)]       // exactly the 3-day age bound
    [InlineData("2026-11-17T11:59:59.999Z", false)]  // 1 ms older
    [InlineData("2026-11-21T12:00:00Z", true)]       // exactly 1 day ahead
    [InlineData("2026-11-21T12:00:00.001Z", false)]  // 1 ms further
    public void ProcessDelivery_AtTheWindowsEdges_ShouldAcceptInsideAndRejectOutsideByName(string timestamp, bool accepted)
    {
        var result = Process(EventTimeWindow.Default, timestamp, "2026-11-20T11:00:00Z");

        Assert.Equal(accepted ? 2 : 1, result.Invocations.Count);
        Assert.Equal(accepted ? [] : [RejectReasons.TimestampOutOfWindow], result.Rejections.Select(r => r.Reason));
    }

    [Theory]
    [InlineData("9999-12-31T23:58:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1999-12-31T23:59:59.999Z")]
    [InlineData("2100-01-01T00:00:00.001Z")]
    public void ProcessDelivery_WhenAClockIsBroken_ShouldRejectThatRecordAndKeepTheRest(string timestamp)
    {
        // No relative window (replay): the plausible years still apply, to both record kinds alike.
        var result = Process(window: null, timestamp, "2026-11-20T11:00:00Z");

        var invocation = Assert.Single(result.Invocations);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 11, 0, 0, TimeSpan.Zero), invocation.Record.Timestamp);
        Assert.Equal([RejectReasons.InvalidTimestamp], result.Rejections.Select(r => r.Reason));
        var batch = AggregateBuilder.Build(result);
        Assert.Equal(1, batch.Deltas.Single(d => d.Key == AggregateKeys.Total).Counters[CounterNames.Requests]);
    }

    [Theory]
    [InlineData("2000-01-01T00:00:00Z")]
    [InlineData("2100-01-01T00:00:00Z")]
    public void ProcessDelivery_AtThePlausibleYearsEdges_ShouldAccept(string timestamp) =>
        Assert.Single(Process(window: null, timestamp).Invocations);

    [Fact]
    public void ProcessDelivery_WhenASpanEndsTwoDaysAhead_ShouldRejectItByTheSameRule()
    {
        var end = Now.AddDays(2).ToUnixTimeMilliseconds() * 1_000_000L;
        var span = """{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"chat m","startTimeUnixNano":@START,"endTimeUnixNano":@END,"attributes":{"gen_ai.operation.name":"chat"}}"""
            .Replace("@START", (end - 1_000_000_000L).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@END", end.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var processor = new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { Window = EventTimeWindow.Default, Time = new Store.FixedTimeProvider(Now) });

        var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Encoding.UTF8.GetBytes(span))));

        Assert.Empty(result.Spans);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal((RejectReasons.TimestampOutOfWindow, RecordSources.Span), (rejection.Reason, rejection.Source));
    }

    [Fact]
    public void ExpiresAt_WhenTheBucketIsAtTheEndOfTime_ShouldSaturateInsteadOfThrowing()
    {
        var last = Buckets.StartOf(DateTimeOffset.MaxValue, Granularity.Fine);

        var expires = AggregateRetention.Default.ExpiresAt(Granularity.Daily, last, AggregateKeys.Total);

        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeSeconds(), expires);
        Assert.Equal(DateTimeOffset.MinValue, SaturatingTime.Add(new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(-3)));
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeSeconds(), AggregateRetention.Default.BaselineExpiresAt(DateOnly.MaxValue));
    }

    [Fact]
    public async Task Replay_WhenOneRecordIsFromYear9999_ShouldRejectItAndReportTheRest()
    {
        var directory = Directory.CreateTempSubdirectory("genaiobs-window-");
        try
        {
            var path = Path.Combine(directory.FullName, "records.jsonl");
            await File.WriteAllLinesAsync(path, [Converse("9999-12-31T23:58:00Z"), Converse("2026-11-20T11:00:00Z"), Converse("0001-01-01T00:00:00Z")]);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            var exit = await new ReplayCommand(new CliEnvironment(new Dictionary<string, string>(), directory.FullName)).RunAsync(["--json", path], stdout, stderr);

            Assert.Equal(0, exit);
            using var json = System.Text.Json.JsonDocument.Parse(stdout.ToString());
            var invocations = json.RootElement.GetProperty("invocations");
            Assert.Equal(1, invocations.GetProperty("records").GetInt32());
            Assert.Equal(2, invocations.GetProperty("rejected").GetInt32());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
