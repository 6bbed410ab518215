namespace GenAiObs.Core.Processing;

/// <summary>What a request body tells about an image or video call, gathered without keeping any of its text.</summary>
internal struct RequestBodyFacts
{
    /// <summary>The body is an image request (an image <c>taskType</c> or an <c>imageGenerationConfig</c>).</summary>
    public bool ImageRequest;

    /// <summary><c>imageGenerationConfig.numberOfImages</c>, when given.</summary>
    public long? NumberOfImages;

    /// <summary>Seconds of video requested; null unless the body is a video request.</summary>
    public long? VideoSeconds;

    /// <summary>The image quality or video resolution as a <see cref="Records.MediaQualities"/> constant, when given.</summary>
    public string? Quality;

    public int? Width;
    public int? Height;

    /// <summary>Rerank queries billed for the call (one per 100 documents, rounded up); null unless the body is a rerank request (<c>query</c> and <c>documents</c>).</summary>
    public long? RerankQueries;
}
