using GenAiObs.Core.Records;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The per-feature (variant, template) figures of one aggregate key's counters.
/// </summary>
/// <param name="Requests">Invocation records (or model-call spans).</param>
/// <param name="Errors">Failed calls (or failed model-call spans).</param>
/// <param name="InputTokens">Input tokens (invocation logs: without cache; spans: as reported).</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Tokens">Input + output + cache read + cache write tokens.</param>
/// <param name="CostUsd">Cost in USD (micro-dollar precision, as stored).</param>
/// <param name="LatencyP50Ms">Median latency (invocation latency, or span duration) in ms; null without observations.</param>
/// <param name="LatencyP95Ms">95th percentile latency in ms; null without observations.</param>
/// <param name="CompletionRate">(end_turn + tool_use) / (end_turn + tool_use + max_tokens) of successful calls; null when none of those occurred.</param>
/// <param name="OutputTokensPerUsd">Output tokens per USD spent; null when nothing was spent.</param>
public sealed record FeatureFigures(long Requests, long Errors, long InputTokens, long OutputTokens, long Tokens, decimal CostUsd, double? LatencyP50Ms, double? LatencyP95Ms, double? CompletionRate, double? OutputTokensPerUsd)
{
    /// <summary>Errors / requests; null without requests.</summary>
    public double? ErrorRate => Requests == 0 ? null : (double)Errors / Requests;

    /// <summary>The figures of a key's invocation-log counters.</summary>
    public static FeatureFigures FromInvocations(AggregateCounters c)
    {
        var latency = c.Histogram(HistogramFamily.Latency);
        var cost = AggregateCounters.FromMicros(c[CounterNames.CostMicros]);
        return new FeatureFigures(
            c[CounterNames.Requests],
            c[CounterNames.Errors],
            c[CounterNames.InputTokens],
            c[CounterNames.OutputTokens],
            c[CounterNames.InputTokens] + c[CounterNames.OutputTokens] + c[CounterNames.CacheReadTokens] + c[CounterNames.CacheWriteTokens],
            cost,
            latency.Quantile(0.50),
            latency.Quantile(0.95),
            Completion(c, CounterNames.StopReason),
            PerUsd(c[CounterNames.OutputTokens], cost));
    }

    /// <summary>The figures of a key's model-call span counters (latency: span duration of every span of the key).</summary>
    public static FeatureFigures FromSpans(AggregateCounters c)
    {
        var latency = c.Histogram(HistogramFamily.SpanDuration);
        var cost = AggregateCounters.FromMicros(c[CounterNames.SpanCostMicros]);
        return new FeatureFigures(
            c[CounterNames.ModelCalls],
            c[CounterNames.ModelCallErrors],
            c[CounterNames.SpanInputTokens],
            c[CounterNames.SpanOutputTokens],
            c[CounterNames.SpanInputTokens] + c[CounterNames.SpanOutputTokens] + c[CounterNames.SpanCacheReadTokens] + c[CounterNames.SpanCacheWriteTokens],
            cost,
            latency.Quantile(0.50),
            latency.Quantile(0.95),
            Completion(c, CounterNames.FinishReason),
            PerUsd(c[CounterNames.SpanOutputTokens], cost));
    }

    private static double? Completion(AggregateCounters c, Func<string, string> counter)
    {
        var complete = c[counter(StopReasons.EndTurn)] + c[counter(StopReasons.ToolUse)];
        var total = complete + c[counter(StopReasons.MaxTokens)];
        return total == 0 ? null : (double)complete / total;
    }

    private static double? PerUsd(long tokens, decimal cost) => cost <= 0 ? null : (double)(tokens / cost);
}
