namespace GenAiObs.Core.Records;

/// <summary>
/// What the pipeline keeps of one OpenTelemetry span from <c>aws/spans</c>: identities, times,
/// token counts and outcome. Span events and message attributes are never kept.
/// </summary>
public sealed record SpanRecord
{
    public required string EventId { get; init; }
    public required string TraceId { get; init; }
    public required string SpanId { get; init; }
    public string? ParentSpanId { get; init; }

    /// <summary>The span name (e.g. <c>chat us.anthropic…</c>, <c>execute_tool get_weather</c>).</summary>
    public required string Name { get; init; }
    public required SpanClass Class { get; init; }

    /// <summary><c>gen_ai.operation.name</c> when present.</summary>
    public string? OperationName { get; init; }

    /// <summary>OTLP span kind as a string (<c>INTERNAL</c>, <c>CLIENT</c> …), when present.</summary>
    public string? Kind { get; init; }

    /// <summary>True when the span's status is ERROR (string or OTLP code 2).</summary>
    public bool IsError { get; init; }

    /// <summary>The span's end (event time).</summary>
    public required DateTimeOffset End { get; init; }
    public required double DurationMs { get; init; }

    public string? ServiceName { get; init; }
    public string? Environment { get; init; }

    /// <summary><c>gen_ai.request.model</c>, else <c>gen_ai.response.model</c>.</summary>
    public string? Model { get; init; }

    /// <summary><c>gen_ai.provider.name</c>, else the older <c>gen_ai.system</c>.</summary>
    public string? Provider { get; init; }
    public string? ToolName { get; init; }
    public string? AgentName { get; init; }
    public string? SessionId { get; init; }

    /// <summary>Input tokens as the span reports them (OTel: SHOULD include cached tokens).</summary>
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }

    /// <summary>Finish reasons normalised to <see cref="StopReasons"/>.</summary>
    public IReadOnlyList<string> FinishReasons { get; init; } = [];

    /// <summary>A tool span that failed: status ERROR or <c>gen_ai.tool.status</c> of error/failure.</summary>
    public bool ToolFailed { get; init; }

    /// <summary><c>error.type</c> when present.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The span's feature, A/B variant and prompt template from its (or its resource's) attributes, when tagged.</summary>
    public RequestDimensions? Dimensions { get; init; }

    /// <summary>The span's <c>gen_ai.evaluation.result</c> events (name, score, label; never the explanation).</summary>
    public IReadOnlyList<EvaluationRecord> Evaluations { get; init; } = [];

    /// <summary>Evaluation events of this span that were dropped as invalid (no name, a non-finite score).</summary>
    public int InvalidEvaluations { get; init; }
}
