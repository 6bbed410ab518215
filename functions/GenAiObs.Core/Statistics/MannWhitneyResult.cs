namespace GenAiObs.Core.Statistics;

/// <summary>The outcome of <see cref="MannWhitneyTest.Compute"/>.</summary>
/// <param name="UA">U of arm A: the pairs (a, b) with a &gt; b, ties counting ½ (R's W for x = A).</param>
/// <param name="UB">U of arm B: n_A·n_B − U_A.</param>
/// <param name="Z">The continuity-corrected, tie-corrected z; positive when B tends to be larger.</param>
/// <param name="PValue">The two-sided p-value of the normal approximation.</param>
/// <param name="ProbabilityBGreater">U_B/(n_A·n_B): the chance a random B exceeds a random A, ties counting ½.</param>
public readonly record struct MannWhitneyResult(double UA, double UB, double Z, double PValue, double ProbabilityBGreater);
