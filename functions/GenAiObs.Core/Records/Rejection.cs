namespace GenAiObs.Core.Records;

/// <summary>A log event (or a whole delivery when <see cref="EventId"/> is null) that was not used, and why.</summary>
/// <param name="EventId">The log event id, or null when the envelope itself was broken.</param>
/// <param name="Reason">One of <see cref="RejectReasons"/>.</param>
/// <param name="Detail">A short, content-free detail for logs (a field name or a JSON path, never a value).</param>
/// <param name="Count">How many log events this rejection stands for (1 for a record; the events lost with a broken envelope, or 1 when unknown).</param>
/// <param name="Source">Which record kind was being read: <see cref="RecordSources.Invocation"/>, <see cref="RecordSources.Span"/>, or null when unknown (envelope or unrecognised record).</param>
public sealed record Rejection(string? EventId, string Reason, string? Detail = null, int Count = 1, string? Source = null);
