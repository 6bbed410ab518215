using System.Text.RegularExpressions;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Core.Aggregation;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Core.Metrics;

public sealed partial class FeatureAttributionTests
{
    private static readonly InvocationMetricsOptions Options = new("chat-api");

    private static IReadOnlyList<EmfDocument> Documents(IReadOnlyList<PricedInvocation> invocations) =>
        EmfSpec.ParseAll(new EmfSerializer().Serialize(InvocationMetricsBuilder.Build(invocations, [], Options, 1_795_000_000_000)));

    /// <summary>Every (metric, dimension set) a set of documents defines: what CloudWatch bills as custom metrics.</summary>
    private static HashSet<string> CustomMetrics(IEnumerable<EmfDocument> documents) =>
        documents.SelectMany(d => d.Definitions.SelectMany(def => d.DimensionSets.Select(set => def.Name + "|" + string.Join(",", set.Select(n => n + "=" + d.Dimensions[n])))))
            .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Build_WhenRequestsAreTagged_ShouldCarryFeatureVariantAndTemplateAsPropertiesOfTheAttributionDocuments()
    {
        var documents = Documents(FeatureReportTests.TwoArms());

        var attribution = documents.Where(d => d.Properties.ContainsKey(MetricDimensions.Principal)).ToList();
        var armA = Assert.Single(attribution, d => d.Properties.GetValueOrDefault(MetricDimensions.Variant) == "A");
        Assert.Equal("summarise", armA.Properties[MetricDimensions.Feature]);
        Assert.Equal("summary@3", armA.Properties[MetricDimensions.PromptTemplate]);
        Assert.Equal(10, armA.PropertyValues[InvocationMetricNames.InvocationsProperty]);
        Assert.Equal(0.10, armA.PropertyValues[InvocationMetricNames.CostUsd], 9);
        Assert.Equal(1000, armA.PropertyValues[InvocationMetricNames.OutputTokensProperty]);
        var armB = Assert.Single(attribution, d => d.Properties.GetValueOrDefault(MetricDimensions.Variant) == "B");
        Assert.Equal(960, armB.PropertyValues[InvocationMetricNames.OutputTokensProperty]);
        Assert.Equal(2, armB.PropertyValues[InvocationMetricNames.InvocationErrorsProperty]);
        Assert.DoesNotContain(documents, d => d.Dimensions.ContainsKey(MetricDimensions.Feature) || d.Dimensions.ContainsKey(MetricDimensions.Variant));
    }

    [Fact]
    public void Build_WhenTheSameRequestsAreTagged_ShouldWriteNoAdditionalCustomMetric()
    {
        var tagged = FeatureReportTests.TwoArms();
        var untagged = tagged.Select(i => i with { Record = i.Record with { Dimensions = null } }).ToList();

        var withTags = CustomMetrics(Documents(tagged));
        var withoutTags = CustomMetrics(Documents(untagged));

        Assert.Equal(withoutTags.Order(StringComparer.Ordinal), withTags.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Documents(untagged), d => d.PropertyValues.ContainsKey(InvocationMetricNames.OutputTokensProperty));
    }

    [Fact]
    public void Dashboard_WhenQueryingTheProcessorsLogGroupByFeature_ShouldReadOnlyMembersTheAttributionDocumentsCarry()
    {
        var template = File.ReadAllText(RepositoryPaths.TemplateFile);
        var queries = QueryPattern().Matches(template).Select(m => m.Groups[1].Value).Where(q => q.Contains("-invocation-logs'", StringComparison.Ordinal) && q.Contains("Feature", StringComparison.Ordinal) && !q.Contains("ispresent(" + QualityMetricNames.SignalProperty + ")", StringComparison.Ordinal)).ToList();
        var members = InvocationMetricNames.AttributionProperties.Concat(InvocationMetricNames.AttributionValues).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(2, queries.Count);
        foreach (var query in queries)
        {
            // Capitalised identifiers are EMF members (the queries' own aliases are camelCase).
            var used = MemberPattern().Matches(query.Split('|', 2)[1]).Select(m => m.Value).Distinct().ToList();
            Assert.All(used, member => Assert.True(members.Contains(member), $"the query reads {member}, which no attribution document carries: {query}"));
            Assert.Contains("Feature", used);
            Assert.Contains("Variant", used);
        }
    }

    [Fact]
    public void Dashboard_WhenGroupingByAccount_ShouldReadOnlyMembersTheAttributionDocumentsCarry()
    {
        var template = File.ReadAllText(RepositoryPaths.TemplateFile);
        var query = Assert.Single(QueryPattern().Matches(template).Select(m => m.Groups[1].Value), q => q.Contains("by account, region", StringComparison.Ordinal));
        var members = InvocationMetricNames.AttributionProperties.Concat(InvocationMetricNames.AttributionValues).ToHashSet(StringComparer.Ordinal);

        Assert.StartsWith("SOURCE '/aws/lambda/${AWS::StackName}-invocation-logs'", query, StringComparison.Ordinal);
        // ${AWS::Region} is the template's substitution (the fallback for direct mode), not a member.
        var used = MemberPattern().Matches(Regex.Replace(query.Split('|', 2)[1], @"\$\{[^}]*\}", string.Empty)).Select(m => m.Value).Distinct().ToList();
        Assert.All(used, member => Assert.True(members.Contains(member), $"the query reads {member}, which no attribution document carries: {query}"));
        Assert.Contains(MetricDimensions.Account, used);
        Assert.Contains(MetricDimensions.Region, used);
        Assert.Contains(InvocationMetricNames.CostUsd, used);
    }

    [GeneratedRegex("\"query\": \"(SOURCE [^\\n]*?)\"\\}\\}")]
    private static partial Regex QueryPattern();

    [GeneratedRegex("\\b[A-Z][A-Za-z]+\\b")]
    private static partial Regex MemberPattern();
}
