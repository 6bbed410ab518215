namespace GenAiObs.Core.Costing;

/// <summary>
/// What template.yaml deploys that costs the same whatever the traffic, and the assumptions about
/// the functions that the replay cannot measure. A test compares the counts with template.yaml, so
/// a new dashboard, alarm or rule shows up in <c>cost-estimate</c>.
/// </summary>
public sealed record ObserverFootprint
{
    public static ObserverFootprint Default { get; } = new();

    /// <summary><c>AWS::CloudWatch::Dashboard</c> resources.</summary>
    public int Dashboards { get; init; } = 1;

    /// <summary>Metrics read by <c>AWS::CloudWatch::Alarm</c> resources (each billed as one alarm metric).</summary>
    public int AlarmMetrics { get; init; } = 16;

    /// <summary><c>AWS::CloudWatch::InsightRule</c> resources.</summary>
    public int InsightRules { get; init; } = 3;

    /// <summary>The evaluator's schedule: one run every 5 minutes.</summary>
    public int EvaluatorRunsPerMonth { get; init; } = 730 * 12;

    /// <summary>Assumed billed duration of one evaluator run (rule reads, rollups, a few SNS calls).</summary>
    public double EvaluatorSecondsPerRun { get; init; } = 1.0;

    /// <summary>
    /// Assumed DynamoDB read units per evaluator run: queries of the windows the rules read, and the
    /// daily baselines' reads of weeks of hourly and daily items. The maintenance's roll-ups are not
    /// in it: <see cref="MonthSimulator"/> measures them (<see cref="MonthUsage.MaintenanceReadUnits"/>).
    /// </summary>
    public int EvaluatorReadUnitsPerRun { get; init; } = 200;

    /// <summary>Memory of every function (template Globals.Function.MemorySize), in MB.</summary>
    public int FunctionMemoryMb { get; init; } = 256;

    /// <summary>Retention of the functions' log groups (template parameter LogRetentionDays default).</summary>
    public int LogRetentionDays { get; init; } = 7;

    /// <summary>
    /// Processor CPU per record after decoding, and per-delivery overhead (measured in tests/GenAiObs.Benchmarks/RESULTS.md:
    /// full path 14 µs per record; 1 ms runtime overhead per delivery; UpdateItems sent in rounds of 8 at ~8 ms a round).
    /// </summary>
    public double ProcessorMicrosecondsPerRecord { get; init; } = 14;

    public double ProcessorMillisecondsPerDelivery { get; init; } = 1;

    public int UpdateItemsPerRound { get; init; } = 8;

    public double MillisecondsPerUpdateRound { get; init; } = 8;

    /// <summary>
    /// Log bytes per function invocation besides EMF: Lambda's START/END/REPORT platform lines in
    /// the Text log format (71 + 52 + about 139 bytes; a cold start's REPORT adds Init Duration) and
    /// the one diagnostic JSON line per delivery (about 316 bytes for "Batch processed." with its
    /// counts; a WARN line adds its reject reasons): about 0.6 KB measured, 0.7 KB assumed for margin.
    /// </summary>
    public int OtherLogBytesPerInvocation { get; init; } = 700;
}
