using System.Text;
using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Core.Aggregation;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Core.Quality;

public sealed class QualityAggregationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);

    private static PricedInvocation Tagged(string requestId, string variant, decimal cost, int second) =>
        FeatureReportTests.Invocation(second, "summarise", variant, 100, cost, 10) is var i ? i with { Record = i.Record with { RequestId = requestId } } : null!;

    private static FeedbackRecord Feedback(string requestId, int rating, bool thumbs, DateTimeOffset at, string? variant = null) =>
        new() { EventId = "f-" + requestId, Timestamp = at, RequestId = requestId, Rating = rating, IsThumbs = thumbs, Dimensions = RequestDimensions.From(null, variant, null, null) };

    private static Task<Dictionary<string, AggregateCounters>> RunAsync(InMemoryRequestIndex index, params BatchResult[] deliveries) =>
        RunAsync(index, indexRequests: true, deliveries);

    private static async Task<Dictionary<string, AggregateCounters>> RunAsync(InMemoryRequestIndex index, bool indexRequests, params BatchResult[] deliveries)
    {
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
        foreach (var delivery in deliveries)
        {
            var batch = (await QualityAggregation.JoinAsync(delivery, index, QualityAggregation.DefaultWindow, indexRequests)).AddTo(AggregateBuilder.Build(delivery));
            foreach (var delta in batch.Deltas)
            {
                if (!sums.TryGetValue(delta.Key, out var counters))
                {
                    sums[delta.Key] = counters = new AggregateCounters();
                }

                counters.Merge(delta.Counters);
            }
        }

        return sums;
    }

    [Fact]
    public async Task Join_WhenFeedbackNamesEarlierRequests_ShouldReportSatisfactionAndCostPerSatisfiedRequestAsComputedByHand()
    {
        // Arm A: requests $0.010, $0.020, $0.030; arm B: $0.004, $0.006.
        var requests = new BatchResult { BatchId = "requests" };
        requests.Invocations.AddRange([Tagged("a1", "A", 0.010m, 1), Tagged("a2", "A", 0.020m, 2), Tagged("a3", "A", 0.030m, 3), Tagged("b1", "B", 0.004m, 4), Tagged("b2", "B", 0.006m, 5)]);
        var ratings = new BatchResult { BatchId = "ratings" };
        ratings.Feedback.AddRange(
        [
            Feedback("a1", 1, thumbs: true, At.AddHours(1)),
            Feedback("a2", 5, thumbs: false, At.AddHours(2)),
            Feedback("a3", 3, thumbs: false, At.AddHours(3)),
            Feedback("b1", -1, thumbs: true, At.AddHours(1)),
            Feedback("b2", 1, thumbs: true, At.AddHours(30)),          // outside the 24 h window: unjoined
            Feedback("zz", 1, thumbs: true, At.AddHours(1), variant: "B"), // unknown request: unjoined, counted under the arm it names
        ]);

        var sums = await RunAsync(new InMemoryRequestIndex(), requests, ratings);

        var a = QualityFigures.From(sums["variant#summarise|A"]);
        Assert.Equal((3L, 2L), (a.Feedback, a.Satisfied));
        Assert.Equal(2.0 / 3, a.SatisfactionRate!.Value, 12);
        // Rated cost $0.060 over 2 satisfied.
        Assert.Equal(0.03m, a.CostPerSatisfiedRequestUsd);
        var b = QualityFigures.From(sums["variant#summarise|B"]);
        Assert.Equal((1L, 0L, 0L), (b.FeedbackJoined, b.FeedbackJoinedSatisfied, b.FeedbackUnjoined));
        Assert.Null(b.CostPerSatisfiedRequestUsd);
        Assert.Equal(1, sums["variant#unknown|B"][CounterNames.FeedbackUnjoined]);
        var total = QualityFigures.From(sums[AggregateKeys.Total]);
        Assert.Equal((6L, 2L), (total.Feedback, total.FeedbackUnjoined));
    }

    [Fact]
    public async Task Join_WhenTheSameDeliveryComesTwice_ShouldNotChangeTheJoinedCost()
    {
        var index = new InMemoryRequestIndex();
        var requests = new BatchResult { BatchId = "requests" };
        requests.Invocations.Add(Tagged("a1", "A", 0.010m, 1));
        await index.PutAsync("requests", QualityAggregation.IndexEntries(requests));
        await index.PutAsync("requests", QualityAggregation.IndexEntries(requests));

        var found = await index.GetAsync(["r#a1"]);

        Assert.Equal(10_000, found["r#a1"].CostMicros);
    }

    [Fact]
    public async Task PutAsync_WhenALaterWriteCarriesATagTheEntryLacked_ShouldFillItInAndKeepTheFirstTags()
    {
        var index = new InMemoryRequestIndex();
        var trace = IndexedRequest.ForTrace("0af7651916cd43dd8448eb211c80319c");

        await index.PutAsync("delivery-1", [new IndexedRequest(trace, At.AddMinutes(5), 1_000, null, "B")]);
        // Older by its time, yet it fills in the feature; its variant does not replace B.
        await index.PutAsync("delivery-2", [new IndexedRequest(trace, At, 500, "support", "A")]);
        await index.PutAsync("delivery-3", [new IndexedRequest(trace, At.AddMinutes(9), 0, "other", null)]);

        var entry = (await index.GetAsync([trace]))[trace];

        Assert.Equal(("support", "B"), (entry.Feature, entry.Variant));
        Assert.Equal((At.AddMinutes(9), 1_500L), (entry.At, entry.CostMicros));
    }

    private static string Span(string spanId, string name, string attributes, string events = "[]") =>
        "{\"resource\":{\"attributes\":{\"service.name\":\"agent\"}},\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"" + spanId + "\",\"name\":\"" + name +
        "\",\"kind\":\"INTERNAL\",\"startTimeUnixNano\":1795000000000000000,\"endTimeUnixNano\":1795000001000000000,\"attributes\":" + attributes + ",\"events\":" + events + "}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Join_WhenRequestEntriesAreOnOrOff_ShouldJoinFeedbackByRequestIdOnlyWhenOnAndAttributeEvaluationsEitherWay(bool indexRequests)
    {
        var processor = new BatchProcessor(PriceTable.LoadDefault());
        var spans = new[] { Span("b7ad6b7169203331", "invoke_agent helper", """{"gen_ai.operation.name":"invoke_agent","app.feature":"support","app.variant":"B"}""") };
        var spanDelivery = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(spans.Select((s, i) => (TestEvents.EventId(i), 1_795_000_000_000L, Encoding.UTF8.GetBytes(s))), logGroup: "aws/spans")));
        var record = """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","timeUnixNano":1795000003000000000,"attributes":{"event.name":"gen_ai.evaluation.result","gen_ai.evaluation.name":"relevance","gen_ai.evaluation.score.value":0.5}}""";
        var evaluationDelivery = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage([(TestEvents.EventId(9), 1_795_000_000_000L, Encoding.UTF8.GetBytes(record))], logGroup: "/aws/bedrock-agentcore/evaluations/results/cfg")));
        var requests = new BatchResult { BatchId = "requests" };
        requests.Invocations.AddRange([Tagged("a1", "A", 0.010m, 1)]);
        var ratings = new BatchResult { BatchId = "ratings" };
        ratings.Feedback.Add(Feedback("a1", 1, thumbs: true, At.AddHours(1)));
        var index = new InMemoryRequestIndex();

        var sums = await RunAsync(index, indexRequests, requests, spanDelivery, ratings, evaluationDelivery);

        // The request entry exists only when on; the trace entry either way (propagation and evaluations read it).
        var found = await index.GetAsync([IndexedRequest.ForRequest("a1"), IndexedRequest.ForTrace("0af7651916cd43dd8448eb211c80319c")]);
        Assert.Equal(indexRequests, found.ContainsKey(IndexedRequest.ForRequest("a1")));
        Assert.True(found.ContainsKey(IndexedRequest.ForTrace("0af7651916cd43dd8448eb211c80319c")));
        Assert.Equal(indexRequests ? [IndexedRequest.ForRequest("a1")] : [], QualityAggregation.IndexEntries(requests, indexRequests).Select(e => e.Id));
        // Joined, the rating counts under its request's arm with its cost; unjoined, under the total only.
        var total = QualityFigures.From(sums[AggregateKeys.Total]);
        Assert.Equal((1L, indexRequests ? 1L : 0L, indexRequests ? 0L : 1L), (total.Feedback, total.FeedbackJoined, total.FeedbackUnjoined));
        Assert.Equal(indexRequests ? 0.01m : null, total.CostPerSatisfiedRequestUsd);
        Assert.Equal(indexRequests, sums.ContainsKey("variant#summarise|A") && QualityFigures.From(sums["variant#summarise|A"]).Feedback == 1);
        Assert.Equal((1L, 0L), (total.Evaluations, sums[AggregateKeys.Total][CounterNames.EvaluationsUnjoined]));
        Assert.Equal(1, QualityFigures.From(sums["variant#support|B"]).Evaluations);
    }

    [Fact]
    public async Task Evaluations_OnSpansAndAsLogRecords_ShouldAverageTheirScoresPerArmAndNeverKeepTheExplanation()
    {
        var events = """[{"name":"gen_ai.evaluation.result","timeUnixNano":1795000002000000000,"attributes":{"gen_ai.evaluation.name":"relevance","gen_ai.evaluation.score.value":0.8,"gen_ai.evaluation.score.label":"relevant","gen_ai.evaluation.explanation":"CANARY-EXPLANATION"}},{"name":"gen_ai.evaluation.result","attributes":{"gen_ai.evaluation.score.value":"NaN"}},{"name":"other","attributes":{"x":1}}]""";
        var spans = new[]
        {
            Span("b7ad6b7169203331", "invoke_agent helper", """{"gen_ai.operation.name":"invoke_agent","app.feature":"support","app.variant":"B"}""", events),
            Span("b7ad6b7169203332", "chat m", """{"gen_ai.request.model":"anthropic.claude-3-haiku-20240307-v1:0","gen_ai.usage.input_tokens":1000,"gen_ai.usage.output_tokens":100}"""),
        };
        // AgentCore Evaluations' own log record for the same trace (no span name): attributed through the join.
        var record = """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","timeUnixNano":1795000003000000000,"attributes":{"event.name":"gen_ai.evaluation.result","gen_ai.evaluation.name":"Builtin.Helpfulness","gen_ai.evaluation.score.value":0.5,"gen_ai.evaluation.explanation":"CANARY-EXPLANATION"}}""";
        var processor = new BatchProcessor(PriceTable.LoadDefault());
        var spanDelivery = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(spans.Select((s, i) => (TestEvents.EventId(i), 1_795_000_000_000L, Encoding.UTF8.GetBytes(s))), logGroup: "aws/spans")));
        var evaluationDelivery = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage([(TestEvents.EventId(9), 1_795_000_000_000L, Encoding.UTF8.GetBytes(record))], logGroup: "/aws/bedrock-agentcore/evaluations/results/cfg")));

        var evaluated = Assert.Single(spanDelivery.Spans, s => s.Span.Evaluations.Count > 0).Span;
        Assert.Equal(1, evaluated.InvalidEvaluations);
        Assert.Equal(("relevance", 0.8, "relevant"), (evaluated.Evaluations[0].Name, evaluated.Evaluations[0].Score!.Value, evaluated.Evaluations[0].Label));
        var logged = Assert.Single(evaluationDelivery.Evaluations);
        Assert.Equal(("Builtin.Helpfulness", 0.5), (logged.Name, logged.Score!.Value));
        Assert.DoesNotContain("CANARY", logged.ToString() + evaluated.ToString(), StringComparison.Ordinal);

        var sums = await RunAsync(new InMemoryRequestIndex(), spanDelivery, evaluationDelivery);

        var arm = QualityFigures.From(sums["variant#support|B"]);
        Assert.Equal(2, arm.Evaluations);
        Assert.Equal((0.8 + 0.5) / 2, arm.MeanScore!.Value, 9);
        // Sample variance of {0.8, 0.5}: ((0.15)² + (0.15)²) / 1.
        Assert.Equal(0.045, arm.Scores.Variance, 9);
        Assert.Equal(1, sums[AggregateKeys.Total][CounterNames.EvaluationsInvalid]);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            AggregateReport.WriteJson(writer, sums);
        }

        var quality = JsonDocument.Parse(buffer.ToArray()).RootElement.GetProperty("quality");
        Assert.Equal(2, quality.GetProperty("evaluations").GetInt64());
        Assert.Equal(1, quality.GetProperty("invalidEvaluations").GetInt64());
        Assert.Equal(0, quality.GetProperty("unattributedEvaluations").GetInt64());
    }
}
