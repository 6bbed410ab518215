namespace GenAiObs.Tests.Core.Statistics;

/// <summary>Composite Simpson integration: the tests' independent route to distribution functions.</summary>
internal static class Quadrature
{
    /// <summary>∫ f over [from, to] with an even number of panels; error O(h⁴) for smooth f.</summary>
    public static double Simpson(Func<double, double> f, double from, double to, int panels = 20_000)
    {
        if (panels % 2 == 1)
        {
            panels++;
        }

        var h = (to - from) / panels;
        var sum = f(from) + f(to);
        for (var i = 1; i < panels; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * f(from + i * h);
        }

        return sum * h / 3;
    }

    /// <summary>
    /// P(T ≤ t) for Student's t with ν degrees of freedom by integrating the unnormalised kernel
    /// (1 + x²/ν)^(−(ν+1)/2) and dividing by its integral over [0, ∞) (taken with x = eˢ, which turns the
    /// power-law tail into an exponential one), so no gamma function is involved.
    /// </summary>
    public static double StudentTCdf(double t, double nu)
    {
        double Kernel(double x) => Math.Pow(1 + x * x / nu, -(nu + 1) / 2);
        var upper = 5 + 80 / nu + Math.Log(nu);
        var half = Simpson(s => Kernel(Math.Exp(s)) * Math.Exp(s), -40, upper, 400_000);
        var toT = Simpson(Kernel, 0, t, 200_000);
        return 0.5 + 0.5 * toT / half;
    }
}
