namespace GenAiObs.Core.Metrics;

/// <summary>Receives one serialized EMF document (valid only during the call).</summary>
internal delegate void DocumentSink(ReadOnlySpan<byte> document);
