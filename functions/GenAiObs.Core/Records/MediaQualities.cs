namespace GenAiObs.Core.Records;

/// <summary>The image qualities a request can name (Amazon Titan Image Generator, Amazon Nova Canvas): the price tiers' quality part.</summary>
public static class MediaQualities
{
    public const string Standard = "standard";
    public const string Premium = "premium";

    /// <summary>A quality the pipeline does not know: kept as this word, never as the request's text, so no price tier matches it.</summary>
    public const string Other = "other";
}
