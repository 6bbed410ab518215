using System.Text.RegularExpressions;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Core.Aggregation;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Core.Metrics;

public sealed partial class QualityMetricsBuilderTests
{
    private const string Service = "genai-observability";
    private const string Canary = "CANARY-COMMENT-7c1e jane@example.com";
    private static readonly DateTimeOffset At = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);

    private static PricedInvocation Tagged(string requestId, string variant, decimal cost, int second) =>
        FeatureReportTests.Invocation(second, "summarise", variant, 100, cost, 10) is var i ? i with { Record = i.Record with { RequestId = requestId } } : null!;

    private static FeedbackRecord Feedback(string requestId, int rating, bool thumbs, DateTimeOffset at, string? variant = null) =>
        new() { EventId = "f-" + requestId, Timestamp = at, RequestId = requestId, Rating = rating, IsThumbs = thumbs, Dimensions = RequestDimensions.From(null, variant, null, null) };

    private static EvaluationRecord Evaluation(string name, double? score, string? variant, DateTimeOffset at, string? traceId = null) =>
        new() { EventId = "ev-" + name + score, Timestamp = at, Name = name, Score = score, TraceId = traceId, Dimensions = variant is null ? null : RequestDimensions.From("summarise", variant, null, null) };

    /// <summary>
    /// Two deliveries: five tagged requests (arm A $0.010, $0.020, $0.030; arm B $0.004, $0.006), then
    /// their ratings (one outside the window, one naming an unknown request) and evaluation results
    /// (two scored on A, one scored and one unscored on B, one that no trace attributes).
    /// </summary>
    private static async Task<(Dictionary<string, AggregateCounters> Sums, List<QualitySignal> Signals)> JoinAsync()
    {
        var requests = new BatchResult { BatchId = "requests" };
        requests.Invocations.AddRange([Tagged("a1", "A", 0.010m, 1), Tagged("a2", "A", 0.020m, 2), Tagged("a3", "A", 0.030m, 3), Tagged("b1", "B", 0.004m, 4), Tagged("b2", "B", 0.006m, 5)]);
        var signals = new BatchResult { BatchId = "signals" };
        signals.Feedback.AddRange(
        [
            Feedback("a1", 1, thumbs: true, At.AddHours(1)),
            Feedback("a2", 5, thumbs: false, At.AddHours(2)),
            Feedback("a3", 3, thumbs: false, At.AddHours(3)),
            Feedback("b1", -1, thumbs: true, At.AddHours(1)),
            Feedback("b2", 1, thumbs: true, At.AddHours(30)),
            Feedback("zz", 1, thumbs: true, At.AddHours(1), variant: "B"),
        ]);
        signals.Evaluations.AddRange(
        [
            Evaluation("relevance", 0.9, "A", At.AddHours(1)),
            Evaluation("Builtin.Helpfulness", 0.6, "A", At.AddHours(1)),
            Evaluation("relevance", 0.4, "B", At.AddHours(1)),
            Evaluation("relevance", null, "B", At.AddHours(1)),
            Evaluation("relevance", 0.7, null, At.AddHours(1), traceId: "0af7651916cd43dd8448eb211c80319c"),
        ]);

        var index = new InMemoryRequestIndex();
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
        var joined = new List<QualitySignal>();
        foreach (var delivery in new[] { requests, signals })
        {
            var quality = await QualityAggregation.JoinAsync(delivery, index, QualityAggregation.DefaultWindow);
            joined.AddRange(quality.Signals);
            foreach (var delta in quality.AddTo(AggregateBuilder.Build(delivery)).Deltas)
            {
                if (!sums.TryGetValue(delta.Key, out var counters))
                {
                    sums[delta.Key] = counters = new AggregateCounters();
                }

                counters.Merge(delta.Counters);
            }
        }

        return (sums, joined);
    }

    private static IReadOnlyList<EmfDocument> Documents(IReadOnlyList<QualitySignal> signals) =>
        EmfSpec.ParseAll(new EmfSerializer().Serialize(QualityMetricsBuilder.AddTo(new MetricBatch(), signals, Service)));

    /// <summary>What the dashboard's Logs Insights query computes: sum(a) ÷ sum(b) over the quality documents of one feature and arm.</summary>
    private static double? Ratio(IEnumerable<EmfDocument> documents, string numerator, string denominator)
    {
        var below = documents.Sum(d => d.PropertyValues.GetValueOrDefault(denominator));
        return below == 0 ? null : documents.Sum(d => d.PropertyValues.GetValueOrDefault(numerator)) / below;
    }

    [Fact]
    public async Task AddTo_WhenFeedbackAndEvaluationsAreJoined_ShouldSumThemPerFeatureArmAndEvaluatorInPlainLines()
    {
        var (_, signals) = await JoinAsync();

        var documents = Documents(signals);

        // Per minute of the signals' own time: arm A's three ratings came an hour apart.
        var feedbackA = documents.Where(d => d.Properties[QualityMetricNames.SignalProperty] == QualityMetricNames.FeedbackSignal && d.Properties.GetValueOrDefault(MetricDimensions.Variant) == "A").ToList();
        Assert.Equal(3, feedbackA.Count);
        Assert.All(feedbackA, d => Assert.Equal("summarise", d.Properties[MetricDimensions.Feature]));
        Assert.All(feedbackA, d => Assert.False(d.Properties.ContainsKey(QualityMetricNames.EvaluationProperty)));
        double Sum(IEnumerable<EmfDocument> docs, string member) => docs.Sum(d => d.PropertyValues[member]);
        Assert.Equal((3.0, 2.0, 3.0, 2.0, 0.0), (Sum(feedbackA, QualityMetricNames.Ratings), Sum(feedbackA, QualityMetricNames.Satisfied), Sum(feedbackA, QualityMetricNames.JoinedRatings), Sum(feedbackA, QualityMetricNames.JoinedSatisfied), Sum(feedbackA, QualityMetricNames.UnjoinedRatings)));
        Assert.Equal(0.060, Sum(feedbackA, QualityMetricNames.JoinedCostUsd), 9);
        Assert.Equal([0.0, 1.0, 1.0], feedbackA.Select(d => d.PropertyValues[QualityMetricNames.Satisfied]).Order());
        Assert.Equal([0.01, 0.02, 0.03], feedbackA.Select(d => Math.Round(d.PropertyValues[QualityMetricNames.JoinedCostUsd], 9)).Order());

        // Two results of one evaluator on arm B in one minute: one document, summed.
        var relevanceB = Assert.Single(documents, d => d.Properties.GetValueOrDefault(QualityMetricNames.EvaluationProperty) == "relevance" && d.Properties.GetValueOrDefault(MetricDimensions.Variant) == "B");
        Assert.Equal(QualityMetricNames.EvaluationSignal, relevanceB.Properties[QualityMetricNames.SignalProperty]);
        Assert.Equal((2.0, 1.0, 0.4), (relevanceB.PropertyValues[QualityMetricNames.Evaluations], relevanceB.PropertyValues[QualityMetricNames.ScoredEvaluations], relevanceB.PropertyValues[QualityMetricNames.ScoreSum]));
        var unattributed = Assert.Single(documents, d => d.Properties.GetValueOrDefault(QualityMetricNames.EvaluationProperty) == "relevance" && !d.Properties.ContainsKey(MetricDimensions.Variant));
        Assert.Equal(1, unattributed.PropertyValues[QualityMetricNames.UnattributedEvaluations]);

        // No custom metric: plain JSON lines (no _aws), one signal kind marker each, 11 signals in all.
        Assert.All(documents, d => Assert.False(d.HasDirective));
        Assert.All(documents, d => Assert.Equal(Service, d.Properties[MetricDimensions.Service]));
        Assert.Equal(11, documents.Sum(d => d.PropertyValues.GetValueOrDefault(QualityMetricNames.Ratings) + d.PropertyValues.GetValueOrDefault(QualityMetricNames.Evaluations)));
    }

    [Fact]
    public async Task Documents_WhenQueriedLikeTheDashboard_ShouldGiveTheStoresQualityFiguresPerArm()
    {
        var (sums, signals) = await JoinAsync();

        var documents = Documents(signals);

        foreach (var variant in new[] { "A", "B" })
        {
            // Feature and Variant are the query's grouping; a variant without a feature is the store's "unknown".
            var arm = documents.Where(d => d.Properties.GetValueOrDefault(MetricDimensions.Variant) == variant && d.Properties.ContainsKey(MetricDimensions.Feature)).ToList();
            var figures = QualityFigures.From(sums[AggregateKeys.Variant("summarise", variant)]);
            Assert.Equal(figures.SatisfactionRate, Ratio(arm, QualityMetricNames.Satisfied, QualityMetricNames.Ratings));
            Assert.Equal(figures.MeanScore!.Value, Ratio(arm, QualityMetricNames.ScoreSum, QualityMetricNames.ScoredEvaluations)!.Value, 9);
            Assert.Equal((double?)figures.CostPerSatisfiedRequestUsd, Ratio(arm, QualityMetricNames.JoinedCostUsd, QualityMetricNames.JoinedSatisfied) is { } c ? Math.Round(c, 6) : (double?)null);
            Assert.Equal(figures.FeedbackUnjoined, arm.Sum(d => d.PropertyValues.GetValueOrDefault(QualityMetricNames.UnjoinedRatings)));
        }

        // Arm A by hand: 2 of 3 satisfied; scores 0.9 and 0.6; $0.060 of rated requests over 2 satisfied.
        var a = documents.Where(d => d.Properties.GetValueOrDefault(MetricDimensions.Variant) == "A").ToList();
        Assert.Equal(2.0 / 3, Ratio(a, QualityMetricNames.Satisfied, QualityMetricNames.Ratings)!.Value, 12);
        Assert.Equal(0.75, Ratio(a, QualityMetricNames.ScoreSum, QualityMetricNames.ScoredEvaluations)!.Value, 12);
        Assert.Equal(0.03, Ratio(a, QualityMetricNames.JoinedCostUsd, QualityMetricNames.JoinedSatisfied)!.Value, 12);

        var total = QualityFigures.From(sums[AggregateKeys.Total]);
        Assert.Equal(total.SatisfactionRate, Ratio(documents, QualityMetricNames.Satisfied, QualityMetricNames.Ratings));
        Assert.Equal(total.Evaluations, documents.Sum(d => d.PropertyValues.GetValueOrDefault(QualityMetricNames.Evaluations)));
        Assert.Equal(sums[AggregateKeys.Total][CounterNames.EvaluationsUnjoined], documents.Sum(d => d.PropertyValues.GetValueOrDefault(QualityMetricNames.UnattributedEvaluations)));
    }

    [Fact]
    public void AddTo_WhenFeaturesVariantsAndEvaluatorsMultiply_ShouldWriteNoCustomMetric()
    {
        static QualitySignal Signal(int i, bool feedback) => new()
        {
            Kind = feedback ? QualitySignalKind.Feedback : QualitySignalKind.Evaluation,
            Timestamp = At,
            Feature = "feature-" + i,
            Variant = "arm-" + (i % 7),
            Joined = i % 2 == 0,
            Satisfied = i % 3 == 0,
            JoinedCostMicros = 1000 * i,
            EvaluationName = feedback ? null : "evaluator-" + i,
            Score = feedback ? null : i / 100.0,
            Origin = new DeliveryOrigin("1111222233" + (i % 10).ToString("D2", System.Globalization.CultureInfo.InvariantCulture), "eu-west-1"),
        };

        var one = Documents([Signal(1, true), Signal(1, false)]);
        var many = Documents([.. Enumerable.Range(0, 300).Select(i => Signal(i, i % 2 == 0))]);

        Assert.True(many.Count > 100, $"{many.Count} documents: one per feature, arm, evaluator and account");
        Assert.Equal(2, one.Count);
        Assert.All(one.Concat(many), d => Assert.False(d.HasDirective, "a quality document defines a metric"));
        Assert.All(many, d => Assert.Contains(d.Properties[QualityMetricNames.SignalProperty], new[] { QualityMetricNames.FeedbackSignal, QualityMetricNames.EvaluationSignal }));
    }

    [Fact]
    public void AddTo_WhenTheFeedbackHadAComment_ShouldWriteNothingOfIt()
    {
        var json = $$"""{"schema":"genaiobs.feedback/1","timestamp":"2026-11-20T14:05:00Z","requestId":"req-7","rating":"up","comment":"{{Canary}}","feature":"summarise","variant":"B"}""";
        Assert.True(FeedbackParser.TryParse(TestEvents.Event(json), out var feedback, out _));
        var delivery = new BatchResult { BatchId = "b" };
        delivery.Feedback.Add(feedback);

        var signals = QualityAggregation.Build(delivery, new Dictionary<string, IndexedRequest>(), QualityAggregation.DefaultWindow).Signals;
        using var output = new StringWriter();
        new EmfSerializer().WriteLines(QualityMetricsBuilder.AddTo(new MetricBatch(), signals, Service), output);

        var document = Assert.Single(EmfSpec.ParseLines(output.ToString()));
        Assert.Equal(("summarise", "B"), (document.Properties[MetricDimensions.Feature], document.Properties[MetricDimensions.Variant]));
        Assert.Equal(1, document.PropertyValues[QualityMetricNames.UnjoinedRatings]);
        Assert.DoesNotContain("CANARY", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("jane@", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_WhenQueryingTheQualityDocuments_ShouldReadOnlyMembersTheyCarryFromBothProcessors()
    {
        var template = File.ReadAllText(RepositoryPaths.TemplateFile);
        var marker = "ispresent(" + QualityMetricNames.SignalProperty + ")";
        var queries = QueryPattern().Matches(template).Select(m => m.Groups[1].Value).Where(q => q.Contains(marker, StringComparison.Ordinal)).ToList();
        var members = QualityMetricNames.Properties.Concat(QualityMetricNames.Values).ToHashSet(StringComparer.Ordinal);

        // FinOps: satisfaction, score and cost per satisfied request; Developer: the score by evaluator.
        Assert.Equal(2, queries.Count);
        foreach (var query in queries)
        {
            Assert.StartsWith("SOURCE '/aws/lambda/${AWS::StackName}-invocation-logs' | SOURCE '/aws/lambda/${AWS::StackName}-spans' | filter " + marker, query, StringComparison.Ordinal);
            var used = MemberPattern().Matches(query.Split("| filter", 2)[1]).Select(m => m.Value).Distinct().ToList();
            Assert.All(used, member => Assert.True(members.Contains(member), $"the query reads {member}, which no quality document carries: {query}"));
            Assert.Contains(MetricDimensions.Feature, used);
            Assert.Contains(MetricDimensions.Variant, used);
        }

        // The three figures with QualityFigures' definitions.
        var finOps = Assert.Single(queries, q => q.Contains("costPerSatisfiedRequestUsd", StringComparison.Ordinal));
        Assert.Contains("sum(Satisfied) / sum(Ratings) as satisfactionRate", finOps, StringComparison.Ordinal);
        Assert.Contains("sum(ScoreSum) / sum(ScoredEvaluations) as meanScore", finOps, StringComparison.Ordinal);
        Assert.Contains("sum(JoinedCostUsd) / sum(JoinedSatisfied) as costPerSatisfiedRequestUsd", finOps, StringComparison.Ordinal);
    }

    [GeneratedRegex("\"query\": \"(SOURCE [^\\n]*?)\"\\}\\}")]
    private static partial Regex QueryPattern();

    [GeneratedRegex("\\b[A-Z][A-Za-z]+\\b")]
    private static partial Regex MemberPattern();
}
