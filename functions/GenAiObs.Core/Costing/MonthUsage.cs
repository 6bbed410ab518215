namespace GenAiObs.Core.Costing;

/// <summary>
/// What the observer does in a month, measured by running the real processors' builders over the
/// simulated traffic (counts scaled from the simulated hours to 730 hours).
/// </summary>
public sealed record MonthUsage
{
    public required CostScenario Scenario { get; init; }

    public double Invocations { get; init; }

    public double Spans { get; init; }

    /// <summary>Lambda invocations of the two processors (one per delivery).</summary>
    public double Deliveries { get; init; }

    /// <summary>Records per invocation-log delivery.</summary>
    public double RecordsPerDelivery { get; init; }

    public double EmfDocuments { get; init; }

    public double EmfBytes { get; init; }

    /// <summary>Custom-metric hours (a metric is billed for each hour it receives data) / 730.</summary>
    public double BilledMetricMonths { get; init; }

    /// <summary>Distinct custom metrics (namespace × name × dimension values) written during the simulated hours.</summary>
    public int DistinctCustomMetrics { get; init; }

    /// <summary>Distinct values of each attribution property seen (principals, models, teams …), for context.</summary>
    public IReadOnlyDictionary<string, int> DistinctPropertyValues { get; init; } = new Dictionary<string, int>();

    /// <summary>Log events each Contributor Insights rule matches.</summary>
    public double PrincipalRuleMatches { get; init; }

    public double ErrorRuleMatches { get; init; }

    /// <summary>Aggregate UpdateItems (direct: the processors' items; deferred: the roll-up's session and trace items) and join-index writes.</summary>
    public double UpdateItems { get; init; }

    public double WriteUnits { get; init; }

    /// <summary>Deferred writes: one delta PutItem per delivery (write units: its encoded size, usually 1).</summary>
    public double DeltaWriteUnits { get; init; }

    /// <summary>Deferred writes: encoded delta bytes per delivery, on average.</summary>
    public double DeltaBytesPerDelivery { get; init; }

    /// <summary>Deferred writes: the evaluator's roll-up — one packed item per fine bucket the window touches, its session and trace items, hour marks and the watermark, per 5-minute window (write units).</summary>
    public double RollupWriteUnits { get; init; }

    /// <summary>Deferred writes: the roll-up's strongly consistent Query of each window's deltas (read units, 4 KB each).</summary>
    public double RollupReadUnits { get; init; }

    /// <summary>The evaluator's maintenance runs (every 5 minutes) in the month.</summary>
    public double MaintenanceRuns { get; init; }

    /// <summary>
    /// The evaluator's aggregate maintenance, measured by running it (<see cref="MaintenanceSimulation"/>):
    /// read units of the roll-ups' strongly consistent Queries of their source and target partitions,
    /// the hour marks and the watermark.
    /// </summary>
    public double MaintenanceReadUnits { get; init; }

    /// <summary>
    /// Write units of the maintenance: hourly and daily roll-up items put or deleted, marks cleared, the
    /// watermark; with direct writes also the hour mark each delivery writes.
    /// </summary>
    public double MaintenanceWriteUnits { get; init; }

    /// <summary>Hourly and daily roll-up items put or deleted in the month.</summary>
    public double MaintenanceItemWrites { get; init; }

    /// <summary>Feedback events delivered (only with <see cref="CostScenario.RequestIndex"/>: feedback is subscribed).</summary>
    public double Feedback { get; init; }

    /// <summary>Quality join lookups: one strongly consistent read unit per key a feedback or evaluation delivery asks for.</summary>
    public double JoinReadUnits { get; init; }

    /// <summary>
    /// Deferred writes: the evaluator's rules read each window's deltas before its roll-up
    /// (PendingDeltaAggregateReader): two runs query it, the first while it has just begun (read units).
    /// </summary>
    public double PendingReadUnits { get; init; }

    /// <summary>Average bytes of the DynamoDB items alive at once (5-minute items live 3 days).</summary>
    public double StoredBytes { get; init; }

    public double ProcessorGbSeconds { get; init; }

    /// <summary>What the observed invocations cost on Bedrock (the price table's cost, scaled to the month).</summary>
    public decimal BedrockSpendUsd { get; init; }
}
