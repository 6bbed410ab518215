using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Quality;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// QualityDrop (warning), per feature: today's satisfaction rate (satisfied ÷ rated feedback) or
/// mean evaluation score below the threshold (90%) of its 7-day baseline (the same figure over
/// the 7 previous full days). A signal is judged only with at least MinSamples (20) of its
/// observations today (feedback events, scored evaluations), a non-zero baseline, and after the
/// feature's warm-up. Top contributors: the feature's A/B arms by their share of today's
/// unsatisfied feedback (satisfaction) or of today's evaluations (score), each arm's figure in the
/// description.
/// </summary>
public sealed class QualityDropRule : IAlertRule
{
    private const int BaselineDays = 7;

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "QualityDrop",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.MinSamples,
        new() { Threshold = 90m, MinSamples = 20 },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of the 7-day baseline satisfaction rate or mean evaluation score");

    private static readonly Measure Unsatisfied = new("unsatisfied ratings", c => c[CounterNames.Feedback] - c[CounterNames.FeedbackSatisfied]);
    private static readonly Measure Scored = new("scored evaluations", c => c[CounterNames.EvaluationsScored]);

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        if (context.At == context.DayStart)
        {
            return [];
        }

        var today = await context.Data.SumByPrefixAsync(AggregateKeys.FeaturePrefix, context.DayStart, context.At, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, AggregateCounters>? before = null;
        var alerts = new List<FiringAlert>();
        foreach (var (key, counters) in today.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var now = QualityFigures.From(counters);
            var satisfactionJudged = now.Feedback >= parameters.MinSamples && now.Feedback > 0;
            var scoreJudged = now.Scores.Count >= parameters.MinSamples && now.Scores.Count > 0;
            if (!satisfactionJudged && !scoreJudged)
            {
                continue;
            }

            before ??= await context.Data.SumByPrefixAsync(AggregateKeys.FeaturePrefix, context.DayStart.AddDays(-BaselineDays), context.DayStart, cancellationToken).ConfigureAwait(false);
            if (!before.TryGetValue(key, out var history))
            {
                continue;
            }

            var baseline = QualityFigures.From(history);
            var satisfactionDrop = satisfactionJudged && baseline.SatisfactionRate is > 0 && now.SatisfactionRate!.Value * 100 < baseline.SatisfactionRate.Value * (double)parameters.Threshold;
            var scoreDrop = scoreJudged && baseline.MeanScore is > 0 && now.MeanScore!.Value * 100 < baseline.MeanScore.Value * (double)parameters.Threshold;
            if ((!satisfactionDrop && !scoreDrop) || !await context.IsWarmAsync(key, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var feature = AggregateKeys.ValueOf(key);
            var arms = await context.Data.SumByPrefixAsync(AggregateKeys.VariantPrefix + AggregateKeys.VariantValue(feature, string.Empty), context.DayStart, context.At, cancellationToken).ConfigureAwait(false);
            var byArm = arms.ToDictionary(pair => AggregateKeys.SplitVariant(AggregateKeys.ValueOf(pair.Key)).Variant is var arm ? AggregateKeys.VariantPrefix + arm : pair.Key, pair => pair.Value, StringComparer.Ordinal);
            var contributors = satisfactionDrop
                ? ContributorAnalysis.OfTotal(byArm, RuleLabels.Variant, Unsatisfied, Unsatisfied.Of(counters))
                : ContributorAnalysis.OfTotal(byArm, RuleLabels.Variant, Scored, Scored.Of(counters));

            var signals = new List<string>();
            if (satisfactionDrop)
            {
                signals.Add($"satisfaction {AlertText.Percent(now.SatisfactionRate!.Value)} (7-day baseline {AlertText.Percent(baseline.SatisfactionRate!.Value)}, {AlertText.Count(now.Feedback)} ratings today)");
            }

            if (scoreDrop)
            {
                signals.Add($"mean evaluation score {AlertText.Number((decimal)Math.Round(now.MeanScore!.Value, 3))} (7-day baseline {AlertText.Number((decimal)Math.Round(baseline.MeanScore!.Value, 3))}, {AlertText.Count(now.Scores.Count)} scored today)");
            }

            var perArm = byArm.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair =>
            {
                var q = QualityFigures.From(pair.Value);
                var rate = q.SatisfactionRate is { } r ? AlertText.Percent(r) : "n/a";
                var score = q.MeanScore is { } m ? AlertText.Number((decimal)Math.Round(m, 3)) : "n/a";
                return $"- arm {AggregateKeys.ValueOf(pair.Key)}: satisfaction {rate} of {AlertText.Count(q.Feedback)}, mean score {score} of {AlertText.Count(q.Scores.Count)}";
            });

            alerts.Add(new FiringAlert(
                Definition.Id,
                Definition.Severity,
                [new(RuleLabels.Feature, feature)],
                $"Quality of {feature} dropped today: {string.Join("; ", signals)}",
                AlertText.Lines(
                [
                    $"Since 00:00 UTC, {feature}: {string.Join("; ", signals)}; threshold {AlertText.Number(parameters.Threshold)}% of the {BaselineDays}-day baseline.",
                    .. perArm,
                    ContributorAnalysis.Describe(contributors),
                ]),
                contributors));
        }

        return alerts;
    }
}
