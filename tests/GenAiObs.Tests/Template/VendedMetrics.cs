namespace GenAiObs.Tests.Template;

/// <summary>
/// AWS-vended metrics the pinned service spec does not list yet, with their documented
/// dimension sets. Amazon Bedrock runtime metrics: Amazon Bedrock User Guide, "Monitor
/// bedrock-runtime inference using CloudWatch metrics"
/// (https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html) — published
/// per <c>ModelId</c> and across all model IDs (no dimension).
/// </summary>
public static class VendedMetrics
{
    private static readonly string[] BedrockRuntime =
    [
        "Invocations", "InvocationLatency", "InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles",
        "InputTokenCount", "OutputTokenCount", "LegacyModelInvocations", "OutputImageCount",
    ];

    /// <summary>The dimension-name sets of a vended metric this table knows, or null.</summary>
    public static IReadOnlyList<HashSet<string>>? DimensionSets(string metricNamespace, string metricName) =>
        metricNamespace == "AWS/Bedrock" && BedrockRuntime.Contains(metricName, StringComparer.Ordinal)
            ? [new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(["ModelId"], StringComparer.Ordinal)]
            : null;
}
