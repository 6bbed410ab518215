using GenAiObs.Core.Records;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// The log events of one delivery (a Lambda event or a CLI file), decoded. It owns the pooled
/// buffers the events' <see cref="LogEvent.Message"/> slices point into: dispose it only after
/// every event has been processed, and never keep a message beyond that.
/// </summary>
public sealed class DecodedDelivery : IDisposable
{
    private readonly MessageArena _arena;
    private readonly List<LogEvent> _events;
    private readonly List<Rejection> _rejections;

    internal DecodedDelivery(MessageArena arena, List<LogEvent> events, List<Rejection> rejections, int controlMessages, string? logGroup, string? owner = null)
    {
        _arena = arena;
        _events = events;
        _rejections = rejections;
        ControlMessages = controlMessages;
        LogGroup = logGroup;
        Owner = owner;
    }

    /// <summary>The log events to parse, in delivery order.</summary>
    public IReadOnlyList<LogEvent> Events => _events;

    /// <summary>
    /// What could not be decoded: a broken envelope or payload (<see cref="Rejection.EventId"/> null)
    /// or a single event that is unusable before parsing (e.g. <c>message_too_large</c>).
    /// </summary>
    public IReadOnlyList<Rejection> Rejections => _rejections;

    /// <summary>CONTROL_MESSAGE payloads acknowledged and dropped.</summary>
    public int ControlMessages { get; }

    /// <summary>The source log group of the first DATA_MESSAGE, when the input names one.</summary>
    public string? LogGroup { get; }

    /// <summary>The <c>owner</c> (source account id) of the first DATA_MESSAGE, when the payload names one.</summary>
    public string? Owner { get; }

    /// <summary>
    /// Returns the pooled buffers that hold only messages of events before <paramref name="index"/>:
    /// for a consumer that is done with those events, so a reader waiting for buffers can go on
    /// while the rest of this delivery is processed. Their messages are invalid afterwards.
    /// </summary>
    public void ReleaseMessagesBefore(int index)
    {
        if (index < _events.Count)
        {
            _arena.ReleaseBefore(_events[index].Message);
        }
    }

    /// <summary>Returns the pooled buffers. Every <see cref="LogEvent.Message"/> of this delivery is invalid afterwards.</summary>
    public void Dispose() => _arena.Dispose();
}
