using GenAiObs.Core.Metrics;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>The dashboard's FinOps dollar panels read the invocation cost split the processor emits.</summary>
public sealed class FinOpsDashboardTests
{
    [Fact]
    public void FinOpsDashboard_WhenItsMetricsAreListed_ShouldShowInputVsOutputCostCacheSavingsAndOpportunityByModel()
    {
        var template = TemplateDocument.LoadRepositoryTemplate();

        var finOps = MetricReferences.Find(template)
            .Where(r => r.Source.StartsWith("dashboard Dashboard", StringComparison.Ordinal))
            .ToList();

        foreach (var metric in new[] { InvocationMetricNames.InputCostUsd, InvocationMetricNames.OutputCostUsd, InvocationMetricNames.CacheReadCostUsd, InvocationMetricNames.CacheWriteCostUsd, InvocationMetricNames.CacheSavingsUsd })
        {
            Assert.Contains(finOps, r => r.Name == metric && r.DimensionKey == "Service");
        }

        // By model, the parts are no metrics: Logs Insights sums them from the attribution documents.
        var resolver = new SubstitutionResolver(template);
        var logGroup = resolver.Resolve(template.Resources["InvocationLogFunctionLogGroup"].Properties["LogGroupName"]);
        using var body = MetricReferences.DashboardBody(template.Resources["Dashboard"], resolver);
        var queries = body.RootElement.GetProperty("widgets").EnumerateArray()
            .Where(w => w.GetProperty("type").GetString() == "log")
            .Select(w => w.GetProperty("properties").GetProperty("query").GetString()!)
            .ToList();
        foreach (var metric in new[] { InvocationMetricNames.CacheSavingsUsd, InvocationMetricNames.InputCostUsd })
        {
            Assert.Contains(queries, q => q.StartsWith($"SOURCE '{logGroup}'", StringComparison.Ordinal) && q.Contains($"stats sum({metric})", StringComparison.Ordinal) && q.Contains($"by {MetricDimensions.ModelId}", StringComparison.Ordinal));
            Assert.Contains(InvocationMetricNames.Catalogue[metric], set => set.SequenceEqual([MetricDimensions.Service]));
        }

        Assert.Contains(MetricDimensions.ModelId, InvocationMetricNames.AttributionProperties);
    }
}
