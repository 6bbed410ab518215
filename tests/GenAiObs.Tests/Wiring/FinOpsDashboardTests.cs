using GenAiObs.Core.Metrics;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>The FinOps dashboard's dollar panels read the invocation cost split the processor emits.</summary>
public sealed class FinOpsDashboardTests
{
    [Fact]
    public void FinOpsDashboard_WhenItsMetricsAreListed_ShouldShowInputVsOutputCostCacheSavingsAndOpportunity()
    {
        var template = TemplateDocument.LoadRepositoryTemplate();

        var finOps = MetricReferences.Find(template)
            .Where(r => r.Source.StartsWith("dashboard FinOpsDashboard", StringComparison.Ordinal))
            .ToList();

        foreach (var metric in new[] { InvocationMetricNames.InputCostUsd, InvocationMetricNames.OutputCostUsd, InvocationMetricNames.CacheReadCostUsd, InvocationMetricNames.CacheWriteCostUsd, InvocationMetricNames.CacheSavingsUsd })
        {
            Assert.Contains(finOps, r => r.Name == metric && r.DimensionKey == "Service");
        }

        Assert.Contains(finOps, r => r.Name == InvocationMetricNames.CacheSavingsUsd && r.DimensionKey == "ModelId,Service");
        Assert.Contains(finOps, r => r.Name == InvocationMetricNames.InputCostUsd && r.DimensionKey == "ModelId,Service");
    }
}
