namespace GenAiObs.Core.Metrics;

/// <summary>CloudWatch units the pipeline uses (the EMF <c>Unit</c> strings).</summary>
public enum MetricUnit
{
    None = 0,
    Count,
    Milliseconds,
}
