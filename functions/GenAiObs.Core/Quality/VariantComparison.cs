using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Quality;

/// <summary>
/// Compares the A/B arms of each feature pairwise from summed aggregates (the <c>variant#</c> keys):
/// satisfaction with a two-proportion z test, mean evaluation score and cost per request with
/// Welch's t test from the stored count, sum and sum of squares, and latency with a Mann–Whitney U
/// test over the stored latency histograms (p95 is the figure shown; the test compares the whole
/// distributions, each observation at its bin's value, ties by bin). Arms are ordered by name; the
/// first of a pair is A, the reference the verdict's percentages are relative to. The folded
/// <c>other</c> arm is never compared. A metric is compared only when both arms have data for it
/// (two observations each for the t tests, one for the others).
/// </summary>
public static class VariantComparison
{
    /// <summary>
    /// Largest number of latency observations per arm given to the Mann–Whitney test; an arm with
    /// more is thinned to this many by scaling its bin counts (rounded, every non-empty bin kept),
    /// which keeps the test's memory bounded at a slight loss of power.
    /// </summary>
    public const int MaxLatencyObservations = 50_000;

    /// <summary>Every pair of arms of every feature in <paramref name="sums"/>, by feature then arm names.</summary>
    public static IReadOnlyList<ArmComparison> Compare(IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        var byFeature = new SortedDictionary<string, SortedDictionary<string, AggregateCounters>>(StringComparer.Ordinal);
        foreach (var (key, counters) in sums)
        {
            if (!key.StartsWith(AggregateKeys.VariantPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var (feature, arm) = AggregateKeys.SplitVariant(key[AggregateKeys.VariantPrefix.Length..]);
            if (arm.Length == 0)
            {
                continue;
            }

            if (!byFeature.TryGetValue(feature, out var arms))
            {
                arms = new SortedDictionary<string, AggregateCounters>(StringComparer.Ordinal);
                byFeature[feature] = arms;
            }

            arms[arm] = counters;
        }

        var comparisons = new List<ArmComparison>();
        foreach (var (feature, arms) in byFeature)
        {
            var names = arms.Keys.ToList();
            for (var i = 0; i < names.Count; i++)
            {
                for (var j = i + 1; j < names.Count; j++)
                {
                    comparisons.Add(Compare(feature, names[i], arms[names[i]], names[j], arms[names[j]]));
                }
            }
        }

        return comparisons;
    }

    /// <summary>One pair: arm <paramref name="armA"/> (the reference) against <paramref name="armB"/>.</summary>
    public static ArmComparison Compare(string feature, string armA, AggregateCounters a, string armB, AggregateCounters b)
    {
        var metrics = new List<ComparedMetric>();

        // The verdict reads its clauses in this order: cost, satisfaction, evaluation score, latency.
        var costA = CostPerRequest(a);
        var costB = CostPerRequest(b);
        if (costA.Count >= 2 && costB.Count >= 2)
        {
            var test = WelchTTest.Compute(costA, costB);
            metrics.Add(new ComparedMetric(ComparedMetric.CostPerRequest, costA.Mean, costB.Mean, test.PValue, ComparedMetric.Welch, costA.Count, costB.Count));
        }

        var qa = QualityFigures.From(a);
        var qb = QualityFigures.From(b);
        if (qa.Feedback > 0 && qb.Feedback > 0)
        {
            var test = TwoProportionTest.Compute(qa.Satisfied, qa.Feedback, qb.Satisfied, qb.Feedback);
            metrics.Add(new ComparedMetric(ComparedMetric.Satisfaction, qa.SatisfactionRate!.Value, qb.SatisfactionRate!.Value, test.PValue, ComparedMetric.TwoProportion, qa.Feedback, qb.Feedback));
        }

        if (qa.Scores.Count >= 2 && qb.Scores.Count >= 2)
        {
            var test = WelchTTest.Compute(qa.Scores, qb.Scores);
            metrics.Add(new ComparedMetric(ComparedMetric.EvaluationScore, qa.Scores.Mean, qb.Scores.Mean, test.PValue, ComparedMetric.Welch, qa.Scores.Count, qb.Scores.Count));
        }

        var latencyA = a.Histogram(HistogramFamily.Latency);
        var latencyB = b.Histogram(HistogramFamily.Latency);
        if (latencyA.Count > 0 && latencyB.Count > 0)
        {
            var test = MannWhitneyTest.Compute(Observations(latencyA), Observations(latencyB));
            metrics.Add(new ComparedMetric(ComparedMetric.LatencyP95, latencyA.Quantile(0.95)!.Value, latencyB.Quantile(0.95)!.Value, test.PValue, ComparedMetric.MannWhitney, latencyA.Count, latencyB.Count));
        }

        var verdict = metrics.Count == 0 ? "not enough data to compare" : ComparisonVerdict.Describe(armB, metrics.Select(m => m.ForVerdict()).ToList());
        return new ArmComparison(feature, armA, armB, a[CounterNames.Requests], b[CounterNames.Requests], metrics, verdict);
    }

    /// <summary>Count, mean and variance of the cost per tagged request (USD) from costMicros and costSqNanos.</summary>
    public static SampleSummary CostPerRequest(AggregateCounters c) =>
        c[CounterNames.CostSquareNanos] == 0 && c[CounterNames.CostMicros] != 0
            ? new SampleSummary(0, 0, 0) // no per-request squares stored: untagged requests cannot be tested
            : SampleSummary.FromSums(c[CounterNames.Requests], c[CounterNames.CostMicros] / 1e6, c[CounterNames.CostSquareNanos] / 1e9);

    /// <summary>A histogram as observations at their bins' values (thinned to <see cref="MaxLatencyObservations"/>).</summary>
    private static double[] Observations(LogHistogram histogram)
    {
        var scale = histogram.Count > MaxLatencyObservations ? (double)MaxLatencyObservations / histogram.Count : 1.0;
        var values = new List<double>((int)Math.Min(histogram.Count, MaxLatencyObservations) + histogram.Bins.Count);
        foreach (var (bin, count) in histogram.Bins)
        {
            var n = Math.Max(1, (long)Math.Round(count * scale, MidpointRounding.ToEven));
            var value = LogHistogram.ValueOf(bin);
            for (var k = 0; k < n; k++)
            {
                values.Add(value);
            }
        }

        return [.. values];
    }
}
