using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Rules;

public sealed class RuleParametersTests
{
    private static LogHistogram Histogram(int count, double value)
    {
        var histogram = new LogHistogram();
        for (var i = 0; i < count; i++)
        {
            histogram.Add(value);
        }

        return histogram;
    }

    [Fact]
    public void P95AboveThreshold_WhenEnoughSamplesAboveTheThreshold_ShouldReturnTheP95()
    {
        var parameters = new RuleParameters { Threshold = 1_000m, MinSamples = 20 };

        var p95 = parameters.P95AboveThreshold(Histogram(20, 2_000));

        // The log histogram answers within its relative error of the true value, 2 000 ms.
        Assert.NotNull(p95);
        Assert.InRange(p95.Value, 2_000 * (1 - LogHistogram.RelativeError), 2_000 * (1 + LogHistogram.RelativeError));
    }

    [Fact]
    public void P95AboveThreshold_WhenOneSampleShortOfMinSamples_ShouldReturnNull()
    {
        var parameters = new RuleParameters { Threshold = 1_000m, MinSamples = 20 };

        Assert.Null(parameters.P95AboveThreshold(Histogram(19, 2_000)));
    }

    [Fact]
    public void P95AboveThreshold_WhenP95IsBelowTheThreshold_ShouldReturnNull()
    {
        var parameters = new RuleParameters { Threshold = 1_000m, MinSamples = 1 };

        Assert.Null(parameters.P95AboveThreshold(Histogram(50, 500)));
    }

    [Fact]
    public void P95AboveThreshold_WhenEmptyAndMinSamplesZero_ShouldReturnNull()
    {
        var parameters = new RuleParameters { Threshold = 0m, MinSamples = 0 };

        Assert.Null(parameters.P95AboveThreshold(new LogHistogram()));
    }
}
