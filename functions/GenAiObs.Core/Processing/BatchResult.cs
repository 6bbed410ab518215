using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>Everything one delivery produced: priced records, spans and the rejections (with reasons).</summary>
public sealed class BatchResult
{
    /// <summary>Stable id of the delivery: lowercase hex SHA-256 (first 32 chars) over its event ids joined with '\n', in order.</summary>
    public required string BatchId { get; init; }

    /// <summary>
    /// Where the delivery came from when it arrived through a central Kinesis stream (the source
    /// account and region then become aggregate keys); null for a direct subscription, whose
    /// single account and region would only repeat <c>total</c>.
    /// </summary>
    public DeliveryOrigin? Origin { get; init; }

    /// <summary>Log events seen, including rejected ones (control messages are not counted).</summary>
    public int EventCount { get; internal set; }

    /// <summary>CONTROL_MESSAGE payloads acknowledged and dropped.</summary>
    public int ControlMessages { get; internal set; }

    /// <summary>Accepted invocation records, failed calls included, with their cost.</summary>
    public List<PricedInvocation> Invocations { get; } = [];

    /// <summary>Accepted spans with the cost of their model calls.</summary>
    public List<PricedSpan> Spans { get; } = [];

    /// <summary>Accepted user-feedback events (<see cref="FeedbackParser"/>).</summary>
    public List<FeedbackRecord> Feedback { get; } = [];

    /// <summary>Accepted evaluation results that were log records of their own (an evaluation event on a span stays with its span).</summary>
    public List<EvaluationRecord> Evaluations { get; } = [];

    /// <summary>True when the delivery holds feedback or evaluation results (on spans or of their own).</summary>
    public bool HasQualitySignals => Feedback.Count > 0 || Evaluations.Count > 0 || Spans.Exists(s => s.Span.Evaluations.Count > 0 || s.Span.InvalidEvaluations > 0);

    /// <summary>Envelope and record rejections.</summary>
    public List<Rejection> Rejections { get; } = [];

    /// <summary>Log events rejected: the sum of <see cref="Rejection.Count"/>.</summary>
    public int RejectedCount
    {
        get
        {
            var total = 0;
            foreach (var rejection in Rejections)
            {
                total += rejection.Count;
            }

            return total;
        }
    }

    /// <summary>
    /// One result holding every record, span and rejection of <paramref name="parts"/> (the
    /// records of one stream batch, each processed on its own), for metrics and logs.
    /// </summary>
    public static BatchResult Combine(string batchId, IEnumerable<BatchResult> parts)
    {
        var combined = new BatchResult { BatchId = batchId };
        foreach (var part in parts)
        {
            combined.EventCount += part.EventCount;
            combined.ControlMessages += part.ControlMessages;
            combined.Invocations.AddRange(part.Invocations);
            combined.Spans.AddRange(part.Spans);
            combined.Feedback.AddRange(part.Feedback);
            combined.Evaluations.AddRange(part.Evaluations);
            combined.Rejections.AddRange(part.Rejections);
        }

        return combined;
    }
}
