namespace GenAiObs.Core.Statistics;

/// <summary>
/// The two-sided two-proportion z test of H₀: p_A = p_B, for rates such as the share of satisfied
/// requests in two A/B arms. The statistic uses the pooled rate under H₀; the confidence interval
/// for p_B − p_A uses the unpooled (Wald) standard error, as the interval is not conditioned on
/// H₀ (NIST/SEMATECH e-Handbook of Statistical Methods, 7.3.3, "How can we determine whether two
/// processes produce the same proportion of defectives?").
/// </summary>
public static class TwoProportionTest
{
    /// <summary>
    /// The normal approximation is trusted when every arm expects at least this many successes
    /// and failures under the pooled rate (the usual "np ≥ 5 and n(1 − p) ≥ 5" rule).
    /// </summary>
    public const double MinExpectedCount = 5;

    /// <summary>Compares <paramref name="successesB"/>/<paramref name="trialsB"/> against <paramref name="successesA"/>/<paramref name="trialsA"/>.</summary>
    /// <param name="successesA">Successes in arm A, 0 ≤ successes ≤ trials.</param>
    /// <param name="trialsA">Trials in arm A, at least 1.</param>
    /// <param name="successesB">Successes in arm B, 0 ≤ successes ≤ trials.</param>
    /// <param name="trialsB">Trials in arm B, at least 1.</param>
    /// <param name="confidence">The confidence level of the interval, in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or the confidence level is out of range.</exception>
    public static TwoProportionResult Compute(long successesA, long trialsA, long successesB, long trialsB, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trialsA, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(trialsB, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successesA);
        ArgumentOutOfRangeException.ThrowIfNegative(successesB);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successesA, trialsA);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successesB, trialsB);
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence level must lie strictly between 0 and 1.");
        }

        double nA = trialsA, nB = trialsB;
        var rateA = successesA / nA;
        var rateB = successesB / nB;
        var pooled = (successesA + successesB) / (nA + nB);
        var difference = rateB - rateA;

        var pooledError = Math.Sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));

        // Both arms all-success or all-failure: no variation, nothing to test.
        var z = pooledError > 0 ? difference / pooledError : 0;
        var p = pooledError > 0 ? NormalDistribution.TwoSidedP(z) : 1;

        var waldError = Math.Sqrt(rateA * (1 - rateA) / nA + rateB * (1 - rateB) / nB);
        var margin = NormalDistribution.Quantile(0.5 + confidence / 2) * waldError;

        var smallestExpected = Math.Min(
            Math.Min(nA * pooled, nA * (1 - pooled)),
            Math.Min(nB * pooled, nB * (1 - pooled)));

        return new TwoProportionResult(
            rateA, rateB, difference, difference - margin, difference + margin, z, p,
            smallestExpected >= MinExpectedCount, smallestExpected);
    }
}
