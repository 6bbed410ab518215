using GenAiObs.Cli.Export;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class BatchProcessorIntegrationTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    private static string SamplePath(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GenAiObsLambdas.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine(directory!.FullName, "functions", "GenAiObs.Cli", "samples", name);
    }

    [Fact]
    public void ProcessFile_WhenBundledInvocationSample_ShouldAcceptEveryRecordAndLeaveOnlyUnknownModelUnpriced()
    {
        var file = File.ReadAllBytes(SamplePath("bedrock-invocation-logs.json.gz"));

        var result = new BatchProcessor(Prices).ProcessDelivery(ExportFileReader.ReadWhole(file));

        Assert.Empty(result.Rejections);
        Assert.Equal(result.EventCount, result.Invocations.Count);
        Assert.True(result.Invocations.Count > 1000);
        Assert.All(result.Invocations.Where(i => !i.Priced), i => Assert.StartsWith("us.example.", i.Record.ModelId, StringComparison.Ordinal));
        Assert.Contains(result.Invocations, i => i.Record.Operation == "InvokeModelWithResponseStream" && i.Record.TimeToFirstTokenMs is not null);
        Assert.True(result.Invocations.Sum(i => i.CostUsd) > 0m);
    }

    [Fact]
    public void ProcessFile_WhenBundledSpanSample_ShouldRouteEveryEventToTheSpanSeam()
    {
        var file = File.ReadAllBytes(SamplePath("agent-spans.subscription.jsonl.gz"));

        var result = new BatchProcessor(Prices).ProcessDelivery(ExportFileReader.ReadWhole(file));

        Assert.Empty(result.Invocations);
        Assert.True(result.EventCount > 0);
        Assert.All(result.Rejections, r => Assert.Equal(RecordSources.Span, r.Source));
    }

    [Fact]
    public void ProcessDelivery_EventCount_ShouldIncludeEventsTheDecoderRejected()
    {
        var big = new byte[2000];
        Array.Fill(big, (byte)'x');
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(TestEvents.CompactFixture("invoke-llama.json"), big));
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent, new DecoderLimits(MaxMessageBytes: 1500));

        var result = new BatchProcessor(Prices, new DecoderLimits(MaxMessageBytes: 1500)).ProcessDelivery(delivery);

        Assert.Equal(2, result.EventCount);
        Assert.Single(result.Invocations);
        Assert.Equal(RejectReasons.MessageTooLarge, Assert.Single(result.Rejections).Reason);
    }

    [Fact]
    public void ProcessDelivery_WhenManyLargePrompts_ShouldAllocateIndependentlyOfBodySize()
    {
        var prompt = new string('p', 100_000);
        var record = TestEvents.CompactFixture("converse-anthropic.json");
        var big = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(record).Replace("Summarise", prompt, StringComparison.Ordinal));
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(Enumerable.Repeat(big, 20).ToArray()));
        var processor = new BatchProcessor(Prices);
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);
        processor.ProcessDelivery(delivery);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = processor.ProcessDelivery(delivery);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(20, result.Invocations.Count);
        Assert.True(allocated < 20 * 4_096, $"allocated {allocated} bytes for 20 records of 100 KB");
    }

    [Fact]
    public void TryParse_WhenOperationIsDocumented_ShouldReuseTheSharedString()
    {
        var first = TestEvents.Event(TestEvents.CompactFixture("invoke-llama.json"));
        var second = TestEvents.Event(TestEvents.CompactFixture("invoke-titan.json"));

        Assert.True(InvocationLogParser.TryParse(first, out var a, out _));
        Assert.True(InvocationLogParser.TryParse(second, out var b, out _));

        Assert.Same(a!.Operation, b.Operation);
    }
}
