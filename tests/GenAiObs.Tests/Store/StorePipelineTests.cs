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
        using var delivery = EnvelopeDecoder.DecodeFile(await File.ReadAllBytesAsync(path));
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
        Assert.Equal(AggregateCounters.FromMicros(perRecordRounded), invocations.GetProperty("costUsd").GetDecimal());
    }
}
