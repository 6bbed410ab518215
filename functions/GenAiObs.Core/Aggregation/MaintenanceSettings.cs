using GenAiObs.Core.Cardinality;

namespace GenAiObs.Core.Aggregation;

/// <summary>How <see cref="AggregateMaintenance.MaintainAsync"/> catches up.</summary>
public sealed record MaintenanceSettings
{
    /// <summary>The watermark item's name (DynamoDB: pk <c>M#maintenance</c>, sk this name).</summary>
    public string WatermarkName { get; init; } = "rollups";

    /// <summary>
    /// At most this many hours behind the recent ones are rolled up per run (≈13 Queries each on
    /// DynamoDB), so a run after a long outage stays short; the next run continues from the watermark.
    /// </summary>
    public int MaxHoursPerRun { get; init; } = 24;

    /// <summary>How many values of each capped dimension keep their own key in a rollup (the rest are folded into <c>other</c>).</summary>
    public CardinalityLimits Limits { get; init; } = CardinalityLimits.Default;

    public static MaintenanceSettings Default { get; } = new();
}
