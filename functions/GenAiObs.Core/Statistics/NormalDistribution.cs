namespace GenAiObs.Core.Statistics;

/// <summary>
/// The standard normal distribution. Φ(z) = erfc(−z/√2)/2 (Abramowitz &amp; Stegun 26.2.29), with
/// erfc from <see cref="SpecialFunctions.Erfc"/>, so tail probabilities keep their relative
/// accuracy (Φ(−8) ≈ 6.2e-16 is returned as such, not as 0).
/// </summary>
public static class NormalDistribution
{
    private static readonly double InverseSqrtTwo = 1 / Math.Sqrt(2);
    private static readonly double InverseSqrtTwoPi = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary>The density φ(z).</summary>
    public static double Density(double z) => InverseSqrtTwoPi * Math.Exp(-0.5 * z * z);

    /// <summary>Φ(z) = P(Z ≤ z).</summary>
    public static double Cdf(double z) => 0.5 * SpecialFunctions.Erfc(-z * InverseSqrtTwo);

    /// <summary>The two-sided p-value of a z statistic, P(|Z| ≥ |z|), at most 1.</summary>
    public static double TwoSidedP(double z) =>
        double.IsNaN(z) ? double.NaN : Math.Min(1, SpecialFunctions.Erfc(Math.Abs(z) * InverseSqrtTwo));

    /// <summary>
    /// The quantile Φ⁻¹(p) for 0 &lt; p &lt; 1, by Newton's method on the smaller tail (the
    /// derivative is the density) from a bracketing bisection start; accurate to ~1e-12 relative.
    /// Working with the smaller tail keeps p = 1e-10 exact rather than folding it through 1 − p.
    /// </summary>
    public static double Quantile(double p)
    {
        if (double.IsNaN(p) || p <= 0 || p >= 1)
        {
            return p == 0 ? double.NegativeInfinity : p == 1 ? double.PositiveInfinity : double.NaN;
        }

        if (p == 0.5)
        {
            return 0;
        }

        // Solve Φ(−z) = tail for z > 0.
        var tail = Math.Min(p, 1 - p);
        double low = 0, high = 40;
        while (high - low > 1)
        {
            var middle = 0.5 * (low + high);
            if (Cdf(-middle) > tail)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        var z = 0.5 * (low + high);
        for (var i = 0; i < 50; i++)
        {
            var step = (Cdf(-z) - tail) / Density(z);
            z = Math.Clamp(z + step, low, high);
            if (Math.Abs(step) < 1e-14 * Math.Max(1, z))
            {
                break;
            }
        }

        return p < 0.5 ? -z : z;
    }
}
