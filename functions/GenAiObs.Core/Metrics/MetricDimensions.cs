namespace GenAiObs.Core.Metrics;

/// <summary>The dimension names the metric builders use.</summary>
public static class MetricDimensions
{
    public const string Service = "Service";
    public const string ModelId = "ModelId";
    public const string Principal = "Principal";
    public const string StopReason = "StopReason";
    public const string InferenceRegion = "InferenceRegion";
    public const string Team = "Team";
    public const string Application = "Application";
    public const string Environment = "Environment";
    public const string Reason = "Reason";

    /// <summary>The request's feature (requestMetadata <c>feature</c>): an attribution property, never a dimension.</summary>
    public const string Feature = "Feature";

    /// <summary>The request's A/B arm: an attribution property, never a dimension.</summary>
    public const string Variant = "Variant";

    /// <summary>The request's prompt template (<c>name@version</c>): an attribution property, never a dimension.</summary>
    public const string PromptTemplate = "PromptTemplate";

    /// <summary>The account whose log group the record came from (central ingestion only): an attribution property, never a dimension.</summary>
    public const string Account = "Account";

    /// <summary>The Region of that log group (central ingestion only): an attribution property, never a dimension.</summary>
    public const string Region = "Region";

    /// <summary>The value standing for every principal (or team, application) outside the per-batch top N.</summary>
    public const string Other = "other";
}
