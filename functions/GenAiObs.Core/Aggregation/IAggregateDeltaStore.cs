namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Where deferred-mode deliveries leave their deltas until the evaluator rolls them up
/// (<see cref="DeferredAggregation"/>). A delta is keyed by its window and its batch id.
/// </summary>
public interface IAggregateDeltaStore
{
    /// <summary>
    /// Stores a batch as one delta of <paramref name="window"/>, unless that window already holds
    /// a delta with the same batch id (a redelivery): true when written, false when it was there.
    /// </summary>
    Task<bool> PutDeltaAsync(DateTimeOffset window, AggregateBatch batch, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="window"/> holds a delta with this batch id.</summary>
    Task<bool> HasDeltaAsync(DateTimeOffset window, string batchId, CancellationToken cancellationToken = default);

    /// <summary>Every delta of one window, decoded, in batch-id order.</summary>
    Task<IReadOnlyList<AggregateBatch>> GetDeltasAsync(DateTimeOffset window, CancellationToken cancellationToken = default);

    /// <summary>The start of the last window rolled up, or null before the first roll-up.</summary>
    Task<DateTimeOffset?> GetRollupWatermarkAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves the roll-up watermark forward to <paramref name="window"/> (never backwards); true when it moved.</summary>
    Task<bool> AdvanceRollupWatermarkAsync(DateTimeOffset window, CancellationToken cancellationToken = default);
}
