using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Statistics;
using GenAiObs.Tests.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Quality;

public sealed class VariantComparisonTests
{
    private static double NormalCdf(double z) =>
        0.5 + Quadrature.Simpson(x => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), 0, z, 200_000);

    /// <summary>An arm's counters as the store would sum them: feedback, evaluation scores and per-request costs.</summary>
    private static AggregateCounters Arm(int feedback, int satisfied, double[] scores, decimal[] costs)
    {
        var c = new AggregateCounters();
        c.Add(CounterNames.Feedback, feedback);
        c.Add(CounterNames.FeedbackSatisfied, satisfied);
        c.Add(CounterNames.Evaluations, scores.Length);
        c.Add(CounterNames.EvaluationsScored, scores.Length);
        c.Add(CounterNames.EvaluationScoreMicros, scores.Sum(s => (long)Math.Round(s * 1e6)));
        c.Add(CounterNames.EvaluationScoreSquareMicros, scores.Sum(s => (long)Math.Round(s * s * 1e6)));
        c.Add(CounterNames.Requests, costs.Length);
        c.Add(CounterNames.CostMicros, costs.Sum(AggregateCounters.ToMicros));
        c.Add(CounterNames.CostSquareNanos, costs.Sum(x => (long)(x * x * 1_000_000_000m)));
        return c;
    }

    private static (double Mean, double Variance) Sample(double[] values)
    {
        var mean = values.Average();
        return (mean, values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    [Fact]
    public void Compare_WhenArmBIsLessSatisfyingAndScoresLower_ShouldReportTheTestsAsComputedByHand()
    {
        double[] scoresA = [0.9, 0.8, 0.85, 0.95, 0.7, 0.9, 0.88, 0.92];
        double[] scoresB = [0.6, 0.7, 0.65, 0.5, 0.75, 0.55, 0.62, 0.7, 0.68];
        decimal[] costsA = [0.010m, 0.012m, 0.011m, 0.013m, 0.009m, 0.010m];
        decimal[] costsB = [0.006m, 0.007m, 0.005m, 0.006m, 0.008m, 0.006m, 0.007m];
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal)
        {
            ["variant#summarise|A"] = Arm(100, 80, scoresA, costsA),
            ["variant#summarise|B"] = Arm(100, 60, scoresB, costsB),
            ["variant#other"] = Arm(5, 5, [1, 1], [0.1m, 0.1m]),
        };

        var comparison = Assert.Single(VariantComparison.Compare(sums));

        Assert.Equal(("summarise", "A", "B"), (comparison.Feature, comparison.ArmA, comparison.ArmB));
        // Two-proportion z with the pooled rate 140/200.
        var satisfaction = Assert.Single(comparison.Metrics, m => m.Name == ComparedMetric.Satisfaction);
        var z = (0.6 - 0.8) / Math.Sqrt(0.7 * 0.3 * (1.0 / 100 + 1.0 / 100));
        Assert.Equal((0.8, 0.6), (satisfaction.ValueA, satisfaction.ValueB));
        Assert.Equal(2 * (1 - NormalCdf(Math.Abs(z))), satisfaction.PValue, 6);
        // Welch's t on the scores, p from integrating Student's t density.
        var score = Assert.Single(comparison.Metrics, m => m.Name == ComparedMetric.EvaluationScore);
        var (ma, va) = Sample(scoresA);
        var (mb, vb) = Sample(scoresB);
        var se2 = va / scoresA.Length + vb / scoresB.Length;
        var t = (mb - ma) / Math.Sqrt(se2);
        var df = se2 * se2 / (Math.Pow(va / scoresA.Length, 2) / (scoresA.Length - 1) + Math.Pow(vb / scoresB.Length, 2) / (scoresB.Length - 1));
        Assert.Equal(ma, score.ValueA, 6);
        Assert.Equal(mb, score.ValueB, 6);
        Assert.Equal(2 * Quadrature.StudentTCdf(-Math.Abs(t), df), score.PValue, 5);
        // Cost per request: Welch's t on the per-request costs.
        var cost = Assert.Single(comparison.Metrics, m => m.Name == ComparedMetric.CostPerRequest);
        var (ca, cva) = Sample([.. costsA.Select(x => (double)x)]);
        var (cb, cvb) = Sample([.. costsB.Select(x => (double)x)]);
        var cse2 = cva / costsA.Length + cvb / costsB.Length;
        var ct = (cb - ca) / Math.Sqrt(cse2);
        var cdf = cse2 * cse2 / (Math.Pow(cva / costsA.Length, 2) / (costsA.Length - 1) + Math.Pow(cvb / costsB.Length, 2) / (costsB.Length - 1));
        Assert.Equal(ca, cost.ValueA, 9);
        Assert.Equal(cb, cost.ValueB, 9);
        Assert.Equal(2 * Quadrature.StudentTCdf(-Math.Abs(ct), cdf), cost.PValue, 5);
        // The plain verdict: cost first, then satisfaction, then the evaluation score.
        Assert.StartsWith("B is " + ComparisonVerdict.FormatPercent((cb - ca) / ca * -100) + " % cheaper", comparison.Verdict, StringComparison.Ordinal);
        Assert.Contains("satisfaction 25 % lower, " + ComparisonVerdict.FormatP(satisfaction.PValue), comparison.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_WhenTheArmsDoNotDiffer_ShouldSaySoAndNeverCompareTheFoldedArm()
    {
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal)
        {
            ["variant#triage|control"] = Arm(50, 40, [0.8, 0.9], [0.01m, 0.02m]),
            ["variant#triage|treatment"] = Arm(50, 40, [0.8, 0.9], [0.01m, 0.02m]),
        };

        var comparison = Assert.Single(VariantComparison.Compare(sums));

        Assert.Equal("cost per request unchanged, p = 1.0, satisfaction unchanged, p = 1.0, evaluation score unchanged, p = 1.0", comparison.Verdict);
    }

    [Fact]
    public void Compare_WhenOneArmHasNoFeedback_ShouldLeaveSatisfactionOut()
    {
        var sums = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal)
        {
            ["variant#f|A"] = Arm(0, 0, [], [0.01m, 0.02m]),
            ["variant#f|B"] = Arm(10, 9, [], [0.01m, 0.03m]),
        };

        var comparison = Assert.Single(VariantComparison.Compare(sums));

        Assert.Equal([ComparedMetric.CostPerRequest], comparison.Metrics.Select(m => m.Name));
    }
}
