namespace GenAiObs.Core.Metrics;

/// <summary>One metric's values under one dimension set in one minute of event time.</summary>
public sealed class MetricSeries
{
    public MetricSeries(string name, MetricUnit unit)
    {
        Name = name;
        Unit = unit;
    }

    public string Name { get; }
    public MetricUnit Unit { get; }

    /// <summary>
    /// True for a numeric EMF property: summed like a counter and written as a top-level member,
    /// but not listed in the metric directive, so it is no custom metric (token counts the vended
    /// <c>AWS/Bedrock</c> metrics already publish, kept per principal for Contributor Insights).
    /// </summary>
    public bool IsProperty { get; init; }

    /// <summary>Raw values (kept raw so CloudWatch can compute percentiles) or one running sum for counters.</summary>
    public List<double> Values { get; } = [];
}
