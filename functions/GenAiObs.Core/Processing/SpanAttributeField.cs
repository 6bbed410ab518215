namespace GenAiObs.Core.Processing;

/// <summary>The part of a <see cref="Records.SpanRecord"/> an OpenTelemetry attribute feeds (see <see cref="SpanAttributes"/>).</summary>
public enum SpanAttributeField
{
    OperationName,
    Provider,
    Model,
    InputTokens,
    OutputTokens,
    CacheReadTokens,
    CacheWriteTokens,
    FinishReasons,
    ToolName,
    ToolStatus,
    AgentName,
    SessionId,
    ErrorType,
    ServiceName,
    Environment,
}
