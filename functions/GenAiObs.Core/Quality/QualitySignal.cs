using GenAiObs.Core.Processing;

namespace GenAiObs.Core.Quality;

/// <summary>
/// One feedback event or evaluation result after the join, as <see cref="QualityAggregation"/>
/// counted it: the feature and variant it was attributed to and what it contributes to the
/// quality figures. The EMF quality documents are built from these, so CloudWatch and the store
/// count the same signals under the same attribution. Never a comment, prompt or explanation.
/// </summary>
public sealed record QualitySignal
{
    public required QualitySignalKind Kind { get; init; }

    /// <summary>The feedback's or evaluation's own time.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The feature it counts under: the event's own, else the joined request's (null: none).</summary>
    public string? Feature { get; init; }

    /// <summary>The A/B arm it counts under, by the same rule.</summary>
    public string? Variant { get; init; }

    /// <summary>
    /// Feedback: joined to its request's index entry within the window. Evaluation: attributed to a
    /// feature or variant (its span's tags, else its trace's entry).
    /// </summary>
    public bool Joined { get; init; }

    /// <summary>Feedback only: thumbs up or 4–5 stars.</summary>
    public bool Satisfied { get; init; }

    /// <summary>Feedback only: the cost of the rated request (micro-dollars) when joined, else 0.</summary>
    public long JoinedCostMicros { get; init; }

    /// <summary>Evaluation only: <c>gen_ai.evaluation.name</c>.</summary>
    public string? EvaluationName { get; init; }

    /// <summary>Evaluation only: the score, when the result has one.</summary>
    public double? Score { get; init; }

    /// <summary>The delivery's origin (central ingestion), for the account and Region properties.</summary>
    public DeliveryOrigin? Origin { get; init; }
}
