using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class MannWhitneyTestTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200);

    [Fact]
    public void Compute_OnRsPublishedTiedExample_ShouldReproduceWAndP()
    {
        // Arrange: R's wilcox.test(x, y) prints "W = 51.5, p-value = 0.5966" (normal approximation, tie and continuity corrected).
        double[] x = [1, 5, 9, 24, 56, 21, 3, 7, 21, 4];
        double[] y = [12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5];

        // Act
        var result = MannWhitneyTest.Compute(x, y);

        // Assert
        Assert.Equal(51.5, result.UA);
        Assert.Equal(120 - 51.5, result.UB);
        Assert.Equal(0.5966, result.PValue, 4);
        Assert.True(result.Z > 0);
    }

    [Fact]
    public void Compute_OnRsPublishedSeparatedExample_ShouldReproduceWAndP()
    {
        // R: wilcox.test(x, c(1233, 4356, 987, 39999, 1111, 200000)) prints "W = 0, p-value = 0.001364".
        double[] x = [1, 5, 9, 24, 56, 21, 3, 7, 21, 4];
        double[] y = [1233, 4356, 987, 39999, 1111, 200000];

        var result = MannWhitneyTest.Compute(x, y);

        Assert.Equal(0, result.UA);
        Assert.Equal(1, result.ProbabilityBGreater);
        Assert.Equal(0.001364, result.PValue, 6);
    }

    [Fact]
    public void Compute_OnATinyTiedSample_ShouldMatchExactEnumeration()
    {
        // Arrange: U counted pair by pair, and the null distribution of U enumerated over all C(9, 4) = 126 ways to
        // draw arm A from the pooled values; its variance is what the tie-corrected formula must give.
        double[] a = [1, 2, 2, 5];
        double[] b = [2, 3, 5, 6, 8];
        double[] pooled = [.. a, .. b];
        static double PairCount(IEnumerable<double> first, IEnumerable<double> second) =>
            first.Sum(x => second.Sum(y => x > y ? 1.0 : x == y ? 0.5 : 0));

        var expectedUA = PairCount(a, b);
        var nullUs = new List<double>();
        for (var mask = 0; mask < 1 << pooled.Length; mask++)
        {
            if (int.PopCount(mask) != a.Length)
            {
                continue;
            }

            var drawnA = pooled.Where((_, i) => (mask >> i & 1) == 1).ToArray();
            var drawnB = pooled.Where((_, i) => (mask >> i & 1) == 0).ToArray();
            nullUs.Add(PairCount(drawnA, drawnB));
        }

        var nullMean = nullUs.Average();
        var nullVariance = nullUs.Sum(u => (u - nullMean) * (u - nullMean)) / nullUs.Count;
        var expectedUB = a.Length * b.Length - expectedUA;
        var corrected = Math.Abs(expectedUB - nullMean) - 0.5;
        var expectedZ = corrected / Math.Sqrt(nullVariance);
        var expectedP = 2 * (0.5 - Quadrature.Simpson(z => Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI), 0, expectedZ));

        // Act
        var result = MannWhitneyTest.Compute(a, b);

        // Assert
        Assert.Equal(126, nullUs.Count);
        Assert.Equal(3.5, expectedUA);
        Assert.Equal(expectedUA, result.UA);
        Assert.Equal(expectedUB, result.UB);
        Assert.Equal(expectedZ, result.Z, 12);
        Assert.Equal(expectedP, result.PValue, 12);
    }

    [Fact]
    public void Compute_WhenEveryValueIsTied_ShouldFindNoDifference()
    {
        var result = MannWhitneyTest.Compute([4, 4, 4], [4, 4]);

        Assert.Equal(3, result.UA);
        Assert.Equal(0, result.Z);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void Compute_WithAnEmptySampleOrNaN_ShouldThrow()
    {
        Assert.Throws<ArgumentException>(() => MannWhitneyTest.Compute([], [1.0]));
        Assert.Throws<ArgumentException>(() => MannWhitneyTest.Compute([1.0, double.NaN], [1.0]));
    }

    [Fact]
    public void Compute_ShouldSplitAllPairsAndBeAntisymmetric()
    {
        var sample = Gen.ArrayOf(Gen.Choose(0, 30)).Where(values => values.Length > 0).Select(values => values.Select(v => (double)v).ToArray());
        Prop.ForAll(sample.ToArbitrary(), sample.ToArbitrary(), (a, b) =>
        {
            var forward = MannWhitneyTest.Compute(a, b);
            var backward = MannWhitneyTest.Compute(b, a);

            Assert.Equal(a.Length * (double)b.Length, forward.UA + forward.UB);
            Assert.Equal(forward.UA, backward.UB);
            Assert.Equal(-forward.Z, backward.Z, 12);
            Assert.Equal(forward.PValue, backward.PValue, 12);
            Assert.InRange(forward.PValue, 0, 1);
        }).Check(Runs);
    }
}
