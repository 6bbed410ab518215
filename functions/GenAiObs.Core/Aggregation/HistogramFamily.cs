namespace GenAiObs.Core.Aggregation;

/// <summary>The latency histograms kept per aggregate item.</summary>
public enum HistogramFamily
{
    /// <summary>Invocation latency (ms) on invocation-log keys.</summary>
    Latency = 0,

    /// <summary>Time to first token (ms) on invocation-log keys.</summary>
    TimeToFirstToken,

    /// <summary>Span duration (ms) on span keys (model, tool, component, service).</summary>
    SpanDuration,
}
