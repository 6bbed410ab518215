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

    private static readonly CounterSet InvocationCounters = new(
        CounterNames.Requests, CounterNames.Errors, CounterNames.InputTokens, CounterNames.OutputTokens, CounterNames.CacheReadTokens,
        CounterNames.CacheWriteTokens, CounterNames.CostMicros, HistogramFamily.Latency, CounterNames.StopReason);

    private static readonly CounterSet SpanCounters = new(
        CounterNames.ModelCalls, CounterNames.ModelCallErrors, CounterNames.SpanInputTokens, CounterNames.SpanOutputTokens, CounterNames.SpanCacheReadTokens,
        CounterNames.SpanCacheWriteTokens, CounterNames.SpanCostMicros, HistogramFamily.SpanDuration, CounterNames.FinishReason);

    /// <summary>The figures of a key's invocation-log counters.</summary>
    public static FeatureFigures FromInvocations(AggregateCounters c) => From(c, InvocationCounters);

    /// <summary>The figures of a key's model-call span counters (latency: span duration of every span of the key).</summary>
    public static FeatureFigures FromSpans(AggregateCounters c) => From(c, SpanCounters);

    private static FeatureFigures From(AggregateCounters c, CounterSet names)
    {
        var latency = c.Histogram(names.Latency);
        var cost = AggregateCounters.FromMicros(c[names.CostMicros]);
        return new FeatureFigures(
            c[names.Requests],
            c[names.Errors],
            c[names.InputTokens],
            c[names.OutputTokens],
            c[names.InputTokens] + c[names.OutputTokens] + c[names.CacheReadTokens] + c[names.CacheWriteTokens],
            cost,
            latency.Quantile(0.50),
            latency.Quantile(0.95),
            Completion(c, names.Reason),
            PerUsd(c[names.OutputTokens], cost));
    }

    private static double? Completion(AggregateCounters c, Func<string, string> counter)
    {
        var complete = c[counter(StopReasons.EndTurn)] + c[counter(StopReasons.ToolUse)];
        var total = complete + c[counter(StopReasons.MaxTokens)];
        return total == 0 ? null : (double)complete / total;
    }

    private static double? PerUsd(long tokens, decimal cost) => cost <= 0 ? null : (double)(tokens / cost);

    /// <summary>The counter names one record family (invocation logs or model-call spans) keeps its figures under.</summary>
    private sealed record CounterSet(
        string Requests, string Errors, string InputTokens, string OutputTokens, string CacheReadTokens,
        string CacheWriteTokens, string CostMicros, HistogramFamily Latency, Func<string, string> Reason);
}
