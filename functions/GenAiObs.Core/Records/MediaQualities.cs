namespace GenAiObs.Core.Records;

/// <summary>
/// The image qualities (Amazon Titan Image Generator, Amazon Nova Canvas) and video resolutions
/// (Luma AI Ray) a request can name: the price tiers' quality part.
/// </summary>
public static class MediaQualities
{
    public const string Standard = "standard";
    public const string Premium = "premium";

    /// <summary>Luma AI Ray's <c>resolution</c> values (Amazon Bedrock User Guide, "Luma AI models").</summary>
    public const string Resolution540p = "540p";
    public const string Resolution720p = "720p";

    /// <summary>A quality the pipeline does not know: kept as this word, never as the request's text, so no price tier matches it.</summary>
    public const string Other = "other";
}
