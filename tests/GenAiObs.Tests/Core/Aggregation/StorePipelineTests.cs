using GenAiObs.Cli.Export;
using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>The bundled sample logs through the real batch processor into the store and back out as a report.</summary>
public sealed class StorePipelineTests
{
    [Fact]
    public async Task Report_WhenTheSampleLogsAreReplayedTwice_ShouldMatchTheReplaySummaryOfOneReplay()
    {
        // Arrange
        var path = Path.Combine(AppContext.BaseDirectory, "samples", "bedrock-invocation-logs.json.gz");
        using var delivery = ExportFileReader.ReadWhole(await File.ReadAllBytesAsync(path));
        var result = new BatchProcessor(PriceTable.LoadDefault()).ProcessDelivery(delivery);
        var summary = new InvocationSummary();
        result.Invocations.ForEach(summary.Add);
        var store = new InMemoryAggregateStore();

        // Act
        await store.ApplyBatchAsync(AggregateBuilder.Build(result));
        var second = await store.ApplyBatchAsync(AggregateBuilder.Build(result));
        var first = result.Invocations.Min(i => i.Record.Timestamp);
        var last = result.Invocations.Max(i => i.Record.Timestamp);
        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Buckets.StartOf(first, Granularity.Fine), last.AddMinutes(5));

        // Assert
        Assert.True(result.Invocations.Count > 100);
        Assert.Equal(0, second.Applied);
        using var report = AggregateReportTests.Write(writer => AggregateReport.WriteJson(writer, sums));
        using var replay = AggregateReportTests.Write(writer => summary.WriteJson(writer, includeRejected: false));
        var invocations = report.RootElement.GetProperty("invocations");
        JsonAssert.Equivalent(replay.RootElement, invocations, costTolerance: result.Invocations.Count * 0.0000005m);
        var perRecordRounded = result.Invocations.Sum(i => AggregateCounters.ToMicros(i.CostUsd));

        // Absolute totals read off the fixture with JsonDocument, not through the parser or the
        // aggregates, so a miscount both the replay summary and the report share still fails.
        var fixture = FixtureTotals(await File.ReadAllBytesAsync(path));
        Assert.Equal(fixture.Records, invocations.GetProperty("records").GetInt64());
        Assert.Equal(fixture.Input, invocations.GetProperty("inputTokens").GetInt64());
        Assert.Equal(fixture.Output, invocations.GetProperty("outputTokens").GetInt64());
        Assert.Equal(fixture.CacheRead, invocations.GetProperty("cacheReadTokens").GetInt64());
        Assert.Equal(fixture.CacheWrite, invocations.GetProperty("cacheWriteTokens").GetInt64());
        Assert.Equal(AggregateCounters.FromMicros(perRecordRounded), invocations.GetProperty("costUsd").GetDecimal());
    }

    [Fact]
    public async Task Report_WhenSpansAreStored_ShouldMatchTheReplaySpanSummary()
    {
        // Arrange: 400 spans of every class over 20 minutes: several models, tools, sessions and traces.
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 11, 5, 12, 0, 0, TimeSpan.Zero);
        var spans = Enumerable.Range(0, 400).Select(i => StoreTestData.Span(
            start.AddSeconds(random.Next(1200)),
            (GenAiObs.Core.Records.SpanClass)(i % 4),
            durationMs: 20 + (random.NextDouble() * 5000),
            traceId: "trace-" + random.Next(60),
            sessionId: i % 7 == 0 ? null : "session-" + random.Next(15),
            model: i % 4 == 2 ? (i % 3 == 0 ? "gpt-4o" : i % 3 == 1 ? "anthropic.claude-3-haiku-20240307-v1:0" : null) : null,
            tool: i % 4 == 3 ? (i % 5 == 0 ? null : "tool-" + (i % 3)) : null,
            isError: random.Next(10) == 0,
            toolFailed: random.Next(8) == 0,
            input: random.Next(3000),
            output: random.Next(500),
            cost: 0.00000037m * random.Next(100_000),
            priced: i % 11 != 0)).ToList();
        var result = new BatchResult { BatchId = "spans-report" };
        result.Spans.AddRange(spans);
        var summary = new SpanSummary();
        summary.AddRange(result.Spans);
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build(result));

        // Act
        var first = result.Spans.Min(s => s.Span.End);
        var last = result.Spans.Max(s => s.Span.End);
        var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Buckets.StartOf(first, Granularity.Fine), last.AddMinutes(5));
        using var report = AggregateReportTests.Write(writer => AggregateReport.WriteJson(writer, sums));
        using var replay = AggregateReportTests.Write(summary.WriteJson);

        // Assert: the same object, but `rejected` (not stored: rejections have no event time).
        var expected = JsonDocument.Parse(Without(replay.RootElement, "rejected"));
        JsonAssert.Equivalent(expected.RootElement, report.RootElement.GetProperty("spans"), costTolerance: result.Spans.Count * 0.0000005m);

        // … and counts read off the inputs, not through either summary: span i has class i mod 4
        // (Other, Agent, ModelCall, Tool), so 100 of each; traces and sessions are the distinct ids drawn.
        var stored = report.RootElement.GetProperty("spans");
        Assert.Equal(
            (400L, 100L, 100L, 100L),
            (stored.GetProperty("records").GetInt64(), stored.GetProperty("agentInvocations").GetInt64(),
             stored.GetProperty("modelCalls").GetInt64(), stored.GetProperty("toolCalls").GetInt64()));
        Assert.Equal(spans.Select(s => s.Span.TraceId).Distinct().Count(), stored.GetProperty("traces").GetInt32());
        Assert.Equal(spans.Where(s => s.Span.SessionId is not null).Select(s => s.Span.SessionId).Distinct().Count(), stored.GetProperty("sessions").GetInt32());
        Assert.Equal(spans.Count(s => s.Span.IsError), stored.GetProperty("errorSpans").GetInt64());
    }

    /// <summary>Records and token counts of a gzip CloudWatch Logs export, summed from each event's Bedrock log fields.</summary>
    private static (long Records, long Input, long Output, long CacheRead, long CacheWrite) FixtureTotals(byte[] gzip)
    {
        using var gunzip = new System.IO.Compression.GZipStream(new MemoryStream(gzip), System.IO.Compression.CompressionMode.Decompress);
        using var export = JsonDocument.Parse(gunzip);
        (long Records, long Input, long Output, long CacheRead, long CacheWrite) totals = default;
        foreach (var logEvent in export.RootElement.GetProperty("events").EnumerateArray())
        {
            using var record = JsonDocument.Parse(logEvent.GetProperty("message").GetString()!);
            var input = record.RootElement.GetProperty("input");
            totals.Records++;
            totals.Input += Count(input, "inputTokenCount");
            totals.CacheRead += Count(input, "cacheReadInputTokenCount");
            totals.CacheWrite += Count(input, "cacheWriteInputTokenCount");
            totals.Output += record.RootElement.TryGetProperty("output", out var output) ? Count(output, "outputTokenCount") : 0;
        }

        return totals;

        static long Count(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
    }

    private static string Without(JsonElement element, string member)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in element.EnumerateObject().Where(p => p.Name != member))
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
