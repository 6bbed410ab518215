using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Quality;

namespace GenAiObs.Core.Metrics;

/// <summary>
/// Turns a delivery's joined quality signals (<see cref="QualityDeltas.Signals"/>) into EMF
/// <em>quality documents</em>, built like the invocation attribution documents: one per (minute, signal kind,
/// feature, variant, evaluation name, account, Region) of the batch, whose signal kind
/// (<see cref="QualityMetricNames.SignalProperty"/>, the marker the dashboard queries filter on),
/// feature, variant, evaluation name and origin are string properties. They define no custom
/// metric, so they are plain JSON log lines (no EMF <c>_aws</c> block). The numeric properties are summed
/// per document so that a Logs Insights query gives, per feature and arm, the figures of
/// <see cref="QualityFigures"/> with the same definitions:
/// <list type="bullet">
/// <item>satisfaction rate = sum(Satisfied) ÷ sum(Ratings) (all feedback, joined or not);</item>
/// <item>mean evaluation score = sum(ScoreSum) ÷ sum(ScoredEvaluations) (every scored result, all evaluators);</item>
/// <item>cost per satisfied request = sum(JoinedCostUsd) ÷ sum(JoinedSatisfied) (the joined feedback's requests).</item>
/// </list>
/// Pure; a comment, prompt, response or explanation cannot reach it (signals carry none).
/// </summary>
public static class QualityMetricsBuilder
{
    /// <summary>Adds the quality documents of <paramref name="signals"/> to <paramref name="batch"/> and returns it.</summary>
    /// <param name="batch">The function's metric batch.</param>
    /// <param name="signals">The delivery's signals as the join counted them.</param>
    /// <param name="serviceName">The <c>Service</c> dimension: the pipeline's own (<c>POWERTOOLS_SERVICE_NAME</c>).</param>
    public static MetricBatch AddTo(MetricBatch batch, IReadOnlyList<QualitySignal> signals, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(signals);
        if (signals.Count == 0)
        {
            return batch;
        }

        var total = batch.Dimensions(MetricDimensions.Service, serviceName);
        foreach (var signal in signals)
        {
            var time = signal.Timestamp.ToUnixTimeMilliseconds();
            var document = batch.WithProperties(
                total,
                [
                    (QualityMetricNames.SignalProperty, signal.Kind == QualitySignalKind.Feedback ? QualityMetricNames.FeedbackSignal : QualityMetricNames.EvaluationSignal),
                    (MetricDimensions.Feature, signal.Feature),
                    (MetricDimensions.Variant, signal.Variant),
                    (QualityMetricNames.EvaluationProperty, signal.Kind == QualitySignalKind.Evaluation ? signal.EvaluationName : null),
                    (MetricDimensions.Account, signal.Origin?.AccountId),
                    (MetricDimensions.Region, signal.Origin?.Region),
                ]);
            if (signal.Kind == QualitySignalKind.Feedback)
            {
                var satisfied = signal.Satisfied ? 1 : 0;
                batch.AddProperty(document, QualityMetricNames.Ratings, 1, time);
                batch.AddProperty(document, QualityMetricNames.Satisfied, satisfied, time);
                batch.AddProperty(document, QualityMetricNames.JoinedRatings, signal.Joined ? 1 : 0, time);
                batch.AddProperty(document, QualityMetricNames.JoinedSatisfied, signal.Joined ? satisfied : 0, time);
                batch.AddProperty(document, QualityMetricNames.JoinedCostUsd, signal.Joined ? (double)AggregateCounters.FromMicros(signal.JoinedCostMicros) : 0, time);
                batch.AddProperty(document, QualityMetricNames.UnjoinedRatings, signal.Joined ? 0 : 1, time);
            }
            else
            {
                var scored = signal.Score is { } score && double.IsFinite(score);
                batch.AddProperty(document, QualityMetricNames.Evaluations, 1, time);
                batch.AddProperty(document, QualityMetricNames.ScoredEvaluations, scored ? 1 : 0, time);
                batch.AddProperty(document, QualityMetricNames.ScoreSum, scored ? signal.Score!.Value : 0, time);
                batch.AddProperty(document, QualityMetricNames.UnattributedEvaluations, signal.Joined ? 0 : 1, time);
            }
        }

        return batch;
    }
}
