namespace GenAiObs.Core.Processing;

/// <summary>What an output body tells about the call, gathered without keeping any of its text.</summary>
internal struct ResponseBodyFacts
{
    /// <summary>Canonical stop reason (a <see cref="Records.StopReasons"/> constant), when found.</summary>
    public string? StopReason;
    public double? LatencyMs;
    public double? FirstByteMs;

    /// <summary>Token counts from a stream's <c>amazon-bedrock-invocationMetrics</c> (fallback when the record lacks them).</summary>
    public long? StreamInputTokens;
    public long? StreamOutputTokens;

    /// <summary>
    /// <c>"amazon-bedrock-guardrailAction":"INTERVENED"</c> in an InvokeModel body or a stream chunk
    /// (Amazon Bedrock User Guide, "Use a guardrail with InvokeModel"): the guardrail replaced the
    /// answer, whatever stop reason the model reported.
    /// </summary>
    public bool GuardrailIntervened;

    /// <summary>
    /// Images in the response (the length of its top-level <c>images</c> array: Amazon Titan Image
    /// Generator, Amazon Nova Canvas, Stability AI); 0 for a Stability AI response that carries
    /// <c>finish_reasons</c> but no images (filtered); null when the body says nothing of images.
    /// </summary>
    public long? ImageCount;
}
