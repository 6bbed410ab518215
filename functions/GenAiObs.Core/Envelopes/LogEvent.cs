namespace GenAiObs.Core.Envelopes;

/// <summary>
/// One CloudWatch Logs event from a subscription delivery. <see cref="Message"/> is the
/// unescaped UTF-8 text of the log record; it points into a buffer owned by the batch, so it is
/// valid only while the batch is being processed and is never turned into a string (it may hold
/// prompt and response text).
/// </summary>
/// <param name="Id">The event id CloudWatch Logs assigned (a ~56-digit decimal string), or a synthetic id for local inputs without one.</param>
/// <param name="TimestampMs">The event's ingestion timestamp, epoch milliseconds.</param>
/// <param name="Message">The log record as UTF-8 JSON bytes.</param>
public readonly record struct LogEvent(string Id, long TimestampMs, ReadOnlyMemory<byte> Message);
