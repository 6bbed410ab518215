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

    [Fact]
    public void ProcessorMillisecondsFor_WhenGivenTheMeasuredDelivery_ShouldTakeTheMeasuredTimeOnAFullCoreAndLongerAt256Mb()
    {
        // Arrange: the bootstrap measurement (RESULTS.md): 384.6 records, 156.8 UpdateItems, one full
        // core, a loopback DynamoDB (no round-trip wait), 76.4 ms warm median.
        var measured = ObserverFootprint.Default with { FunctionMemoryMb = 1769, MillisecondsPerUpdateRound = 0 };
        var deployed = ObserverFootprint.Default;

        // Act
        var onFullCore = measured.ProcessorMillisecondsFor(385, 157);
        var at256Mb = deployed.ProcessorMillisecondsFor(385, 157);
        var smallDeferred = deployed.ProcessorMillisecondsFor(4, 1);

        // Assert: 76.4 ms on the core it was measured on; 6.9 times the CPU at 256 MB plus 20 rounds of
        // writes; a 4-record delivery of 1M invocations a month with its one delta PutItem ≈ 20 ms.
        Assert.Equal(1.0, measured.CpuShare);
        Assert.InRange(onFullCore, 76.0, 76.9);
        Assert.InRange(at256Mb, (76.0 * 1769 / 256) + (20 * 8), (76.9 * 1769 / 256) + (20 * 8));
        Assert.InRange(smallDeferred, 19, 22);
    }
}
