namespace GenAiObs.Core.Metrics;

/// <summary>The span metric names, and the dimension sets each is published under.</summary>
public static class SpanMetricNames
{
    public const string AgentInvocations = "AgentInvocations";
    public const string AgentErrors = "AgentErrors";
    public const string ModelCalls = "ModelCalls";
    public const string ModelCallErrors = "ModelCallErrors";
    public const string ModelCallLatency = "ModelCallLatency";
    public const string SpanInputTokens = "SpanInputTokens";
    public const string SpanOutputTokens = "SpanOutputTokens";
    public const string SpanCacheReadTokens = "SpanCacheReadTokens";
    public const string SpanCacheWriteTokens = "SpanCacheWriteTokens";
    public const string AgentModelCostUsd = "AgentModelCostUsd";
    public const string UnpricedModelCalls = "UnpricedModelCalls";
    public const string ToolCalls = "ToolCalls";
    public const string ToolErrors = "ToolErrors";
    public const string ToolLatency = "ToolLatency";
    public const string ComponentLatency = "ComponentLatency";
    public const string FinishReasonCount = "FinishReasonCount";
    public const string Sessions = "Sessions";
    public const string ModelCallsPerSession = "ModelCallsPerSession";
    public const string RejectedRecords = "RejectedRecords";

    /// <summary>
    /// The string properties of the span attribution documents (the agent, model-call and tool
    /// groups of tagged spans): what the Logs Insights widgets by feature and variant key on.
    /// </summary>
    public static IReadOnlyList<string> AttributionProperties { get; } =
        [MetricDimensions.Feature, MetricDimensions.Variant, MetricDimensions.PromptTemplate, MetricDimensions.Account, MetricDimensions.Region];

    private static readonly string[] ByService = [SpanMetricsBuilder.ServiceDimension, SpanMetricsBuilder.EnvironmentDimension];
    private static readonly string[] ByModel = [.. ByService, SpanMetricsBuilder.ModelDimension];
    private static readonly string[] ByTool = [.. ByService, SpanMetricsBuilder.ToolDimension];

    /// <summary>
    /// Every metric <see cref="SpanMetricsBuilder"/> publishes → its dimension sets (dimension names
    /// in EMF order). Dashboards and alarms can be checked against this.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>> Catalogue { get; } =
        new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>(StringComparer.Ordinal)
        {
            [AgentInvocations] = [ByService],
            [AgentErrors] = [ByService],
            [ModelCalls] = [ByService, ByModel],
            [ModelCallErrors] = [ByService, ByModel],
            [SpanInputTokens] = [ByService, ByModel],
            [SpanOutputTokens] = [ByService, ByModel],
            [SpanCacheReadTokens] = [ByService, ByModel],
            [SpanCacheWriteTokens] = [ByService, ByModel],
            [AgentModelCostUsd] = [ByService, ByModel],
            [UnpricedModelCalls] = [ByService, ByModel],
            [ModelCallLatency] = [ByModel],
            [ToolCalls] = [ByService, ByTool],
            [ToolErrors] = [ByService, ByTool],
            [ToolLatency] = [ByTool],
            [ComponentLatency] = [[.. ByService, SpanMetricsBuilder.ComponentDimension]],
            [FinishReasonCount] = [[.. ByService, SpanMetricsBuilder.FinishReasonDimension]],
            [Sessions] = [ByService],
            [ModelCallsPerSession] = [ByService],
            [RejectedRecords] = [[SpanMetricsBuilder.ServiceDimension], [SpanMetricsBuilder.ServiceDimension, SpanMetricsBuilder.ReasonDimension]],
        };
}
