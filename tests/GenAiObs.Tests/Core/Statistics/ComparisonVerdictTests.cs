using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class ComparisonVerdictTests
{
    [Fact]
    public void Describe_CheaperArmWithUnchangedSatisfaction_ShouldReadAsTheIssueExample()
    {
        // Arrange: cost per request 0.0050 → 0.0041 is 18 % lower; satisfaction's test gave p = 0.41.
        MetricComparison[] metrics =
        [
            MetricComparison.Cost("cost per request", 0.0050, 0.0041),
            MetricComparison.Plain("satisfaction", 0.81, 0.79, 0.4123),
        ];

        // Act
        var verdict = ComparisonVerdict.Describe("B", metrics);

        // Assert
        Assert.Equal("B is 18 % cheaper, satisfaction unchanged, p = 0.41", verdict);
    }

    [Fact]
    public void Describe_SignificantChanges_ShouldGiveDirectionPercentageAndP()
    {
        MetricComparison[] metrics =
        [
            MetricComparison.Cost("cost per request", 0.0040, 0.0046, 0.0012),
            MetricComparison.Latency("p95 latency", 2000, 1930),
            MetricComparison.Plain("satisfaction", 0.80, 0.68, 0.000031),
            MetricComparison.Plain("evaluation score", 4.0, 4.14, 0.012),
        ];

        var verdict = ComparisonVerdict.Describe("concise-v2", metrics);

        Assert.Equal(
            "concise-v2 is 15 % more expensive, p = 0.0012, 3.5 % faster, satisfaction 15 % lower, p < 0.0001, evaluation score 3.5 % higher, p = 0.012",
            verdict);
    }

    [Fact]
    public void Describe_WhenValuesAreEqualOrTheReferenceIsZero_ShouldNotInventAPercentage()
    {
        MetricComparison[] metrics =
        [
            MetricComparison.Cost("cost per request", 0, 0.002),
            MetricComparison.Plain("error rate", 0, 0.01),
            MetricComparison.Latency("p95 latency", 900, 900),
        ];

        var verdict = ComparisonVerdict.Describe("B", metrics);

        Assert.Equal("B is more expensive, error rate higher, p95 latency unchanged", verdict);
    }

    [Theory]
    [InlineData(0.41, "p = 0.41")]
    [InlineData(0.4, "p = 0.40")]
    [InlineData(0.05, "p = 0.050")]
    [InlineData(0.0995, "p = 0.10")]
    [InlineData(0.00321, "p = 0.0032")]
    [InlineData(1.0, "p = 1.0")]
    [InlineData(0.0001, "p = 0.00010")]
    [InlineData(0.00009, "p < 0.0001")]
    public void FormatP_ShouldKeepTwoSignificantDigits(double p, string expected)
    {
        Assert.Equal(expected, ComparisonVerdict.FormatP(p));
    }

    [Fact]
    public void Describe_AtTheSignificanceLevel_ShouldCallTheMetricUnchanged()
    {
        Assert.Equal("satisfaction unchanged, p = 0.050", ComparisonVerdict.Describe("B", [MetricComparison.Plain("satisfaction", 0.9, 0.5, 0.05)]));
        Assert.Equal("satisfaction 44 % lower, p = 0.050", ComparisonVerdict.Describe("B", [MetricComparison.Plain("satisfaction", 0.9, 0.5, 0.0499)]));
    }

    [Theory]
    [InlineData(-18.4, "18")]
    [InlineData(123.5, "124")]
    [InlineData(3.46, "3.5")]
    [InlineData(0.4167, "0.42")]
    public void FormatPercent_ShouldRoundToWholeNumbersFromTenAndTwoDigitsBelow(double percent, string expected)
    {
        Assert.Equal(expected, ComparisonVerdict.FormatPercent(percent));
    }

    [Fact]
    public void Describe_WithoutMetrics_ShouldThrow()
    {
        Assert.Throws<ArgumentException>(() => ComparisonVerdict.Describe("B", []));
    }
}
