using System.Text.RegularExpressions;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Core.Metrics;

public sealed partial class SpanAttributionTests
{
    private const long Now = 1_795_000_100_000;
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);

    private static PricedSpan Span(int i, SpanClass spanClass, string? feature, string? variant, double durationMs, decimal cost = 0.001m, string? template = null, DeliveryOrigin? origin = null) => new(
        new SpanRecord
        {
            EventId = "e" + i,
            TraceId = "trace-" + i,
            SpanId = "span-" + i,
            Name = "n",
            Class = spanClass,
            End = End.AddSeconds(i),
            DurationMs = durationMs,
            ServiceName = "helpdesk",
            Environment = "prod",
            Model = spanClass == SpanClass.ModelCall ? "claude" : null,
            ToolName = spanClass == SpanClass.Tool ? "search_kb" : null,
            OutputTokens = spanClass == SpanClass.ModelCall ? 100 : 0,
            IsError = i % 5 == 0,
            Dimensions = RequestDimensions.From(feature, variant, template, template is null ? null : "2"),
        },
        cost,
        Priced: true)
    { Origin = origin };

    /// <summary>Per arm of ticket-summary: an agent span, a tool span and model calls of 100…(100 n) ms (arm A: 4 calls, arm B: 6).</summary>
    private static List<PricedSpan> TwoArms()
    {
        var spans = new List<PricedSpan>();
        var i = 0;
        foreach (var (variant, calls) in new[] { ("A", 4), ("B", 6) })
        {
            spans.Add(Span(++i, SpanClass.Agent, "ticket-summary", variant, 5000, template: "summary"));
            spans.Add(Span(++i, SpanClass.Tool, "ticket-summary", variant, 40, template: "summary"));
            for (var call = 1; call <= calls; call++)
            {
                spans.Add(Span(++i, SpanClass.ModelCall, "ticket-summary", variant, 100 * call, template: "summary"));
            }
        }

        return spans;
    }

    private static IReadOnlyList<EmfDocument> Documents(IReadOnlyList<PricedSpan> spans) =>
        EmfSpec.ParseAll(new EmfSerializer().Serialize(new SpanMetricsBuilder().Build(spans, [], Now)));

    private static HashSet<string> CustomMetrics(IEnumerable<EmfDocument> documents) =>
        documents.SelectMany(d => d.Definitions.SelectMany(def => d.DimensionSets.Select(set => def.Name + "|" + string.Join(",", set.Select(n => n + "=" + d.Dimensions[n])))))
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<EmfDocument> Arm(IEnumerable<EmfDocument> documents, string variant) =>
        documents.Where(d => d.Properties.GetValueOrDefault(MetricDimensions.Variant) == variant);

    [Fact]
    public void Build_WhenSpansAreTagged_ShouldCarryFeatureVariantAndTemplateOnTheirAgentModelCallAndToolDocuments()
    {
        var documents = Documents(TwoArms());

        foreach (var (variant, calls) in new[] { ("A", 4), ("B", 6) })
        {
            var arm = Arm(documents, variant).ToList();
            Assert.All(arm, d => Assert.Equal(("ticket-summary", "summary@2"), (d.Properties[MetricDimensions.Feature], d.Properties[MetricDimensions.PromptTemplate])));
            var model = Assert.Single(arm, d => d.Dimensions.ContainsKey(MetricDimensions.ModelId));
            Assert.Equal(calls, model.Values[SpanMetricNames.ModelCalls].Sum());
            Assert.Equal(calls * 100, model.Values[SpanMetricNames.SpanOutputTokens].Sum());
            Assert.Equal(calls * 0.001, model.Values[SpanMetricNames.AgentModelCostUsd].Sum(), 9);
            // The raw durations, so the dashboard's unnest gives each call's latency to pct().
            Assert.Equal(Enumerable.Range(1, calls).Select(c => 100.0 * c), model.Values[SpanMetricNames.ModelCallLatency].Order());
            Assert.Equal(1, Assert.Single(arm, d => d.Values.ContainsKey(SpanMetricNames.AgentInvocations)).Values[SpanMetricNames.AgentInvocations].Sum());
            Assert.Equal(1, Assert.Single(arm, d => d.Dimensions.ContainsKey(SpanMetricsBuilder.ToolDimension)).Values[SpanMetricNames.ToolCalls].Sum());
        }

        // The [Service, Environment] totals of model calls stay one untagged document.
        var totals = Assert.Single(documents, d => d.Values.ContainsKey(SpanMetricNames.ModelCalls) && d.DimensionSets.Single().Count == 2);
        Assert.Equal(10, totals.Values[SpanMetricNames.ModelCalls].Sum());
        Assert.False(totals.Properties.ContainsKey(MetricDimensions.Feature));
        Assert.DoesNotContain(documents, d => d.Dimensions.Keys.Any(k => SpanMetricNames.AttributionProperties.Contains(k)));
    }

    [Fact]
    public void Build_WhenTheSameSpansAreTaggedWithManyValues_ShouldWriteNoAdditionalCustomMetricAndTheSameTotals()
    {
        var tagged = TwoArms().Select((s, i) => s with { Span = s.Span with { Dimensions = RequestDimensions.From("feature-" + i, "arm-" + i, "template-" + i, null) } }).ToList();
        var untagged = tagged.Select(s => s with { Span = s.Span with { Dimensions = null } }).ToList();

        var withTags = Documents(tagged);
        var withoutTags = Documents(untagged);

        Assert.True(withTags.Count > withoutTags.Count);
        Assert.Equal(CustomMetrics(withoutTags).Order(StringComparer.Ordinal), CustomMetrics(withTags).Order(StringComparer.Ordinal));
        foreach (var metric in new[] { SpanMetricNames.ModelCalls, SpanMetricNames.AgentInvocations, SpanMetricNames.ToolCalls, SpanMetricNames.AgentModelCostUsd })
        {
            Assert.Equal(withoutTags.Where(d => d.Values.ContainsKey(metric)).Sum(d => d.Values[metric].Sum()), withTags.Where(d => d.Values.ContainsKey(metric)).Sum(d => d.Values[metric].Sum()), 9);
        }

        Assert.DoesNotContain(withoutTags, d => d.Properties.Count > 0);
    }

    [Fact]
    public void Build_WhenSpansCameThroughCentralIngestion_ShouldCarryTheSourceAccountAndRegion()
    {
        var origin = new DeliveryOrigin("444455556666", "eu-west-1");
        var spans = new List<PricedSpan> { Span(1, SpanClass.ModelCall, null, null, 250, origin: origin) };

        var model = Assert.Single(Documents(spans), d => d.Dimensions.ContainsKey(MetricDimensions.ModelId) && d.Values.ContainsKey(SpanMetricNames.ModelCalls));

        Assert.Equal(("444455556666", "eu-west-1"), (model.Properties[MetricDimensions.Account], model.Properties[MetricDimensions.Region]));
        Assert.False(model.Properties.ContainsKey(MetricDimensions.Feature));
    }

    [Fact]
    public void Dashboard_WhenQueryingTheSpansLogGroupByFeature_ShouldReadOnlyMembersTheSpanAttributionDocumentsCarry()
    {
        var template = File.ReadAllText(RepositoryPaths.TemplateFile);
        var queries = QueryPattern().Matches(template).Select(m => m.Groups[1].Value)
            .Where(q => q.StartsWith("SOURCE '/aws/lambda/${AWS::StackName}-spans'", StringComparison.Ordinal) && q.Contains("Feature", StringComparison.Ordinal))
            .ToList();
        // A model-call document: its dimensions, its metrics and the attribution properties.
        var members = SpanMetricNames.AttributionProperties
            .Concat(SpanMetricNames.Catalogue.Where(m => m.Value.Any(set => set.Contains(SpanMetricsBuilder.ModelDimension))).Select(m => m.Key))
            .Concat([SpanMetricsBuilder.ServiceDimension, SpanMetricsBuilder.EnvironmentDimension, SpanMetricsBuilder.ModelDimension])
            .ToHashSet(StringComparer.Ordinal);

        // FinOps: model-call cost per feature; Developer: model-call latency per feature.
        Assert.Equal(2, queries.Count);
        Assert.Contains(queries, q => q.Contains("pct(latencyMs, 95)", StringComparison.Ordinal) && q.Contains("unnest doc.ModelCallLatency into latencyMs", StringComparison.Ordinal));
        foreach (var query in queries)
        {
            var used = MemberPattern().Matches(query.Split('|', 2)[1]).Select(m => m.Value).Distinct().ToList();
            Assert.All(used, member => Assert.True(members.Contains(member), $"the query reads {member}, which no span attribution document carries: {query}"));
            Assert.Contains(MetricDimensions.Feature, used);
            Assert.Contains(MetricDimensions.Variant, used);
        }
    }

    [GeneratedRegex("\"query\": \"(SOURCE [^\\n]*?)\"\\}\\}")]
    private static partial Regex QueryPattern();

    [GeneratedRegex("\\b[A-Z][A-Za-z]+\\b")]
    private static partial Regex MemberPattern();
}
