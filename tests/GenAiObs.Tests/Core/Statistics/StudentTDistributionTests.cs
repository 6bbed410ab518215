using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class StudentTDistributionTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200);

    [Theory]
    [InlineData(-30.0)]
    [InlineData(-1.5)]
    [InlineData(0.3)]
    [InlineData(4.0)]
    [InlineData(250.0)]
    public void Cdf_WithOneDegreeOfFreedom_ShouldBeTheCauchyDistribution(double t)
    {
        // t with ν = 1 is the standard Cauchy: F(t) = 1/2 + atan(t)/π.
        Assert.Equal(0.5 + Math.Atan(t) / Math.PI, StudentTDistribution.Cdf(t, 1), 1e-13);
    }

    [Theory]
    [InlineData(-7.0)]
    [InlineData(-0.4)]
    [InlineData(1.1)]
    [InlineData(12.0)]
    public void Cdf_WithTwoAndThreeDegreesOfFreedom_ShouldMatchTheClosedForms(double t)
    {
        // ν = 2: F(t) = 1/2 + t/(2√(2 + t²)); ν = 3: F(t) = 1/2 + (1/π)(t/(√3(1 + t²/3)) + atan(t/√3)).
        var two = 0.5 + t / (2 * Math.Sqrt(2 + t * t));
        var three = 0.5 + (t / (Math.Sqrt(3) * (1 + t * t / 3)) + Math.Atan(t / Math.Sqrt(3))) / Math.PI;

        Assert.Equal(two, StudentTDistribution.Cdf(t, 2), 1e-13);
        Assert.Equal(three, StudentTDistribution.Cdf(t, 3), 1e-13);
    }

    [Theory]
    [InlineData(7.3, 0.8)]
    [InlineData(7.3, 2.6)]
    [InlineData(17.9, 1.8325)]
    [InlineData(0.6, 3.0)]
    [InlineData(120.0, 1.97)]
    public void Cdf_ShouldEqualTheNumericallyIntegratedDensity(double nu, double t)
    {
        // Arrange: the density integrated numerically in the test.
        var expected = Quadrature.StudentTCdf(t, nu);

        // Act
        var cdf = StudentTDistribution.Cdf(t, nu);

        // Assert
        Assert.Equal(expected, cdf, 1e-9);
    }

    [Theory]
    // Two-sided 5 % critical values from any t table (e.g. Fisher & Yates, Statistical Tables, Table III).
    [InlineData(1, 12.706)]
    [InlineData(5, 2.571)]
    [InlineData(10, 2.228)]
    [InlineData(30, 2.042)]
    public void Quantile_ShouldReproduceTheTabulatedCriticalValues(double nu, double critical)
    {
        Assert.Equal(critical, StudentTDistribution.Quantile(0.975, nu), 3);
        Assert.Equal(-critical, StudentTDistribution.Quantile(0.025, nu), 3);
    }

    [Fact]
    public void TwoSidedP_WithVeryManyDegreesOfFreedom_ShouldApproachTheNormal()
    {
        Assert.Equal(NormalDistribution.TwoSidedP(1.96), StudentTDistribution.TwoSidedP(1.96, 1e7), 1e-7);
        Assert.Equal(NormalDistribution.TwoSidedP(2.5), StudentTDistribution.TwoSidedP(2.5, double.PositiveInfinity), 1e-15);
    }

    [Fact]
    public void Cdf_ShouldBeSymmetricAndQuantileItsInverse()
    {
        Prop.ForAll(Gen.Choose(-5_000, 5_000).ToArbitrary(), Gen.Choose(5, 5_000).ToArbitrary(), (hundredthsT, tenthsNu) =>
        {
            var t = hundredthsT / 100.0;
            var nu = tenthsNu / 10.0;
            Assert.Equal(1, StudentTDistribution.Cdf(t, nu) + StudentTDistribution.Cdf(-t, nu), 1e-14);

            // The inverse from the lower tail: there p keeps full relative precision, while near 1
            // a double keeps only the first digits of 1 − p (at t = 20.98, ν = 14.5 that moved t by 2e-5).
            var p = StudentTDistribution.Cdf(-Math.Abs(t), nu);
            if (p > 1e-300)
            {
                Assert.Equal(-Math.Abs(t), StudentTDistribution.Quantile(p, nu), 1e-6 * Math.Max(1, Math.Abs(t)));
            }
        }).Check(Runs);
    }
}
