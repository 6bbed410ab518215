namespace GenAiObs.Core.Records;

/// <summary>
/// One OpenTelemetry GenAI evaluation result (the <c>gen_ai.evaluation.result</c> event:
/// https://github.com/open-telemetry/semantic-conventions-genai, model/gen-ai/events.yaml), either
/// an event on a span in <c>aws/spans</c> or a log record of its own, as Amazon Bedrock AgentCore
/// Evaluations writes them ("Results and output", AgentCore Developer Guide). The explanation is
/// never read.
/// </summary>
public sealed record EvaluationRecord
{
    public required string EventId { get; init; }

    /// <summary>The event's time, else the span's end or the log event time.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary><c>gen_ai.evaluation.name</c> (e.g. <c>Builtin.Helpfulness</c>, <c>relevance</c>).</summary>
    public required string Name { get; init; }

    /// <summary><c>gen_ai.evaluation.score.value</c>, when given.</summary>
    public double? Score { get; init; }

    /// <summary><c>gen_ai.evaluation.score.label</c> (low cardinality: <c>pass</c>, <c>relevant</c> …), when given.</summary>
    public string? Label { get; init; }

    /// <summary>The evaluated trace, for joining to what the request was for and cost.</summary>
    public string? TraceId { get; init; }

    /// <summary>The evaluated span's feature and variant, when the result is an event on a tagged span.</summary>
    public RequestDimensions? Dimensions { get; init; }
}
