using GenAiObs.Cli.Export;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;
using static GenAiObs.Tests.Spans.SpanFixtures;

namespace GenAiObs.Tests.Spans;

/// <summary>Spans through the shared batch pipeline: real gzip+base64 deliveries, routing by content, pricing.</summary>
public class SpanBatchProcessingTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    [Fact]
    public void ProcessLambdaEvent_WhenSubscriptionCarriesSpans_ShouldParseAndPriceEverySpan()
    {
        var messages = All.SelectMany(Lines).Select(Encoding.UTF8.GetBytes).ToArray();
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages));

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);

        Assert.Empty(result.Rejections);
        Assert.Empty(result.Invocations);
        Assert.Equal(20, result.Spans.Count);
        Assert.Equal(20, result.EventCount);
        var sonnet = result.Spans.Where(s => s.Span.Class == SpanClass.ModelCall && s.Span.Model == "us.anthropic.claude-sonnet-4-5-20250929-v1:0").ToList();
        Assert.Equal(2, sonnet.Count);
        Assert.All(sonnet, s => Assert.True(s.Priced && s.CostUsd > 0));
        Assert.True(result.Spans.Single(s => s.Span.Model == "amazon.titan-text-express-v1" && s.Span.Class == SpanClass.ModelCall).Priced);
        Assert.All(result.Spans.Where(s => s.Span.Class != SpanClass.ModelCall), s => Assert.Equal(0m, s.CostUsd));
        Assert.Equal(TestEvents.EventId(0), result.Spans[0].Span.EventId);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenSpansInvocationsAndBadSpansMix_ShouldKeepGoodOnesAndNameTheRest()
    {
        var messages = new[]
        {
            Encoding.UTF8.GetBytes(Lines(Adot)[0]),
            TestEvents.CompactFixture("converse-anthropic.json"),
            Encoding.UTF8.GetBytes(Minimal(extra: "\"durationNano\":-5")),
            Encoding.UTF8.GetBytes(Minimal("{\"gen_ai.usage.input_tokens\":\"lots\",\"gen_ai.prompt\":\"" + Canary + "\"}")),
            Encoding.UTF8.GetBytes(Lines(Strands)[1]),
        };
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages));

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);

        Assert.Equal(2, result.Spans.Count);
        Assert.Single(result.Invocations);
        Assert.Equal(2, result.RejectedCount);
        Assert.All(result.Rejections, r => Assert.Equal(RecordSources.Span, r.Source));
        Assert.Equal([RejectReasons.InvalidDuration, RejectReasons.WrongType], result.Rejections.Select(r => r.Reason).ToArray());
        Assert.Equal(new[] { TestEvents.EventId(2), TestEvents.EventId(3) }, result.Rejections.Select(r => r.EventId ?? "").ToArray());
        Assert.DoesNotContain(result.Rejections, r => (r.Detail ?? "").Contains(Canary, StringComparison.Ordinal));
    }

    [Fact]
    public void SummaryAdd_WhenBatchHasSpanAndOtherRejections_ShouldCountOnlySpanRejections()
    {
        var messages = new[]
        {
            Encoding.UTF8.GetBytes(Lines(Adot)[0]),
            Encoding.UTF8.GetBytes(Minimal(extra: "\"kind\":\"SIDEWAYS\"")),
            Encoding.UTF8.GetBytes("{\"hello\":\"world\"}"),
            Encoding.UTF8.GetBytes("{\"schemaType\":\"ModelInvocationLog\"}"),
        };
        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages)));
        var summary = new SpanSummary();

        summary.Add(result);

        Assert.Equal(3, result.RejectedCount);
        Assert.Equal(1, summary.Records);
        Assert.Equal(1, summary.Rejected);
    }

    [Fact]
    public void BuildMetrics_WhenBatchResultGiven_ShouldCountEveryRejectionByReason()
    {
        var messages = new[]
        {
            Encoding.UTF8.GetBytes(Lines(Adot)[0]),
            Encoding.UTF8.GetBytes(Minimal(extra: "\"kind\":\"SIDEWAYS\"")),
            Encoding.UTF8.GetBytes("{\"hello\":\"world\"}"),
        };
        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages)));

        var batch = new GenAiObs.Core.Metrics.SpanMetricsBuilder().Build(result, 1_795_000_100_000);

        var rejected = batch.Groups
            .Where(g => g.Value.ContainsKey("RejectedRecords") && g.Key.Dimensions.Pairs.Count == 2)
            .ToDictionary(g => g.Key.Dimensions.Pairs[1].Value, g => g.Value["RejectedRecords"].Values.Sum());
        Assert.Equal(new Dictionary<string, double> { [RejectReasons.WrongType] = 1, [RejectReasons.UnknownRecordType] = 1 }, rejected);
        Assert.Contains(batch.Groups, g => g.Value.ContainsKey("ModelCalls"));
    }

    [Fact]
    public void ProcessDelivery_WhenBundledAgentSpanSample_ShouldAcceptEverySpan()
    {
        var path = Path.Combine(RepositoryRoot(), "functions", "GenAiObs.Cli", "samples", "agent-spans.subscription.jsonl.gz");
        using var delivery = ExportFileReader.ReadWhole(File.ReadAllBytes(path));

        var result = new BatchProcessor(Prices).ProcessDelivery(delivery);
        var summary = new SpanSummary();
        summary.AddRange(result.Spans);

        Assert.Empty(result.Rejections);
        Assert.NotEmpty(result.Spans);
        using var json = JsonDocument.Parse(SpanSummaryTests.Write(summary));
        var root = json.RootElement;
        Assert.Equal(121, root.GetProperty("sessions").GetInt64());
        Assert.Equal(121, root.GetProperty("agentInvocations").GetInt64());
        Assert.True(root.GetProperty("toolErrors").GetInt64() > 0);
        Assert.True(root.GetProperty("costUsd").GetDecimal() > 0);
        Assert.Equal(0, root.GetProperty("unpriced").GetInt64());
        Assert.True(root.GetProperty("byTool").TryGetProperty("book_hotel", out _));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GenAiObsLambdas.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
