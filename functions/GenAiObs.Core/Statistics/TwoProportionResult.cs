namespace GenAiObs.Core.Statistics;

/// <summary>The outcome of <see cref="TwoProportionTest.Compute"/>; differences are B − A.</summary>
/// <param name="RateA">Successes/trials in arm A.</param>
/// <param name="RateB">Successes/trials in arm B.</param>
/// <param name="Difference">RateB − RateA.</param>
/// <param name="DifferenceLow">Lower end of the confidence interval of the difference (unpooled standard error).</param>
/// <param name="DifferenceHigh">Upper end of that interval.</param>
/// <param name="Z">The pooled z statistic; 0 when neither arm varies.</param>
/// <param name="PValue">The two-sided p-value; 1 when neither arm varies.</param>
/// <param name="NormalApproximationValid">
/// False when an arm expects fewer than <see cref="TwoProportionTest.MinExpectedCount"/> successes or
/// failures under the pooled rate: the p-value is then only indicative.
/// </param>
/// <param name="SmallestExpectedCount">The smallest of the four expected counts, for the caller's message.</param>
public readonly record struct TwoProportionResult(
    double RateA,
    double RateB,
    double Difference,
    double DifferenceLow,
    double DifferenceHigh,
    double Z,
    double PValue,
    bool NormalApproximationValid,
    double SmallestExpectedCount);
