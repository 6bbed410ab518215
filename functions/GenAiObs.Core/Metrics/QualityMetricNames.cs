namespace GenAiObs.Core.Metrics;

/// <summary>
/// The members of the quality documents (<see cref="QualityMetricsBuilder"/>): properties only,
/// no custom metric. Feature, variant and evaluation name are never dimensions, and the
/// <see cref="SignalProperty"/> marks a line as a quality document for the dashboard queries, so
/// quality costs log bytes only, whatever the number of features, arms or evaluators.
/// </summary>
public static class QualityMetricNames
{
    /// <summary>Feedback events (numeric property).</summary>
    public const string Ratings = "Ratings";

    /// <summary>Of which satisfied: thumbs up or 4–5 stars (numeric property).</summary>
    public const string Satisfied = "Satisfied";

    /// <summary>Feedback joined to its request within the join window (numeric property).</summary>
    public const string JoinedRatings = "JoinedRatings";

    /// <summary>Of which satisfied (numeric property).</summary>
    public const string JoinedSatisfied = "JoinedSatisfied";

    /// <summary>Cost of the requests the joined feedback rates, USD (numeric property).</summary>
    public const string JoinedCostUsd = "JoinedCostUsd";

    /// <summary>Feedback whose request was not found within the window (numeric property).</summary>
    public const string UnjoinedRatings = "UnjoinedRatings";

    /// <summary>Evaluation results (numeric property).</summary>
    public const string Evaluations = "Evaluations";

    /// <summary>Of which with a score (numeric property).</summary>
    public const string ScoredEvaluations = "ScoredEvaluations";

    /// <summary>Sum of those scores (numeric property): mean score = ScoreSum ÷ ScoredEvaluations.</summary>
    public const string ScoreSum = "ScoreSum";

    /// <summary>Evaluation results no feature or variant could be attributed to (numeric property).</summary>
    public const string UnattributedEvaluations = "UnattributedEvaluations";

    /// <summary>
    /// <c>feedback</c> or <c>evaluation</c>: a string property every quality document carries (so it
    /// never shares a document with the <c>[Service]</c> totals, even when nothing else is known),
    /// and the marker the dashboard queries select quality documents by (<c>ispresent(Signal)</c>).
    /// </summary>
    public const string SignalProperty = "Signal";

    /// <summary>The <see cref="SignalProperty"/> of feedback documents.</summary>
    public const string FeedbackSignal = "feedback";

    /// <summary>The <see cref="SignalProperty"/> of evaluation documents.</summary>
    public const string EvaluationSignal = "evaluation";

    /// <summary>The evaluation's name (<c>gen_ai.evaluation.name</c>): a string property of evaluation documents.</summary>
    public const string EvaluationProperty = "Evaluation";

    /// <summary>The string properties of a quality document (absent when unknown).</summary>
    public static IReadOnlyList<string> Properties { get; } =
        [SignalProperty, MetricDimensions.Feature, MetricDimensions.Variant, EvaluationProperty, MetricDimensions.Account, MetricDimensions.Region];

    /// <summary>
    /// The numeric properties of a quality document, summed over its signals: a feedback document
    /// carries the first six (zeros included), an evaluation document the last four.
    /// </summary>
    public static IReadOnlyList<string> Values { get; } =
        [Ratings, Satisfied, JoinedRatings, JoinedSatisfied, JoinedCostUsd, UnjoinedRatings, Evaluations, ScoredEvaluations, ScoreSum, UnattributedEvaluations];
}
