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

    /// <summary>
    /// Billed duration of one evaluator run (roll-up, maintenance, rule reads, a few SNS calls): an
    /// assumption, not a measurement. Its time is mostly DynamoDB round trips (one Query per pending
    /// window, per rule range and per rolled-up hour, the roll-up's writes), which neither a loopback
    /// store nor dynalite reproduces, so a run timed here would not tell what Lambda bills.
    /// </summary>
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
    /// Processor CPU per record, on one full core: the published <c>bootstrap</c> (ReadyToRun, the
    /// template's build) took a warm median of 76.4 ms per delivery of 384.6 records (40,000 records
    /// in 104 subscription events) through a loopback Runtime API and a loopback DynamoDB, with
    /// direct writes: 156.8 UpdateItems and 191 KB of EMF per delivery (tests/GenAiObs.Benchmarks/RESULTS.md,
    /// "Quiet-machine measurement after the issue #13 work", the bootstrap table; docs/performance.md;
    /// produced by tests/perf/end-to-end.sh).
    /// (76.4 ms − the 1 ms per delivery below) ÷ 384.6 = 196 µs per record, decoding, parsing,
    /// pricing, EMF, aggregation and the SDK's CPU for its 0.41 UpdateItem per record included: every
    /// delivery measured had the same shape, so per-record, per-delivery and per-request CPU cannot be
    /// told apart, and the rest is charged per record. The corpus' records are large (30 % carry 17–42 KB prompts, ~13 KB a record
    /// decompressed): for small records this is an upper bound.
    /// </summary>
    public double ProcessorMicrosecondsPerRecord { get; init; } = 196;

    /// <summary>
    /// Processor CPU per delivery besides its records (Runtime API round trip, the diagnostic line),
    /// on one full core: assumed, since the measurement above charges it per record and no warm
    /// delivery of a different size was measured (a cold hello-world function's first response
    /// comes 7 ms after its init, RESULTS.md section 5, JIT included).
    /// </summary>
    public double ProcessorMillisecondsPerDelivery { get; init; } = 1;

    /// <summary>
    /// Write requests a processor sends at once (DynamoDbAggregateStore's default parallelism): direct
    /// writes send one UpdateItem per item, in rounds of this many; deferred writes one PutItem.
    /// </summary>
    public int UpdateItemsPerRound { get; init; } = 8;

    /// <summary>
    /// Wall time of one round of write requests against DynamoDB (single-digit milliseconds per
    /// request, in parallel): assumed, since the measurement ran against a loopback DynamoDB whose
    /// latency is near zero; the CPU the SDK spends on the requests is in the per-record figure.
    /// </summary>
    public double MillisecondsPerUpdateRound { get; init; } = 8;

    /// <summary>
    /// The share of a vCPU a function gets: Lambda allocates CPU in proportion to memory, one vCPU at
    /// 1,769 MB (AWS Lambda Developer Guide, "Configure Lambda function memory"), so 0.145 at 256 MB
    /// and CPU-bound work takes 6.9 times as long as on the full core it was measured on (assuming a
    /// Graviton core as fast as that core).
    /// </summary>
    public double CpuShare => Math.Min(1, FunctionMemoryMb / 1769.0);

    /// <summary>
    /// The duration of one processor invocation: its CPU (per delivery and per record, stretched by
    /// <see cref="CpuShare"/>) and its rounds of write requests. Lambda bills it rounded up to the millisecond.
    /// </summary>
    /// <param name="records">Records in the delivery.</param>
    /// <param name="writeRequests">Aggregate write requests it sends (UpdateItems, or its one delta PutItem).</param>
    public double ProcessorMillisecondsFor(int records, int writeRequests)
    {
        var rounds = (writeRequests + UpdateItemsPerRound - 1) / UpdateItemsPerRound;
        var cpuMilliseconds = ProcessorMillisecondsPerDelivery + (records * ProcessorMicrosecondsPerRecord / 1000);
        return (cpuMilliseconds / CpuShare) + (rounds * MillisecondsPerUpdateRound);
    }

    /// <summary>
    /// Log bytes per function invocation besides EMF: Lambda's START/END/REPORT platform lines in
    /// the Text log format (71 + 52 + about 139 bytes; a cold start's REPORT adds Init Duration) and
    /// the one diagnostic JSON line per delivery (about 316 bytes for "Batch processed." with its
    /// counts; a WARN line adds its reject reasons): about 0.6 KB measured, 0.7 KB assumed for margin.
    /// </summary>
    public int OtherLogBytesPerInvocation { get; init; } = 700;
}
