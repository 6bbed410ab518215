using GenAiObs.Benchmarks;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using Xunit;

namespace GenAiObs.Tests.Parsing;

/// <summary>
/// The allocation figures for decode + parse + price (docs/performance.md: 0.84 KB per Converse
/// record, 0.77 KB per span, on the benchmark's deliveries) held to within 1.5×. Allocation is
/// deterministic for a given input, unlike time, so this is a test; throughput stays a benchmark.
/// </summary>
public sealed class AllocationBudgetTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    [Theory]
    [InlineData(PayloadKind.SmallConverse, 0.84)]
    [InlineData(PayloadKind.Spans, 0.77)]
    public void DecodeParseAndPrice_OnTheBenchmarkDelivery_ShouldAllocateWithinOneAndAHalfTimesTheDocumentedFigure(PayloadKind kind, double documentedKilobytes)
    {
        // Arrange: the benchmark's delivery; one warm-up pass (JIT, pools, static tables) not measured.
        var payload = PayloadGenerator.Generate(kind, PayloadGenerator.DefaultRecords(kind));
        var processor = new BatchProcessor(Prices);
        Run(processor, payload.EventJson);
        const int repetitions = 3;

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < repetitions; i++)
        {
            Assert.Equal(payload.Records, Run(processor, payload.EventJson));
        }

        var perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(repetitions * payload.Records);

        // Assert
        var budget = documentedKilobytes * 1024 * 1.5;
        Assert.True(perRecord <= budget, $"{kind}: {perRecord:F0} B per record, budget {budget:F0} B (1.5 × {documentedKilobytes} KB)");
    }

    [Fact]
    public void DecodeParseAndPrice_WhenPromptsAre50TimesLarger_ShouldAllocateWithinTheSameBudget()
    {
        // docs/performance.md: bodies are skipped, never materialised, so a 50× larger prompt adds a few bytes.
        var payload = PayloadGenerator.Generate(PayloadKind.LargePrompt, 200, largePromptChars: 50 * 1024);
        var processor = new BatchProcessor(Prices);
        Run(processor, payload.EventJson);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(payload.Records, Run(processor, payload.EventJson));
        var perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)payload.Records;

        var budget = 0.84 * 1024 * 1.5;
        Assert.True(perRecord <= budget, $"{perRecord:F0} B per 50 KB-prompt record, budget {budget:F0} B");
    }

    private static int Run(BatchProcessor processor, byte[] lambdaEvent)
    {
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);
        var result = processor.ProcessDelivery(delivery);
        return result.Invocations.Count + result.Spans.Count;
    }
}
