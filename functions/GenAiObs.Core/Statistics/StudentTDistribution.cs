namespace GenAiObs.Core.Statistics;

/// <summary>
/// Student's t distribution with ν &gt; 0 degrees of freedom (ν need not be an integer, as
/// Welch–Satterthwaite gives fractional ones). The tail is the incomplete beta function:
/// P(|T| ≥ |t|) = I_x(ν/2, 1/2) with x = ν/(ν + t²) (Abramowitz &amp; Stegun 26.7.1 with 26.5.27).
/// </summary>
public static class StudentTDistribution
{
    /// <summary>The two-sided p-value P(|T| ≥ |t|), in [0, 1].</summary>
    public static double TwoSidedP(double t, double degreesOfFreedom)
    {
        if (double.IsNaN(t) || double.IsNaN(degreesOfFreedom) || degreesOfFreedom <= 0)
        {
            return double.NaN;
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        if (double.IsPositiveInfinity(degreesOfFreedom))
        {
            return NormalDistribution.TwoSidedP(t);
        }

        var x = degreesOfFreedom / (degreesOfFreedom + t * t);
        return Math.Clamp(SpecialFunctions.RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, x), 0, 1);
    }

    /// <summary>The distribution function P(T ≤ t).</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        var tail = 0.5 * TwoSidedP(t, degreesOfFreedom);
        return t < 0 ? tail : 1 - tail;
    }

    /// <summary>
    /// The quantile t with P(T ≤ t) = p for 0 &lt; p &lt; 1, by bisection on the two-sided tail
    /// (monotone in |t|) to a relative width of 1e-13.
    /// </summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        if (double.IsNaN(p) || double.IsNaN(degreesOfFreedom) || degreesOfFreedom <= 0 || p <= 0 || p >= 1)
        {
            return p == 0 ? double.NegativeInfinity : p == 1 ? double.PositiveInfinity : double.NaN;
        }

        if (p == 0.5)
        {
            return 0;
        }

        // For |t| the two-sided tail must equal 2·min(p, 1 − p).
        var tail = 2 * Math.Min(p, 1 - p);
        double low = 0, high = 1;
        while (TwoSidedP(high, degreesOfFreedom) > tail && high < 1e300)
        {
            low = high;
            high *= 2;
        }

        for (var i = 0; i < 2000 && high - low > 1e-13 * high; i++)
        {
            var middle = 0.5 * (low + high);
            if (TwoSidedP(middle, degreesOfFreedom) > tail)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        var magnitude = 0.5 * (low + high);
        return p < 0.5 ? -magnitude : magnitude;
    }
}
