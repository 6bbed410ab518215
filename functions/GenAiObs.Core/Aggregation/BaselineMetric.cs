namespace GenAiObs.Core.Aggregation;

/// <summary>The quantities baselines are kept for.</summary>
public enum BaselineMetric
{
    /// <summary>Invocation-log cost, micro-dollars.</summary>
    CostMicros = 0,

    /// <summary>Input + output + cache-read + cache-write tokens.</summary>
    Tokens,
    Requests,
    Errors,

    /// <summary>p95 of invocation latency (ms) from the histogram; periods without latency data are left out.</summary>
    LatencyP95Ms,

    /// <summary>cacheRead / (input + cacheRead + cacheWrite); periods without input tokens are left out.</summary>
    CacheHitRate,
}
