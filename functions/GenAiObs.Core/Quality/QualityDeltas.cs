using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Quality;

/// <summary>A delivery's quality deltas and what became of its signals (for the function's log line).</summary>
/// <param name="Deltas">The deltas (one per bucket and key), to apply with the delivery's own aggregates.</param>
/// <param name="FeedbackJoined">Feedback events joined to their request within the window.</param>
/// <param name="FeedbackUnjoined">Feedback events whose request was not found within the window.</param>
/// <param name="EvaluationsUnjoined">Evaluation results that no feature or variant could be attributed to.</param>
/// <param name="EvaluationsInvalid">Evaluation events on spans dropped as invalid.</param>
public sealed record QualityDeltas(IReadOnlyList<AggregateDelta> Deltas, long FeedbackJoined, long FeedbackUnjoined, long EvaluationsUnjoined, long EvaluationsInvalid)
{
    public static QualityDeltas Empty { get; } = new([], 0, 0, 0, 0);

    /// <summary>Every feedback event and evaluation result of the delivery as it was counted (the EMF quality documents' input).</summary>
    public IReadOnlyList<QualitySignal> Signals { get; init; } = [];

    /// <summary>
    /// <paramref name="batch"/> with these deltas added: a (bucket, key) both hold is summed into one
    /// delta, since the store applies one update per (bucket, key) and batch.
    /// </summary>
    public AggregateBatch AddTo(AggregateBatch batch) =>
        Deltas.Count == 0 ? batch : AggregateBatch.Sum(batch.BatchId, batch.Deltas.Concat(Deltas));
}
