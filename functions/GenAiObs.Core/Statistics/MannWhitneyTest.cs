using System.Buffers;

namespace GenAiObs.Core.Statistics;

/// <summary>
/// The Mann–Whitney U test (Wilcoxon rank-sum test) of two independent samples, for skewed
/// metrics such as latency or 1–5 scores where a t test's normality is doubtful. Ties get mid
/// ranks; the p-value is the normal approximation with the tie-corrected variance
/// σ² = n_A·n_B/12 · ((n+1) − Σ(t³ − t)/(n(n−1))) and a continuity correction of ½
/// (Lehmann, Nonparametrics: Statistical Methods Based on Ranks, 1975, ch. 1; the same statistic
/// R's wilcox.test reports as W with correct = TRUE).
/// </summary>
public static class MannWhitneyTest
{
    /// <summary>Compares sample <paramref name="b"/> against sample <paramref name="a"/>.</summary>
    /// <param name="a">Arm A's observations; at least one, no NaN.</param>
    /// <param name="b">Arm B's observations; at least one, no NaN.</param>
    /// <exception cref="ArgumentException">A sample is empty or holds NaN.</exception>
    public static MannWhitneyResult Compute(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            throw new ArgumentException("Both samples need at least one observation.");
        }

        var n = a.Length + b.Length;
        var values = ArrayPool<double>.Shared.Rent(n);
        var fromA = ArrayPool<bool>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < a.Length; i++)
            {
                values[i] = double.IsNaN(a[i]) ? throw new ArgumentException("Sample A holds NaN.", nameof(a)) : a[i];
                fromA[i] = true;
            }

            for (var i = 0; i < b.Length; i++)
            {
                values[a.Length + i] = double.IsNaN(b[i]) ? throw new ArgumentException("Sample B holds NaN.", nameof(b)) : b[i];
                fromA[a.Length + i] = false;
            }

            var sortedValues = values.AsSpan(0, n);
            var sortedFromA = fromA.AsSpan(0, n);
            sortedValues.Sort(sortedFromA);

            // Walk the runs of equal values: each member of a run of t values from rank r+1 to r+t gets the mid rank r + (t+1)/2.
            double rankSumA = 0, tieTerm = 0;
            for (var start = 0; start < n;)
            {
                var end = start + 1;
                while (end < n && sortedValues[end] == sortedValues[start])
                {
                    end++;
                }

                double run = end - start;
                var midRank = start + (run + 1) / 2;
                for (var i = start; i < end; i++)
                {
                    if (sortedFromA[i])
                    {
                        rankSumA += midRank;
                    }
                }

                tieTerm += run * run * run - run;
                start = end;
            }

            double nA = a.Length, nB = b.Length;
            var pairs = nA * nB;
            var uA = rankSumA - nA * (nA + 1) / 2;
            var uB = pairs - uA;
            var mean = pairs / 2;
            var variance = pairs / 12 * (n + 1 - (n > 1 ? tieTerm / ((double)n * (n - 1)) : 0));

            // Positive when B tends to be larger; the ½ continuity correction never crosses zero.
            var deviation = uB - mean;
            var corrected = Math.Max(0, Math.Abs(deviation) - 0.5);
            double z, p;
            if (variance > 0)
            {
                z = Math.CopySign(corrected / Math.Sqrt(variance), deviation);
                p = NormalDistribution.TwoSidedP(z);
            }
            else
            {
                // Every value tied: the ranks carry no information.
                z = 0;
                p = 1;
            }

            return new MannWhitneyResult(uA, uB, z, p, uB / pairs);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(values);
            ArrayPool<bool>.Shared.Return(fromA);
        }
    }
}
