namespace GenAiObs.Core.Statistics;

/// <summary>
/// Count, mean and unbiased sample variance (divisor n − 1) of one arm: all Welch's t test needs,
/// and what a store can keep without the samples.
/// </summary>
/// <param name="Count">Number of observations.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Variance">Their sample variance with divisor n − 1 (0 for a single observation).</param>
public readonly record struct SampleSummary(long Count, double Mean, double Variance)
{
    /// <summary>The summary of a sample, by Welford's single-pass update (numerically stable for large means).</summary>
    public static SampleSummary Of(ReadOnlySpan<double> values)
    {
        double mean = 0, sumOfSquares = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var delta = values[i] - mean;
            mean += delta / (i + 1);
            sumOfSquares += delta * (values[i] - mean);
        }

        return new SampleSummary(values.Length, mean, values.Length > 1 ? sumOfSquares / (values.Length - 1) : 0);
    }

    /// <summary>The summary from running sums Σx and Σx², as counters in a store hold them.</summary>
    public static SampleSummary FromSums(long count, double sum, double sumOfSquares)
    {
        if (count <= 0)
        {
            return new SampleSummary(0, 0, 0);
        }

        var mean = sum / count;
        var variance = count > 1 ? Math.Max(0, (sumOfSquares - sum * mean) / (count - 1)) : 0;
        return new SampleSummary(count, mean, variance);
    }
}
