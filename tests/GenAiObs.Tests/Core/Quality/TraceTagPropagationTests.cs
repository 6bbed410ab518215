using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Core.Quality;

public sealed class TraceTagPropagationTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);

    private static PricedSpan Span(string trace, string id, SpanClass spanClass, string? parent, string? feature = null, string? variant = null, string? template = null, decimal cost = 0.002m, IReadOnlyList<EvaluationRecord>? evaluations = null) => new(
        new SpanRecord
        {
            EventId = "e-" + id,
            TraceId = trace,
            SpanId = id,
            ParentSpanId = parent,
            Name = "n",
            Class = spanClass,
            End = End,
            DurationMs = 300,
            ServiceName = "helpdesk",
            Model = spanClass == SpanClass.ModelCall ? "claude" : null,
            OutputTokens = spanClass == SpanClass.ModelCall ? 50 : 0,
            Dimensions = RequestDimensions.From(feature, variant, template, null),
            Evaluations = evaluations ?? [],
        },
        spanClass == SpanClass.ModelCall ? cost : 0m,
        Priced: true);

    private static BatchResult Delivery(string id, params PricedSpan[] spans)
    {
        var result = new BatchResult { BatchId = id };
        result.Spans.AddRange(spans);
        return result;
    }

    private static RequestDimensions? Tags(BatchResult result, string spanId) => result.Spans.Single(s => s.Span.SpanId == spanId).Span.Dimensions;

    /// <summary>An index that counts its lookups (the seam the processors read DynamoDB through).</summary>
    private sealed class CountingIndex : IRequestIndex
    {
        private readonly InMemoryRequestIndex _inner = new();

        public List<IReadOnlyCollection<string>> Lookups { get; } = [];

        public Task PutAsync(string batchId, IReadOnlyList<IndexedRequest> entries, CancellationToken cancellationToken = default) => _inner.PutAsync(batchId, entries, cancellationToken);

        public Task<IReadOnlyDictionary<string, IndexedRequest>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
        {
            Lookups.Add(ids);
            return _inner.GetAsync(ids, cancellationToken);
        }
    }

    [Fact]
    public void Apply_WhenModelCallsShareATraceWithATaggedAgentSpan_ShouldCountThemUnderItsFeatureAndVariant()
    {
        var delivery = Delivery(
            "d1",
            Span("t1", "call-1", SpanClass.ModelCall, "agent"),
            Span("t1", "call-2", SpanClass.ModelCall, "agent", template: "summary"),
            Span("t1", "agent", SpanClass.Agent, null, "ticket-summary", "B", "agent-prompt"),
            Span("t2", "other-call", SpanClass.ModelCall, null));

        var gained = TraceTagPropagation.Apply(delivery);

        Assert.Equal(2, gained);
        Assert.Equal(("ticket-summary", "B", (string?)null), (Tags(delivery, "call-1")!.Feature, Tags(delivery, "call-1")!.Variant, Tags(delivery, "call-1")!.Template));
        // A span's own template stays; the agent's is not copied.
        Assert.Equal(("ticket-summary", "B", "summary"), (Tags(delivery, "call-2")!.Feature, Tags(delivery, "call-2")!.Variant, Tags(delivery, "call-2")!.Template));
        Assert.Null(Tags(delivery, "other-call"));
        var sums = AggregateBuilder.Build(delivery).Deltas.Where(d => d.Key == AggregateKeys.Variant("ticket-summary", "B")).Select(d => d.Counters).Single();
        Assert.Equal(2, sums[CounterNames.ModelCalls]);
    }

    [Fact]
    public void Apply_WhenSeveralSpansOfATraceAreTagged_ShouldPreferTheAgentThenTheRootAndKeepEverySpansOwnTags()
    {
        var delivery = Delivery(
            "d1",
            Span("t1", "tool", SpanClass.Tool, "agent", "search", "X"),
            Span("t1", "root", SpanClass.Other, null, "router", "R"),
            Span("t1", "agent", SpanClass.Agent, "root", "ticket-summary", "B"),
            Span("t1", "call", SpanClass.ModelCall, "agent"),
            Span("t1", "own-feature", SpanClass.ModelCall, "agent", feature: "translate"),
            Span("t1", "own-variant", SpanClass.ModelCall, "agent", variant: "A"),
            Span("t2", "root-2", SpanClass.Other, null, "router", "R"),
            Span("t2", "child-2", SpanClass.ModelCall, "x", "search"),
            Span("t2", "call-2", SpanClass.ModelCall, "x"));

        TraceTagPropagation.Apply(delivery);

        Assert.Equal(("ticket-summary", "B"), (Tags(delivery, "call")!.Feature, Tags(delivery, "call")!.Variant));
        Assert.Equal(("search", "X"), (Tags(delivery, "tool")!.Feature, Tags(delivery, "tool")!.Variant));
        Assert.Equal(("router", "R"), (Tags(delivery, "root")!.Feature, Tags(delivery, "root")!.Variant));
        // Another feature's span does not take this feature's arm.
        Assert.Equal(("translate", (string?)null), (Tags(delivery, "own-feature")!.Feature, Tags(delivery, "own-feature")!.Variant));
        Assert.Equal(("ticket-summary", "A"), (Tags(delivery, "own-variant")!.Feature, Tags(delivery, "own-variant")!.Variant));
        // Without an agent span, the root's tags win over a child's.
        Assert.Equal(("router", "R"), (Tags(delivery, "call-2")!.Feature, Tags(delivery, "call-2")!.Variant));
        Assert.Equal(("search", (string?)null), (Tags(delivery, "child-2")!.Feature, Tags(delivery, "child-2")!.Variant));
    }

    [Fact]
    public async Task ApplyAsync_WhenTheTracesTaggedSpanCameInAnEarlierDelivery_ShouldTakeTheJoinEntrysTagsWithOneBatchedLookup()
    {
        var index = new CountingIndex();
        var earlier = Delivery("d1", Span("t1", "agent", SpanClass.Agent, null, "ticket-summary", "A"), Span("t2", "agent-2", SpanClass.Agent, null, "ticket-summary", "B"));
        await TraceTagPropagation.ApplyAsync(earlier, index);
        await index.PutAsync(earlier.BatchId, QualityAggregation.IndexEntries(earlier));
        var later = Delivery(
            "d2",
            Span("t1", "call-1", SpanClass.ModelCall, "agent"),
            Span("t1", "call-1b", SpanClass.ModelCall, "agent"),
            Span("t2", "call-2", SpanClass.ModelCall, "agent-2"),
            Span("t3", "call-3", SpanClass.ModelCall, "unknown"),
            Span("t4", "agent-4", SpanClass.Agent, null, "faq", "A"),
            Span("t4", "call-4", SpanClass.ModelCall, "agent-4"));

        var gained = await TraceTagPropagation.ApplyAsync(later, index);

        Assert.Equal(4, gained);
        var lookup = Assert.Single(index.Lookups);
        Assert.Equal([IndexedRequest.ForTrace("t1"), IndexedRequest.ForTrace("t2"), IndexedRequest.ForTrace("t3")], lookup);
        Assert.Equal(("ticket-summary", "A"), (Tags(later, "call-1b")!.Feature, Tags(later, "call-1b")!.Variant));
        Assert.Equal(("ticket-summary", "B"), (Tags(later, "call-2")!.Feature, Tags(later, "call-2")!.Variant));
        Assert.Equal(("faq", "A"), (Tags(later, "call-4")!.Feature, Tags(later, "call-4")!.Variant));
        Assert.Null(Tags(later, "call-3"));

        // The later delivery's model-call cost now joins the trace's entry (feedback on the trace sees both deliveries).
        await index.PutAsync(later.BatchId, QualityAggregation.IndexEntries(later));
        var entry = (await index.GetAsync([IndexedRequest.ForTrace("t1")]))[IndexedRequest.ForTrace("t1")];
        Assert.Equal(4_000, entry.CostMicros);
    }

    [Fact]
    public async Task ApplyAsync_WhenNoSpanOfTheDeliveryIsTagged_ShouldReadNothing()
    {
        var index = new CountingIndex();
        var delivery = Delivery("d1", Span("t1", "call", SpanClass.ModelCall, "agent"), Span("t2", "agent", SpanClass.Agent, null));

        var gained = await TraceTagPropagation.ApplyAsync(delivery, index);

        Assert.Equal(0, gained);
        Assert.Empty(index.Lookups);
    }

    [Fact]
    public void Apply_WhenASpanWithEvaluationsGainsTags_ShouldAttributeItsEvaluationsToThem()
    {
        var evaluation = new EvaluationRecord { EventId = "ev", Timestamp = End, Name = "relevance", Score = 0.4, TraceId = "t1" };
        var delivery = Delivery(
            "d1",
            Span("t1", "agent", SpanClass.Agent, null, "ticket-summary", "B"),
            Span("t1", "call", SpanClass.ModelCall, "agent", evaluations: [evaluation]));

        TraceTagPropagation.Apply(delivery);
        var quality = QualityAggregation.Build(delivery, new Dictionary<string, IndexedRequest>(), QualityAggregation.DefaultWindow);

        var signal = Assert.Single(quality.Signals);
        Assert.Equal(("ticket-summary", "B", true), (signal.Feature, signal.Variant, signal.Joined));
        Assert.Equal(1, quality.Deltas.Single(d => d.Key == AggregateKeys.Variant("ticket-summary", "B")).Counters[CounterNames.EvaluationsScored]);
    }
}
