using GenAiObs.Core.Costing;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Costing;

/// <summary><c>cost-estimate</c>'s fixed resources are the ones template.yaml deploys.</summary>
public sealed class ObserverFootprintTests
{
    [Fact]
    public void Footprint_WhenComparedWithTemplateYaml_ShouldCountItsDashboardsAlarmMetricsRulesMemoryAndRetention()
    {
        var template = TemplateDocument.LoadRepositoryTemplate();
        var footprint = ObserverFootprint.Default;
        var resources = template.Resources.Values.ToList();

        var alarmMetrics = resources.Where(r => r.Type == "AWS::CloudWatch::Alarm")
            .Sum(r => r.Properties.GetValueOrDefault("Metrics") is List<object?> metrics
                ? metrics.OfType<Dictionary<string, object?>>().Count(m => m.ContainsKey("MetricStat"))
                : 1);
        Assert.Equal(resources.Count(r => r.Type == "AWS::CloudWatch::Dashboard"), footprint.Dashboards);
        Assert.Equal(alarmMetrics, footprint.AlarmMetrics);
        Assert.Equal(resources.Count(r => r.Type == "AWS::CloudWatch::InsightRule"), footprint.InsightRules);
        var globals = (Dictionary<string, object?>)((Dictionary<string, object?>)template.Root["Globals"]!)["Function"]!;
        Assert.Equal(footprint.FunctionMemoryMb.ToString(System.Globalization.CultureInfo.InvariantCulture), globals["MemorySize"]?.ToString());
        var retention = (Dictionary<string, object?>)template.Parameters["LogRetentionDays"]!;
        Assert.Equal(footprint.LogRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture), retention["Default"]?.ToString());
    }
}
