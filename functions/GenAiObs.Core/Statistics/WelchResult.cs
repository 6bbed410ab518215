namespace GenAiObs.Core.Statistics;

/// <summary>The outcome of <see cref="WelchTTest.Compute"/>; differences are B − A.</summary>
/// <param name="Difference">Mean of B − mean of A.</param>
/// <param name="DifferenceLow">Lower end of the confidence interval of the difference.</param>
/// <param name="DifferenceHigh">Upper end of that interval.</param>
/// <param name="T">The t statistic; ±∞ when both arms are constant with different means.</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite ν (n_A + n_B − 2 when both arms are constant).</param>
/// <param name="PValue">The two-sided p-value.</param>
/// <param name="StandardError">√(s_A²/n_A + s_B²/n_B).</param>
public readonly record struct WelchResult(
    double Difference,
    double DifferenceLow,
    double DifferenceHigh,
    double T,
    double DegreesOfFreedom,
    double PValue,
    double StandardError);
