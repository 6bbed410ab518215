namespace GenAiObs.Core.Aggregation;

/// <summary>What one maintenance run did.</summary>
/// <param name="WatermarkBefore">The watermark the run started from (null: first run).</param>
/// <param name="WatermarkAfter">The watermark after the run (this run's or a concurrent run's, whichever is later).</param>
/// <param name="HoursRolledUp">Hourly buckets recomputed.</param>
/// <param name="DaysRolledUp">Daily buckets recomputed.</param>
/// <param name="ItemsChanged">Rollup items written because their content changed (0 on a rerun).</param>
/// <param name="BaselineDays">Days whose baselines were (re)computed.</param>
/// <param name="CaughtUp">False when the per-run bound stopped the backfill short of the recent hours.</param>
public sealed record MaintenanceResult(
    DateTimeOffset? WatermarkBefore,
    DateTimeOffset? WatermarkAfter,
    int HoursRolledUp,
    int DaysRolledUp,
    int ItemsChanged,
    int BaselineDays,
    bool CaughtUp)
{
    /// <summary>
    /// The hours still marked after the run — written since their last rollup (the open hour, late
    /// hours beyond the per-run bound, hours a write marked again during the run): their hourly and
    /// daily rollups are not current (<see cref="Alerts.Rules.AggregateStoreReader"/> reads them from the finer items).
    /// </summary>
    public IReadOnlyList<DateTimeOffset> MarkedHours { get; init; } = [];
}
