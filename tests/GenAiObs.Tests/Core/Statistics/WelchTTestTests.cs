using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class WelchTTestTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200);

    [Fact]
    public void Compute_OnRsPublishedWelchExample_ShouldReproduceTStatisticDfPAndInterval()
    {
        // Arrange: R's t.test(ts1, ts2) prints t = -1.8325, df = 17.9, p-value = 0.08356,
        // 95 percent confidence interval -2.1469104 0.1469104 (for x − y; here B − A, so the signs flip).
        double[] ts1 = [11, 9, 10, 11, 10, 12, 9, 11, 12, 9];
        double[] ts2 = [11, 13, 10, 13, 12, 9, 11, 12, 12, 11];

        // Act
        var result = WelchTTest.Compute(SampleSummary.Of(ts1), SampleSummary.Of(ts2));

        // Assert
        Assert.Equal(1.0, result.Difference, 12);
        Assert.Equal(1.8325, result.T, 4);
        Assert.Equal(17.9, result.DegreesOfFreedom, 1);
        Assert.Equal(0.08356, result.PValue, 5);
        Assert.Equal(-0.1469104, result.DifferenceLow, 6);
        Assert.Equal(2.1469104, result.DifferenceHigh, 6);
    }

    [Fact]
    public void Compute_FromSummaryStatistics_ShouldMatchTheFormulaAndTheIntegratedDensity()
    {
        // Arrange: A = (n 20, mean 100, sd 15), B = (n 20, mean 95, sd 20).
        var a = new SampleSummary(20, 100, 15 * 15);
        var b = new SampleSummary(20, 95, 20 * 20);
        var squaredError = 225.0 / 20 + 400.0 / 20;
        var expectedT = -5 / Math.Sqrt(squaredError);
        var expectedDf = squaredError * squaredError / (Math.Pow(225.0 / 20, 2) / 19 + Math.Pow(400.0 / 20, 2) / 19);
        var expectedP = 2 * Quadrature.StudentTCdf(-Math.Abs(expectedT), expectedDf);

        // Act
        var result = WelchTTest.Compute(a, b);

        // Assert
        Assert.Equal(expectedT, result.T, 12);
        Assert.Equal(expectedDf, result.DegreesOfFreedom, 10);
        Assert.Equal(expectedP, result.PValue, 9);
        Assert.Equal(35.2, result.DegreesOfFreedom, 1);
    }

    [Fact]
    public void Compute_WhenBothArmsAreConstant_ShouldReportCertaintyOrNoDifference()
    {
        var same = WelchTTest.Compute(new SampleSummary(5, 3, 0), new SampleSummary(7, 3, 0));
        var apart = WelchTTest.Compute(new SampleSummary(5, 3, 0), new SampleSummary(7, 4, 0));

        Assert.Equal(1, same.PValue);
        Assert.Equal(0, same.T);
        Assert.Equal(0, apart.PValue);
        Assert.Equal(double.PositiveInfinity, apart.T);
    }

    [Fact]
    public void Compute_WithFewerThanTwoObservations_ShouldThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WelchTTest.Compute(new SampleSummary(1, 3, 0), new SampleSummary(7, 4, 1)));
    }

    [Fact]
    public void Compute_ShouldBeAntisymmetricAndItsIntervalShouldAgreeWithItsPValue()
    {
        var arm =
            from count in Gen.Choose(2, 400)
            from tenthsMean in Gen.Choose(-1000, 1000)
            from hundredthsVariance in Gen.Choose(1, 5000)
            select (count, tenthsMean, hundredthsVariance);
        Prop.ForAll(arm.ToArbitrary(), arm.ToArbitrary(), (x, y) =>
        {
            var a = new SampleSummary(x.Item1, x.Item2 / 10.0, x.Item3 / 100.0);
            var b = new SampleSummary(y.Item1, y.Item2 / 10.0, y.Item3 / 100.0);

            var forward = WelchTTest.Compute(a, b);
            var backward = WelchTTest.Compute(b, a);

            Assert.Equal(-forward.T, backward.T, 12);
            Assert.Equal(forward.DegreesOfFreedom, backward.DegreesOfFreedom, 9);
            Assert.Equal(forward.PValue, backward.PValue, 12);
            Assert.InRange(forward.PValue, 0, 1);
            Assert.InRange(forward.DegreesOfFreedom, Math.Min(a.Count, b.Count) - 1 - 1e-9, a.Count + b.Count - 2 + 1e-9);

            // Duality: the 95 % interval excludes 0 exactly when p < 0.05 (away from the boundary itself).
            if (Math.Abs(forward.PValue - 0.05) > 1e-9)
            {
                Assert.Equal(forward.PValue < 0.05, forward.DifferenceLow > 0 || forward.DifferenceHigh < 0);
            }
        }).Check(Runs);
    }

    [Fact]
    public void SampleSummary_ShouldAgreeWithATwoPassComputationAndWithRunningSums()
    {
        double[] values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);

        var summary = SampleSummary.Of(values);
        var fromSums = SampleSummary.FromSums(3, 1 + 2 + 6, 1 + 4 + 36);

        Assert.Equal(4, summary.Count);
        Assert.Equal(mean, summary.Mean, 6);
        Assert.Equal(30.0, variance, 6);
        Assert.Equal(30.0, summary.Variance, 6);
        Assert.Equal(3.0, fromSums.Mean, 12);
        Assert.Equal(7.0, fromSums.Variance, 12);
    }
}
