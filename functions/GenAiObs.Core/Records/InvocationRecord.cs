namespace GenAiObs.Core.Records;

/// <summary>
/// What the pipeline keeps of one Bedrock <c>ModelInvocationLog</c> record: counts, times and
/// identities only. Prompt and response bodies are read for their stop reason and metrics and
/// then dropped; nothing here can carry their text.
/// </summary>
public sealed record InvocationRecord
{
    /// <summary>The log event id (used for exactly-once aggregation).</summary>
    public required string EventId { get; init; }

    /// <summary>The record's own <c>timestamp</c> (event time); the log event time when absent.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary><c>InvokeModel</c>, <c>Converse</c>, <c>ConverseStream</c> or <c>InvokeModelWithResponseStream</c> (as logged).</summary>
    public required string Operation { get; init; }

    /// <summary>The <c>modelId</c> exactly as logged (profile id, ARN or base id).</summary>
    public required string ModelId { get; init; }

    /// <summary>Caller identity reduced to a role name, <c>user/NAME</c>, <c>root</c> or the ARN resource; never a role-session name.</summary>
    public required string Principal { get; init; }

    public string? AccountId { get; init; }
    public string? Region { get; init; }
    public string? InferenceRegion { get; init; }
    public string? RequestId { get; init; }

    /// <summary>Input tokens as Bedrock logs them: excluding cache reads and writes.</summary>
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }

    /// <summary>The stop reason in the Converse vocabulary (<see cref="StopReasons"/>); <c>unknown</c> when it cannot be found.</summary>
    public required string StopReason { get; init; }

    /// <summary>End-to-end latency in ms (<c>metrics.latencyMs</c> or stream <c>invocationLatency</c>), when logged.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Time to first token in ms (stream <c>firstByteLatency</c>), when logged.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>The logged <c>errorCode</c> of a failed call; null for a successful one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The caller-supplied <c>requestMetadata</c> tags the pipeline reports — team, application, environment (keys as logged, any case) — when present; every other entry is dropped at parse time.</summary>
    public IReadOnlyDictionary<string, string>? RequestMetadata { get; init; }

    /// <summary>The request's feature, A/B variant and prompt template from requestMetadata (<c>RequestDimensionNames</c> keys), when tagged.</summary>
    public RequestDimensions? Dimensions { get; init; }

    /// <summary>Images generated or video seconds requested, with the quality and size they are priced by; null for a call that is neither.</summary>
    public MediaUsage? Media { get; init; }

    public bool IsError => ErrorCode is not null;

    public bool IsThrottle => ErrorCode is "ThrottlingException" or "TooManyRequestsException" or "ServiceQuotaExceededException";
}
