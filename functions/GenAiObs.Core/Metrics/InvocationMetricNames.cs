namespace GenAiObs.Core.Metrics;

/// <summary>The invocation-log metric names (CloudWatch namespace from <c>POWERTOOLS_METRICS_NAMESPACE</c>).</summary>
public static class InvocationMetricNames
{
    public const string Invocations = "Invocations";
    public const string InvocationErrors = "InvocationErrors";
    public const string Throttles = "Throttles";
    public const string InputTokens = "InputTokens";
    public const string OutputTokens = "OutputTokens";
    public const string CacheReadTokens = "CacheReadTokens";
    public const string CacheWriteTokens = "CacheWriteTokens";
    public const string CostUsd = "CostUsd";

    /// <summary>Uncached input tokens' share of <see cref="CostUsd"/> (USD).</summary>
    public const string InputCostUsd = "InputCostUsd";

    /// <summary>Output tokens' share of <see cref="CostUsd"/> (USD).</summary>
    public const string OutputCostUsd = "OutputCostUsd";

    /// <summary>Cache reads' share of <see cref="CostUsd"/> (USD).</summary>
    public const string CacheReadCostUsd = "CacheReadCostUsd";

    /// <summary>Cache writes' share of <see cref="CostUsd"/> (USD).</summary>
    public const string CacheWriteCostUsd = "CacheWriteCostUsd";

    /// <summary>What cache reads saved against paying the input price for those tokens (USD; not part of CostUsd).</summary>
    public const string CacheSavingsUsd = "CacheSavingsUsd";
    public const string InvocationLatency = "InvocationLatency";
    public const string TimeToFirstToken = "TimeToFirstToken";
    public const string StopReasonCount = "StopReasonCount";
    public const string UnpricedInvocations = "UnpricedInvocations";
    public const string RejectedRecords = "RejectedRecords";

    /// <summary>Errors of the attribution documents: an EMF property, not a metric (AWS/Bedrock has the error metrics).</summary>
    public const string InvocationErrorsProperty = InvocationErrors;

    /// <summary>Input + output + cache-read + cache-write tokens of the attribution documents (EMF property; Contributor Insights "top principals by tokens").</summary>
    public const string TokensProperty = "Tokens";

    /// <summary>Output tokens of the attribution documents of tagged requests (EMF property; the dashboards' output tokens per dollar by feature and variant).</summary>
    public const string OutputTokensProperty = OutputTokens;

    private static readonly string[] Total = [MetricDimensions.Service];
    private static readonly string[] ByModel = [MetricDimensions.Service, MetricDimensions.ModelId];

    /// <summary>
    /// Every metric <see cref="InvocationMetricsBuilder"/> publishes → its dimension sets (dimension
    /// names in EMF order). Dashboards and alarms are checked against this; a test checks it
    /// against what the builder emits. Only bounded dimensions: what the vended <c>AWS/Bedrock</c>
    /// metrics already publish per ModelId for free (invocations, latency, tokens, throttles,
    /// errors) is not repeated, and principals are EMF properties, never dimensions. Team,
    /// Application and Environment sets appear only for records that carry them;
    /// UnpricedInvocations only for a model that has unpriced calls.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>> Catalogue { get; } =
        new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>(StringComparer.Ordinal)
        {
            [Invocations] = [Total],
            [CostUsd] =
            [
                Total, ByModel,
                [MetricDimensions.Service, MetricDimensions.Team],
                [MetricDimensions.Service, MetricDimensions.Application],
                [MetricDimensions.Service, MetricDimensions.Environment],
            ],
            [InputCostUsd] = [Total],
            [OutputCostUsd] = [Total],
            [CacheReadCostUsd] = [Total],
            [CacheWriteCostUsd] = [Total],
            [CacheSavingsUsd] = [Total],
            [CacheReadTokens] = [Total],
            [TimeToFirstToken] = [Total],
            [UnpricedInvocations] = [ByModel],
            [StopReasonCount] = [[MetricDimensions.Service, MetricDimensions.StopReason]],
            [RejectedRecords] = [Total, [MetricDimensions.Service, MetricDimensions.Reason]],
        };

    /// <summary>
    /// The string properties of an attribution document (EMF members that are no dimension):
    /// what Contributor Insights rules and Logs Insights queries key on.
    /// </summary>
    public static IReadOnlyList<string> AttributionProperties { get; } =
        [MetricDimensions.Principal, MetricDimensions.ModelId, MetricDimensions.Team, MetricDimensions.Application, MetricDimensions.Environment,
         MetricDimensions.Feature, MetricDimensions.Variant, MetricDimensions.PromptTemplate, MetricDimensions.Account, MetricDimensions.Region];

    /// <summary>
    /// The numeric properties of an attribution document (summed per document; no metric): what the
    /// Contributor Insights rules (CostUsd, Tokens, InvocationErrors) and the Logs Insights widgets
    /// by model (InputCostUsd, CacheSavingsUsd) and by feature (OutputTokens) read. CostUsd and Tokens
    /// are always written; the others only when not 0 (an absent member sums as 0 and matches no
    /// "greater than 0" filter), OutputTokens only on documents of requests tagged with a feature or
    /// variant (the only documents its widgets read: log ingestion is billed by the byte).
    /// </summary>
    public static IReadOnlyList<string> AttributionValues { get; } =
        [CostUsd, TokensProperty, InvocationErrorsProperty, InputCostUsd, CacheSavingsUsd, OutputTokensProperty];
}
