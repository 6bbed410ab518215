namespace GenAiObs.Core.Processing;

/// <summary>A record-level parse failure carrying its reject reason (never record content).</summary>
internal sealed class RecordRejectedException(string reason, string detail) : Exception(reason)
{
    public string Reason { get; } = reason;
    public string Detail { get; } = detail;
}
