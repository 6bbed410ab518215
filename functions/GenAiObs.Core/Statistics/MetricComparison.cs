namespace GenAiObs.Core.Statistics;

/// <summary>
/// One metric of an A/B comparison for <see cref="ComparisonVerdict"/>: its value in each arm and,
/// when a significance test was run, the test's two-sided p-value.
/// </summary>
/// <param name="Label">What the metric is, as it reads in a sentence ("satisfaction", "p95 latency").</param>
/// <param name="ValueA">The metric in arm A (the reference the percentage is relative to).</param>
/// <param name="ValueB">The metric in arm B.</param>
/// <param name="PValue">The p-value of the test of A against B; null when the metric was not tested.</param>
/// <param name="LowerAdjective">
/// The comparative that describes arm B when its value is lower ("cheaper", "faster"); with
/// <paramref name="HigherAdjective"/> the clause reads "B is 18 % cheaper" instead of
/// "cost 18 % lower".
/// </param>
/// <param name="HigherAdjective">The comparative for a higher value ("more expensive", "slower").</param>
public sealed record MetricComparison(
    string Label,
    double ValueA,
    double ValueB,
    double? PValue = null,
    string? LowerAdjective = null,
    string? HigherAdjective = null)
{
    /// <summary>A cost metric, read as "cheaper" / "more expensive".</summary>
    public static MetricComparison Cost(string label, double valueA, double valueB, double? pValue = null) =>
        new(label, valueA, valueB, pValue, "cheaper", "more expensive");

    /// <summary>A latency metric, read as "faster" / "slower".</summary>
    public static MetricComparison Latency(string label, double valueA, double valueB, double? pValue = null) =>
        new(label, valueA, valueB, pValue, "faster", "slower");

    /// <summary>Any other metric, read as "{label} 12 % higher" / "lower".</summary>
    public static MetricComparison Plain(string label, double valueA, double valueB, double? pValue = null) =>
        new(label, valueA, valueB, pValue);
}
