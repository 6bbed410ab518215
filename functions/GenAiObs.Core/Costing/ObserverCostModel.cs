using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Costing;

/// <summary>
/// Prices a month of measured usage (<see cref="MonthSimulator"/>) plus the template's fixed
/// resources (<see cref="ObserverFootprint"/>): the observer's own AWS bill, by component.
/// </summary>
public static class ObserverCostModel
{
    private const double Gb = 1024d * 1024 * 1024;

    public static ObserverBill Estimate(MonthUsage usage, ObserverPrices? prices = null, ObserverFootprint? footprint = null)
    {
        ArgumentNullException.ThrowIfNull(usage);
        prices ??= ObserverPrices.Default;
        footprint ??= ObserverFootprint.Default;
        var lines = new List<CostLine>();

        void Add(string component, double quantity, string unit, decimal unitPrice, double perUnits, CostKind kind) =>
            lines.Add(new CostLine(component, quantity, unit, unitPrice, Math.Round((decimal)(quantity / perUnits) * unitPrice, 4), kind));

        Add("CloudWatch custom metrics (billed per hour with data)", usage.BilledMetricMonths, "metric-months", prices.CustomMetricMonth, 1, CostKind.Fixed);
        Add("CloudWatch dashboards", footprint.Dashboards, "dashboards", prices.DashboardMonth, 1, CostKind.Fixed);
        Add("CloudWatch alarms", footprint.AlarmMetrics, "alarm metrics", prices.AlarmMetricMonth, 1, CostKind.Fixed);
        Add("Contributor Insights rules", footprint.InsightRules, "rules", prices.InsightRuleMonth, 1, CostKind.Fixed);
        Add("Contributor Insights matched log events", (2 * usage.PrincipalRuleMatches) + usage.ErrorRuleMatches, "events", prices.InsightMatchedEventsMillion, 1_000_000, CostKind.Variable);

        var functionInvocations = usage.Deliveries + footprint.EvaluatorRunsPerMonth;
        var logBytes = usage.EmfBytes + (functionInvocations * footprint.OtherLogBytesPerInvocation);
        Add("CloudWatch Logs ingestion (EMF and function logs)", logBytes / Gb, "GB", prices.LogIngestionGb, 1, CostKind.Variable);
        Add("CloudWatch Logs storage (retention " + footprint.LogRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture) + " days)", logBytes / Gb * Math.Min(1, footprint.LogRetentionDays / 30.0), "GB-months", prices.LogStorageGbMonth, 1, CostKind.Variable);

        if (usage.Scenario.AggregateWrites == AggregateWriteMode.Deferred)
        {
            // Deltas follow deliveries; the roll-up follows 5-minute windows × fine buckets touched (one packed item each).
            Add("DynamoDB writes (deferred: one delta per delivery)", usage.DeltaWriteUnits, "write units", prices.DynamoDbWriteMillion, 1_000_000, CostKind.Variable);
            Add("DynamoDB writes (roll-up: one packed item per window and bucket)", usage.RollupWriteUnits, "write units", prices.DynamoDbWriteMillion, 1_000_000, CostKind.Variable);
            Add("DynamoDB reads (roll-up of the deltas)", usage.RollupReadUnits, "read units", prices.DynamoDbReadMillion, 1_000_000, CostKind.Variable);
            Add("DynamoDB reads (evaluator: deltas not rolled up yet)", usage.PendingReadUnits, "read units", prices.DynamoDbReadMillion, 1_000_000, CostKind.Variable);
            Add("DynamoDB writes (quality join index)", usage.WriteUnits, "write units", prices.DynamoDbWriteMillion, 1_000_000, CostKind.Variable);
        }
        else
        {
            Add("DynamoDB writes (aggregates)", usage.WriteUnits, "write units", prices.DynamoDbWriteMillion, 1_000_000, CostKind.Variable);
        }

        // The evaluator's maintenance as measured by running it every 5 minutes over the simulated deliveries.
        Add("DynamoDB writes (hourly and daily roll-ups)", usage.MaintenanceWriteUnits, "write units", prices.DynamoDbWriteMillion, 1_000_000, CostKind.Variable);
        Add("DynamoDB reads (roll-up sources and targets)", usage.MaintenanceReadUnits, "read units", prices.DynamoDbReadMillion, 1_000_000, CostKind.Variable);

        if (usage.JoinReadUnits > 0)
        {
            Add("DynamoDB reads (quality join lookups)", usage.JoinReadUnits, "read units", prices.DynamoDbReadMillion, 1_000_000, CostKind.Variable);
        }

        Add("DynamoDB reads (evaluator)", (double)footprint.EvaluatorRunsPerMonth * footprint.EvaluatorReadUnitsPerRun, "read units", prices.DynamoDbReadMillion, 1_000_000, CostKind.Fixed);
        Add("DynamoDB storage", usage.StoredBytes / Gb, "GB-months", prices.DynamoDbStorageGbMonth, 1, CostKind.Fixed);

        Add("Lambda processors duration", usage.ProcessorGbSeconds, "GB-seconds", prices.LambdaGbSecond, 1, CostKind.Variable);
        Add("Lambda processors requests", usage.Deliveries, "requests", prices.LambdaRequestsMillion, 1_000_000, CostKind.Variable);
        var evaluatorGbSeconds = footprint.EvaluatorRunsPerMonth * footprint.EvaluatorSecondsPerRun * footprint.FunctionMemoryMb / 1024;
        Add("Lambda evaluator (every 5 minutes)", evaluatorGbSeconds, "GB-seconds", prices.LambdaGbSecond, 1, CostKind.Fixed);
        Add("Lambda evaluator requests", footprint.EvaluatorRunsPerMonth, "requests", prices.LambdaRequestsMillion, 1_000_000, CostKind.Fixed);

        if (usage.Scenario.KinesisShards > 0)
        {
            Add("Kinesis shard hours", usage.Scenario.KinesisShards * MonthSimulator.HoursPerMonth, "shard-hours", prices.KinesisShardHour, 1, CostKind.Fixed);

            // Each log event is at most one 25 KB PUT payload unit (an upper bound: records are often smaller).
            Add("Kinesis PUT payload units", usage.Invocations + usage.Spans, "payload units", prices.KinesisPutUnitsMillion, 1_000_000, CostKind.Variable);
        }

        return new ObserverBill(usage, footprint, prices, lines);
    }
}
