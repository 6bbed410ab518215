using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class NormalDistributionTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Theory]
    // Published values: Φ from Abramowitz & Stegun Table 26.1 and erfc from Table 7.1, to the digits printed there.
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.841344746068543)]
    [InlineData(1.96, 0.975002104851780)]
    [InlineData(2.5758293035489, 0.995)]
    [InlineData(-3.0, 0.00134989803163009)]
    public void Cdf_AtTabulatedPoints_ShouldMatchThePublishedValues(double z, double expected)
    {
        Assert.Equal(expected, NormalDistribution.Cdf(z), 1e-12);
    }

    [Theory]
    [InlineData(-6.0, 9.86587645037698e-10)]
    [InlineData(-8.0, 6.22096057427178e-16)]
    [InlineData(-20.0, 2.75362411860623e-89)]
    public void Cdf_FarInTheLowerTail_ShouldKeepItsRelativeAccuracy(double z, double expected)
    {
        Assert.Equal(1, NormalDistribution.Cdf(z) / expected, 1e-9);
    }

    [Fact]
    public void Erfc_AtPublishedPoints_ShouldMatchTheTable()
    {
        // erf(0.5) = 0.520499877813047, erf(1) = 0.842700792949715, erfc(3) = 2.20904969985854e-5.
        Assert.Equal(0.520499877813047, SpecialFunctions.Erf(0.5), 1e-14);
        Assert.Equal(0.842700792949715, SpecialFunctions.Erf(1), 1e-14);
        Assert.Equal(1, SpecialFunctions.Erfc(3) / 2.20904969985854e-5, 1e-11);
        Assert.Equal(2 - 2.20904969985854e-5, SpecialFunctions.Erfc(-3), 1e-14);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.2)]
    [InlineData(2.49)]
    [InlineData(2.51)]
    [InlineData(3.7)]
    [InlineData(5.0)]
    public void Cdf_ShouldEqualHalfPlusTheIntegralOfTheDensityFromZero(double z)
    {
        // Arrange: the density integrated numerically in the test, not through the code under test.
        var integral = Quadrature.Simpson(x => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), 0, z);

        // Act
        var cdf = NormalDistribution.Cdf(z);

        // Assert
        Assert.Equal(0.5 + integral, cdf, 1e-12);
        Assert.Equal(0.5 - integral, NormalDistribution.Cdf(-z), 1e-12);
    }

    [Fact]
    public void TwoSidedP_ForTheFamiliarCriticalValues_ShouldBeTheirLevels()
    {
        Assert.Equal(0.05, NormalDistribution.TwoSidedP(1.959963984540054), 1e-13);
        Assert.Equal(0.05, NormalDistribution.TwoSidedP(-1.959963984540054), 1e-13);
        Assert.Equal(1, NormalDistribution.TwoSidedP(0));
    }

    [Theory]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.995, 2.575829303548901)]
    [InlineData(1e-10, -6.361340902404056)]
    public void Quantile_ShouldInvertTheCdf(double p, double expected)
    {
        Assert.Equal(expected, NormalDistribution.Quantile(p), 1e-9);
    }

    [Fact]
    public void Cdf_ShouldBeSymmetricAndMonotone()
    {
        Prop.ForAll(Gen.Choose(-800_000, 800_000).ToArbitrary(), Gen.Choose(1, 100_000).ToArbitrary(), (hundredThousandths, stepHundredThousandths) =>
        {
            var z = hundredThousandths / 1e5;
            var step = stepHundredThousandths / 1e5;
            Assert.Equal(1, NormalDistribution.Cdf(z) + NormalDistribution.Cdf(-z), 1e-15);
            Assert.True(NormalDistribution.Cdf(z + step) >= NormalDistribution.Cdf(z));
            // The lower tail holds its precision at any z; Cdf(7) = 1 − 1.3e-12 would not.
            Assert.Equal(-Math.Abs(z), NormalDistribution.Quantile(NormalDistribution.Cdf(-Math.Abs(z))), 1e-9 * Math.Max(1, Math.Abs(z)));
        }).Check(Runs);
    }
}
