namespace GenAiObs.Core.Records;

/// <summary>
/// What an image or video call produced or asked for, read from its logged bodies: counts and
/// the settings its per-unit price depends on, never the prompt, the images or the video.
/// </summary>
/// <param name="Images">
/// Images generated: the response's <c>images</c> array length, else the request's
/// <c>imageGenerationConfig.numberOfImages</c> (the response body is not logged when it went to S3);
/// null when neither says.
/// </param>
/// <param name="VideoSeconds">
/// Seconds of video requested (Amazon Nova Reel: <c>videoGenerationConfig.durationSeconds</c>, or
/// 6 s per shot of a <c>MULTI_SHOT_MANUAL</c> request, or 6 s for a <c>TEXT_VIDEO</c> request that
/// names no duration; Luma AI Ray: <c>duration</c>, <c>"5s"</c> or <c>"9s"</c>); null when the
/// request is not a video request or names no duration.
/// </param>
/// <param name="Quality">The request's image quality, lower-cased (<c>standard</c>, <c>premium</c>), or Luma AI Ray's video <c>resolution</c> (<c>540p</c>, <c>720p</c>); null when not given.</param>
/// <param name="Width">Output width in pixels (<c>imageGenerationConfig.width</c> or the video <c>dimension</c>), when given.</param>
/// <param name="Height">Output height in pixels, when given.</param>
public sealed record MediaUsage(long? Images, long? VideoSeconds, string? Quality, int? Width, int? Height)
{
    /// <summary>
    /// Rerank queries (Amazon Rerank, Cohere Rerank: a query with up to 100 documents is one
    /// query, so <c>documents</c> / 100 rounded up); null when the request is not a rerank request.
    /// </summary>
    public long? Queries { get; init; }

    /// <summary>Width × height, when both are known.</summary>
    public long? Pixels => Width is { } width && Height is { } height ? (long)width * height : null;
}
