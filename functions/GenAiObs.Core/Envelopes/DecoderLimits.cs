namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Bounds on what one delivery may cost to decode. A delivery beyond them is rejected with a
/// named reason instead of exhausting the function's memory.
/// </summary>
/// <param name="MaxDecompressedBytes">Cap on the gunzipped size of one payload (a gzip bomb stops here: <c>decompressed_too_large</c>).</param>
/// <param name="MaxMessageBytes">Cap on one log event's unescaped message (CloudWatch Logs itself caps events at 1 MB): <c>message_too_large</c>.</param>
/// <param name="MaxJsonDepth">Maximum nesting of any JSON document read (envelope or record): <c>too_deep</c>.</param>
public sealed record DecoderLimits(long MaxDecompressedBytes = 64L * 1024 * 1024, int MaxMessageBytes = 1024 * 1024, int MaxJsonDepth = 64)
{
    /// <summary>The defaults above.</summary>
    public static DecoderLimits Default { get; } = new();
}
