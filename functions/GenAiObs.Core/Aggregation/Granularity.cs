namespace GenAiObs.Core.Aggregation;

/// <summary>The time resolution of an aggregate item.</summary>
public enum Granularity
{
    /// <summary>5-minute buckets written by the subscription Lambdas.</summary>
    Fine = 0,

    /// <summary>Hourly rollups of the fine buckets.</summary>
    Hourly,

    /// <summary>Daily (UTC) rollups of the hourly items.</summary>
    Daily,
}
