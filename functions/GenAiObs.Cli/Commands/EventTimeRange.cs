using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;

namespace GenAiObs.Cli;

/// <summary>The earliest and latest event time seen: a record's own time, a span's end.</summary>
internal sealed class EventTimeRange
{
    public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

    public bool IsEmpty => First > Last;

    /// <summary>The distinct 5-minute buckets holding an event.</summary>
    public HashSet<DateTimeOffset> Buckets { get; } = [];

    public void Add(BatchResult result)
    {
        foreach (var invocation in result.Invocations)
        {
            Add(invocation.Record.Timestamp);
        }

        foreach (var span in result.Spans)
        {
            Add(span.Span.End);
        }

        foreach (var feedback in result.Feedback)
        {
            Add(feedback.Timestamp);
        }

        foreach (var evaluation in result.Evaluations)
        {
            Add(evaluation.Timestamp);
        }
    }

    private void Add(DateTimeOffset at)
    {
        Buckets.Add(Core.Aggregation.Buckets.StartOf(at, Granularity.Fine));
        First = at < First ? at : First;
        Last = at > Last ? at : Last;
    }
}
