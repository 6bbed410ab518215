namespace GenAiObs.Core.Aggregation;

/// <summary>How the processors write a delivery's aggregates (<c>GENAIOBS_AGGREGATE_WRITES</c>).</summary>
public enum AggregateWriteMode
{
    /// <summary>Each delivery updates its fine items itself: one conditional UpdateItem per (bucket, key).</summary>
    Direct,

    /// <summary>
    /// Each delivery writes one compact delta item; the evaluator merges the deltas of a closed
    /// window and applies them to the fine items once (<see cref="DeferredAggregation"/>).
    /// </summary>
    Deferred,
}
