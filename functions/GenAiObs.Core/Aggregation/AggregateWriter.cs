namespace GenAiObs.Core.Aggregation;

/// <summary>
/// How a processor writes a delivery's aggregates, in the configured <see cref="AggregateWriteMode"/>.
/// Direct: <see cref="IAggregateStore.ApplyBatchAsync"/>. Deferred: one delta item in the batch's
/// window (<see cref="DeferredAggregation"/>), or — when the window no longer accepts deltas (a
/// late delivery or a late redelivery) — the direct write, unless that window already holds this
/// batch's delta (a redelivery of a delivery whose delta the roll-up counts).
/// </summary>
public sealed class AggregateWriter
{
    private readonly IAggregateStore _store;
    private readonly IAggregateDeltaStore? _deltas;

    /// <param name="store">The fine items.</param>
    /// <param name="deltas">The delta items; null writes directly.</param>
    public AggregateWriter(IAggregateStore store, IAggregateDeltaStore? deltas)
    {
        _store = store;
        _deltas = deltas;
    }

    public AggregateWriteMode Mode => _deltas is null ? AggregateWriteMode.Direct : AggregateWriteMode.Deferred;

    /// <summary>
    /// Writes the batch; the result counts items as <see cref="IAggregateStore.ApplyBatchAsync"/>
    /// does (a delta is one item), so "nothing applied, something already applied" still means a
    /// redelivery of a delivery that was written in full.
    /// </summary>
    /// <param name="batch">The delivery's deltas.</param>
    /// <param name="startedAt">When the invocation started (decides whether the window still accepts deltas).</param>
    /// <param name="cancellationToken">The invocation's token.</param>
    public async Task<ApplyResult> WriteAsync(AggregateBatch batch, DateTimeOffset startedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_deltas is null || batch.Deltas.Count == 0)
        {
            return await _store.ApplyBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        var window = DeferredAggregation.WindowOf(batch);
        if (DeferredAggregation.AcceptsDeltas(window, startedAt))
        {
            return await _deltas.PutDeltaAsync(window, batch, cancellationToken).ConfigureAwait(false)
                ? new ApplyResult(1, 0, 1)
                : new ApplyResult(0, 1, 1);
        }

        return await _deltas.HasDeltaAsync(window, batch.BatchId, cancellationToken).ConfigureAwait(false)
            ? new ApplyResult(0, 1, 1)
            : await _store.ApplyBatchAsync(batch, cancellationToken).ConfigureAwait(false);
    }
}
