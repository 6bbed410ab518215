namespace GenAiObs.Core.Processing;

/// <summary>Which parser a log event's message belongs to.</summary>
internal enum RecordKind
{
    Rejected = 0,
    Invocation,
    Span,
    Feedback,
}
