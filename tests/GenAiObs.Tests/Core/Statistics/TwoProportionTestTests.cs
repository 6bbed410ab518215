using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class TwoProportionTestTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Compute_ShouldMatchThePooledZFormulaAndTheWaldInterval()
    {
        // Arrange: A 120 of 200 satisfied, B 95 of 210; the statistic and interval written out from their definitions.
        var rateA = 120 / 200.0;
        var rateB = 95 / 210.0;
        var pooled = 215 / 410.0;
        var expectedZ = (rateB - rateA) / Math.Sqrt(pooled * (1 - pooled) * (1 / 200.0 + 1 / 210.0));
        var wald = Math.Sqrt(rateA * (1 - rateA) / 200 + rateB * (1 - rateB) / 210);
        var expectedP = 2 * (0.5 - Quadrature.Simpson(z => Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI), 0, Math.Abs(expectedZ)));

        // Act
        var result = TwoProportionTest.Compute(120, 200, 95, 210);

        // Assert
        Assert.Equal(rateA, result.RateA, 15);
        Assert.Equal(rateB, result.RateB, 15);
        Assert.Equal(expectedZ, result.Z, 12);
        Assert.Equal(expectedP, result.PValue, 12);
        Assert.Equal(rateB - rateA - 1.959963984540054 * wald, result.DifferenceLow, 9);
        Assert.Equal(rateB - rateA + 1.959963984540054 * wald, result.DifferenceHigh, 9);
        Assert.True(result.NormalApproximationValid);
    }

    [Fact]
    public void Compute_ZSquared_ShouldEqualPearsonsChiSquareOfTheTwoByTwoTable()
    {
        // Pearson's χ² = Σ (O − E)²/E over the four cells equals z² of the pooled test: an independent route to the statistic.
        var arm =
            from trials in Gen.Choose(1, 500)
            from successes in Gen.Choose(0, trials)
            select (Successes: (long)successes, Trials: (long)trials);
        Prop.ForAll(arm.ToArbitrary(), arm.ToArbitrary(),
            (first, second) =>
            {
                var (successesA, trialsA) = first;
                var (successesB, trialsB) = second;
                var result = TwoProportionTest.Compute(successesA, trialsA, successesB, trialsB);
                double total = trialsA + trialsB, successes = successesA + successesB, failures = total - successes;
                if (successes == 0 || failures == 0)
                {
                    Assert.Equal(1, result.PValue);
                    return;
                }

                double Cell(double observed, double rowTotal, double columnTotal)
                {
                    var expected = rowTotal * columnTotal / total;
                    return (observed - expected) * (observed - expected) / expected;
                }

                var chiSquare = Cell(successesA, trialsA, successes) + Cell(trialsA - successesA, trialsA, failures)
                    + Cell(successesB, trialsB, successes) + Cell(trialsB - successesB, trialsB, failures);
                Assert.Equal(chiSquare, result.Z * result.Z, 1e-9 * Math.Max(1, chiSquare));

                var swapped = TwoProportionTest.Compute(successesB, trialsB, successesA, trialsA);
                Assert.Equal(-result.Z, swapped.Z, 12);
                Assert.Equal(result.PValue, swapped.PValue, 12);
            }).Check(Runs);
    }

    [Theory]
    [InlineData(3, 40, 9, 40, true)]    // pooled 0.15: each arm expects 6 successes and 34 failures
    [InlineData(2, 30, 4, 30, false)]   // pooled 0.1: each arm expects 3 successes
    [InlineData(38, 40, 39, 40, false)] // pooled 0.9625: each arm expects 1.5 failures
    public void Compute_ShouldFlagAnUntrustworthyNormalApproximation(long successesA, long trialsA, long successesB, long trialsB, bool valid)
    {
        var result = TwoProportionTest.Compute(successesA, trialsA, successesB, trialsB);

        var pooled = (double)(successesA + successesB) / (trialsA + trialsB);
        var smallest = new[] { trialsA * pooled, trialsA * (1 - pooled), trialsB * pooled, trialsB * (1 - pooled) }.Min();
        Assert.Equal(smallest, result.SmallestExpectedCount, 12);
        Assert.Equal(valid, result.NormalApproximationValid);
    }

    [Fact]
    public void Compute_WithImpossibleCounts_ShouldThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TwoProportionTest.Compute(0, 0, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwoProportionTest.Compute(3, 2, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => TwoProportionTest.Compute(-1, 2, 1, 2));
    }
}
