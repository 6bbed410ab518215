namespace GenAiObs.Core.Records;

/// <summary>
/// One user-feedback event an application logged (see <c>FeedbackParser</c> for the schema): which
/// request or trace it rates, the rating, and the feature and variant the application names. A
/// comment is never read, so nothing here can carry it.
/// </summary>
public sealed record FeedbackRecord
{
    public required string EventId { get; init; }

    /// <summary>When the user gave the feedback (the event's <c>timestamp</c>, else the log event time).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The Bedrock <c>requestId</c> of the rated call, when given.</summary>
    public string? RequestId { get; init; }

    /// <summary>The OpenTelemetry trace id of the rated request, when given.</summary>
    public string? TraceId { get; init; }

    /// <summary>The rating on its own scale: −1 (down) or +1 (up) for thumbs, 1–5 for stars.</summary>
    public required int Rating { get; init; }

    /// <summary>True for a thumbs rating, false for 1–5.</summary>
    public required bool IsThumbs { get; init; }

    /// <summary>Satisfied: thumbs up, or 4–5 stars (3 is neutral: rated, not satisfied).</summary>
    public bool Satisfied => IsThumbs ? Rating > 0 : Rating >= 4;

    /// <summary>The feature and variant the event names (they win over the joined request's).</summary>
    public RequestDimensions? Dimensions { get; init; }
}
