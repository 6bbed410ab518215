using System.Globalization;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Names of the integer counters an aggregate item holds. They are top-level DynamoDB
/// attributes (ADD cannot create nested map paths), so histogram bins are counters too:
/// <c>h_lat_&lt;bin&gt;</c>, <c>h_ttft_&lt;bin&gt;</c>, <c>h_span_&lt;bin&gt;</c>.
/// </summary>
public static class CounterNames
{
    // Invocation logs.
    public const string Requests = "requests";
    public const string Errors = "errors";
    public const string Throttles = "throttles";
    public const string InputTokens = "inputTokens";
    public const string OutputTokens = "outputTokens";
    public const string CacheReadTokens = "cacheReadTokens";
    public const string CacheWriteTokens = "cacheWriteTokens";

    /// <summary>Cost in integer micro-dollars (each record's decimal cost rounded half-even, then summed).</summary>
    public const string CostMicros = "costMicros";

    /// <summary>Successful calls of a model without a price.</summary>
    public const string Unpriced = "unpriced";

    /// <summary>Calls (successful or failed) whose model had no price.</summary>
    public const string UnpricedAny = "unpricedAny";

    /// <summary>Successful calls of a model billed per image, second or request (the price table's <c>notTokenPriced</c>).</summary>
    public const string NotTokenPriced = "notTokenPriced";

    /// <summary>Calls (successful or failed) of a model billed per image, second or request.</summary>
    public const string NotTokenPricedAny = "notTokenPricedAny";

    /// <summary>Prefix of stop-reason counters (successful calls only): <c>sr_end_turn</c> …</summary>
    public const string StopReasonPrefix = "sr_";

    // Spans.
    public const string Spans = "spans";
    public const string SpanErrors = "spanErrors";
    public const string Agents = "agents";
    public const string AgentErrors = "agentErrors";
    public const string ModelCalls = "modelCalls";
    public const string ModelCallErrors = "modelCallErrors";
    public const string Tools = "tools";
    public const string ToolErrors = "toolErrors";
    public const string SpanInputTokens = "spanInputTokens";
    public const string SpanOutputTokens = "spanOutputTokens";
    public const string SpanCacheReadTokens = "spanCacheReadTokens";
    public const string SpanCacheWriteTokens = "spanCacheWriteTokens";
    public const string SpanCostMicros = "spanCostMicros";
    public const string SpanUnpriced = "spanUnpriced";

    // Quality signals (feature#, variant# and total keys; see Quality.QualityAggregation).

    /// <summary>Feedback events.</summary>
    public const string Feedback = "fb";

    /// <summary>Feedback events rating the request satisfying (thumbs up, 4–5 stars).</summary>
    public const string FeedbackSatisfied = "fbSat";

    /// <summary>Feedback events joined to their request's cost within the join window.</summary>
    public const string FeedbackJoined = "fbJoined";

    /// <summary>Cost (micro-dollars) of the requests the joined feedback rates.</summary>
    public const string FeedbackJoinedCostMicros = "fbJoinedCostMicros";

    /// <summary>Joined feedback events rating the request satisfying.</summary>
    public const string FeedbackJoinedSatisfied = "fbJoinedSat";

    /// <summary>Feedback events whose request was not found within the join window (counted, never dropped).</summary>
    public const string FeedbackUnjoined = "fbUnjoined";

    /// <summary>Evaluation results.</summary>
    public const string Evaluations = "ev";

    /// <summary>Evaluation results with a score.</summary>
    public const string EvaluationsScored = "evScored";

    /// <summary>Σ score × 10⁶ (rounded) of the scored evaluation results.</summary>
    public const string EvaluationScoreMicros = "evScoreMicros";

    /// <summary>Σ score² × 10⁶ (rounded): with the sum and count, the variance Welch's t test needs.</summary>
    public const string EvaluationScoreSquareMicros = "evScoreSqMicros";

    /// <summary>Evaluation results whose trace names no feature or variant, directly or through the join (counted under total only).</summary>
    public const string EvaluationsUnjoined = "evUnjoined";

    /// <summary>Evaluation events on spans dropped as invalid (no name, a non-finite or out-of-range score).</summary>
    public const string EvaluationsInvalid = "evInvalid";

    /// <summary>Σ (cost in USD)² × 10⁹ of tagged requests: with the cost and count, the per-request cost variance of an A/B arm.</summary>
    public const string CostSquareNanos = "costSqNanos";

    /// <summary>Prefix of model-call finish-reason counters: <c>fr_end_turn</c> …</summary>
    public const string FinishReasonPrefix = "fr_";

    public static string StopReason(string reason) => StopReasonPrefix + reason;

    public static string FinishReason(string reason) => FinishReasonPrefix + reason;

    /// <summary>The counter name of one histogram bin.</summary>
    public static string HistogramBin(HistogramFamily family, int bin) =>
        HistogramPrefix(family) + (bin == LogHistogram.ZeroBin ? "z" : bin.ToString(CultureInfo.InvariantCulture));

    public static string HistogramPrefix(HistogramFamily family) => family switch
    {
        HistogramFamily.Latency => "h_lat_",
        HistogramFamily.TimeToFirstToken => "h_ttft_",
        HistogramFamily.SpanDuration => "h_span_",
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>Parses a histogram bin counter name back into its bin.</summary>
    public static bool TryParseHistogramBin(string name, HistogramFamily family, out int bin)
    {
        var prefix = HistogramPrefix(family);
        bin = 0;
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(prefix.Length);
        if (rest is "z")
        {
            bin = LogHistogram.ZeroBin;
            return true;
        }

        return int.TryParse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out bin);
    }
}
