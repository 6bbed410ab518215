using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Quality;

/// <summary>The quality figures of one aggregate key's counters (a feature, an arm, or the total).</summary>
/// <param name="Feedback">Feedback events.</param>
/// <param name="Satisfied">Of which satisfied (thumbs up, 4–5 stars).</param>
/// <param name="FeedbackJoined">Feedback joined to its request's cost.</param>
/// <param name="FeedbackJoinedSatisfied">Of which satisfied.</param>
/// <param name="FeedbackJoinedCostUsd">The cost of the requests the joined feedback rates.</param>
/// <param name="FeedbackUnjoined">Feedback whose request was not found within the join window.</param>
/// <param name="Evaluations">Evaluation results.</param>
/// <param name="Scores">Count, mean and sample variance of the evaluation scores.</param>
public sealed record QualityFigures(long Feedback, long Satisfied, long FeedbackJoined, long FeedbackJoinedSatisfied, decimal FeedbackJoinedCostUsd, long FeedbackUnjoined, long Evaluations, SampleSummary Scores)
{
    /// <summary>Satisfied ÷ feedback; null without feedback.</summary>
    public double? SatisfactionRate => Feedback == 0 ? null : (double)Satisfied / Feedback;

    /// <summary>Mean evaluation score; null without scored results.</summary>
    public double? MeanScore => Scores.Count == 0 ? null : Scores.Mean;

    /// <summary>Cost of the rated requests ÷ the satisfied among them; null when none of them was satisfied.</summary>
    public decimal? CostPerSatisfiedRequestUsd => FeedbackJoinedSatisfied == 0 ? null : Math.Round(FeedbackJoinedCostUsd / FeedbackJoinedSatisfied, 6, MidpointRounding.ToEven);

    public bool IsEmpty => Feedback == 0 && Evaluations == 0;

    public static QualityFigures From(AggregateCounters c) => new(
        c[CounterNames.Feedback],
        c[CounterNames.FeedbackSatisfied],
        c[CounterNames.FeedbackJoined],
        c[CounterNames.FeedbackJoinedSatisfied],
        AggregateCounters.FromMicros(c[CounterNames.FeedbackJoinedCostMicros]),
        c[CounterNames.FeedbackUnjoined],
        c[CounterNames.Evaluations],
        SampleSummary.FromSums(c[CounterNames.EvaluationsScored], c[CounterNames.EvaluationScoreMicros] / 1e6, c[CounterNames.EvaluationScoreSquareMicros] / 1e6));
}
