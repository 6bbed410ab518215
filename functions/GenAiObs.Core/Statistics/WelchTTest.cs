namespace GenAiObs.Core.Statistics;

/// <summary>
/// Welch's unequal-variances t test of H₀: μ_A = μ_B from summary statistics (B. L. Welch, "The
/// generalization of 'Student's' problem when several different population variances are
/// involved", Biometrika 34, 1947), with the Welch–Satterthwaite degrees of freedom
/// ν = (s_A²/n_A + s_B²/n_B)² / ((s_A²/n_A)²/(n_A−1) + (s_B²/n_B)²/(n_B−1)) and the two-sided
/// p-value from the Student t distribution with that (fractional) ν.
/// </summary>
public static class WelchTTest
{
    /// <summary>Compares the mean of <paramref name="b"/> against that of <paramref name="a"/>.</summary>
    /// <param name="a">Arm A; at least 2 observations.</param>
    /// <param name="b">Arm B; at least 2 observations.</param>
    /// <param name="confidence">The confidence level of the interval, in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An arm has fewer than 2 observations, a negative variance, or the confidence level is out of range.</exception>
    public static WelchResult Compute(SampleSummary a, SampleSummary b, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Count, 2, nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Count, 2, nameof(b));
        ArgumentOutOfRangeException.ThrowIfNegative(a.Variance, nameof(a));
        ArgumentOutOfRangeException.ThrowIfNegative(b.Variance, nameof(b));
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence level must lie strictly between 0 and 1.");
        }

        var shareA = a.Variance / a.Count;
        var shareB = b.Variance / b.Count;
        var squaredError = shareA + shareB;
        var standardError = Math.Sqrt(squaredError);
        var difference = b.Mean - a.Mean;

        if (standardError == 0)
        {
            // Both arms constant: the means either agree exactly or differ with certainty.
            var degenerate = a.Count + b.Count - 2.0;
            return difference == 0
                ? new WelchResult(difference, difference, difference, 0, degenerate, 1, 0)
                : new WelchResult(difference, difference, difference, difference > 0 ? double.PositiveInfinity : double.NegativeInfinity, degenerate, 0, 0);
        }

        var degreesOfFreedom = squaredError * squaredError
            / (shareA * shareA / (a.Count - 1) + shareB * shareB / (b.Count - 1));
        var t = difference / standardError;
        var p = StudentTDistribution.TwoSidedP(t, degreesOfFreedom);
        var margin = StudentTDistribution.Quantile(0.5 + confidence / 2, degreesOfFreedom) * standardError;
        return new WelchResult(difference, difference - margin, difference + margin, t, degreesOfFreedom, p, standardError);
    }
}
