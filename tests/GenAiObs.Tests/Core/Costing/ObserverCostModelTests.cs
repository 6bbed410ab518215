using GenAiObs.Core.Costing;
using Xunit;

namespace GenAiObs.Tests.Costing;

public sealed class ObserverCostModelTests
{
    private static readonly MonthUsage Usage = new()
    {
        Scenario = new CostScenario { InvocationsPerMonth = 2_000_000 },
        Invocations = 2_000_000,
        Deliveries = 262_800,
        EmfBytes = 1024d * 1024 * 1024, // 1 GB
        BilledMetricMonths = 20,
        DistinctCustomMetrics = 20,
        PrincipalRuleMatches = 1_000_000,
        ErrorRuleMatches = 500_000,
        WriteUnits = 4_000_000,
        MaintenanceWriteUnits = 1_000_000,
        MaintenanceReadUnits = 2_000_000,
        StoredBytes = 0,
        ProcessorGbSeconds = 10_000,
        BedrockSpendUsd = 10_000m,
    };

    [Fact]
    public void Estimate_WhenUsageIsGiven_ShouldPriceEachComponentAtTheListPrices()
    {
        var footprint = new ObserverFootprint { Dashboards = 4, AlarmMetrics = 10, InsightRules = 3, EvaluatorRunsPerMonth = 8_760, EvaluatorSecondsPerRun = 1, EvaluatorReadUnitsPerRun = 100, OtherLogBytesPerInvocation = 0, LogRetentionDays = 30 };

        var bill = ObserverCostModel.Estimate(Usage, ObserverPrices.Default, footprint);

        Assert.Equal(6.00m, Line(bill, "CloudWatch custom metrics").MonthlyUsd);
        Assert.Equal(12.00m, Line(bill, "CloudWatch dashboards").MonthlyUsd);
        Assert.Equal(1.00m, Line(bill, "CloudWatch alarms").MonthlyUsd);
        Assert.Equal(1.50m, Line(bill, "Contributor Insights rules").MonthlyUsd);
        Assert.Equal(0.05m, Line(bill, "Contributor Insights matched").MonthlyUsd); // (2 × 1M + 0.5M) × $0.02 / 1M
        Assert.Equal(0.50m, Line(bill, "CloudWatch Logs ingestion").MonthlyUsd);
        Assert.Equal(0.03m, Line(bill, "CloudWatch Logs storage").MonthlyUsd);
        Assert.Equal(2.50m, Line(bill, "DynamoDB writes (aggregates)").MonthlyUsd);
        Assert.Equal(0.625m, Line(bill, "DynamoDB writes (hourly and daily roll-ups)").MonthlyUsd);
        Assert.Equal(0.25m, Line(bill, "DynamoDB reads (roll-up").MonthlyUsd);
        Assert.Equal(0.1095m, Line(bill, "DynamoDB reads (evaluator)").MonthlyUsd); // 876,000 RRU × $0.125 / 1M
        Assert.Equal(0.1333m, Line(bill, "Lambda processors duration").MonthlyUsd);
        Assert.Equal(0.0526m, Line(bill, "Lambda processors requests").MonthlyUsd);
        Assert.Equal(0.0292m, Line(bill, "Lambda evaluator (every").MonthlyUsd); // 8,760 × 1 s × 0.25 GB × $0.0000133334
        Assert.DoesNotContain(bill.Lines, l => l.Component.StartsWith("Kinesis", StringComparison.Ordinal));
        Assert.Equal(bill.Lines.Sum(l => l.MonthlyUsd), bill.TotalUsd);
        Assert.Equal(bill.FixedUsd + bill.VariableUsd, bill.TotalUsd);
        Assert.Equal(bill.VariableUsd / 2, bill.VariablePerMillionUsd);
        Assert.Equal((double)(bill.TotalUsd / 10_000m), bill.ShareOfBedrockSpend);
    }

    [Fact]
    public void Estimate_WhenAPriceIsOverriddenOrKinesisIsChosen_ShouldUseTheNewPriceAndAddTheStream()
    {
        var prices = ObserverPrices.Default.With("customMetricMonth", 0.10m).With("dashboardMonth", 0m);
        var usage = Usage with { Scenario = Usage.Scenario with { KinesisShards = 2 } };

        var bill = ObserverCostModel.Estimate(usage, prices);

        Assert.Equal(2.00m, Line(bill, "CloudWatch custom metrics").MonthlyUsd);
        Assert.Equal(0m, Line(bill, "CloudWatch dashboards").MonthlyUsd);
        Assert.Equal(21.90m, Line(bill, "Kinesis shard hours").MonthlyUsd); // 2 × 730 h × $0.015
        Assert.Equal(0.028m, Line(bill, "Kinesis PUT payload units").MonthlyUsd);
        Assert.Equal(0.30m, ObserverPrices.Default.CustomMetricMonth);
    }

    [Theory]
    [InlineData("noSuchPrice", 1)]
    [InlineData("logIngestionGb", -0.5)]
    public void With_WhenNameIsUnknownOrValueNegative_ShouldThrowNamingIt(string name, double value)
    {
        var error = Assert.Throws<ArgumentException>(() => ObserverPrices.Default.With(name, (decimal)value));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    private static CostLine Line(ObserverBill bill, string prefix) =>
        Assert.Single(bill.Lines, l => l.Component.StartsWith(prefix, StringComparison.Ordinal));
}
