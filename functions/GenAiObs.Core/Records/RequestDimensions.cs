namespace GenAiObs.Core.Records;

/// <summary>
/// What a request was for, as its caller tagged it (requestMetadata of an invocation log, attributes
/// of a span): the product feature, the A/B arm and the prompt template. Each value is at most
/// <see cref="MaxValueLength"/> characters; blank values are absent.
/// </summary>
/// <param name="Feature">The product feature (e.g. <c>summarise-ticket</c>).</param>
/// <param name="Variant">The A/B arm within the feature (e.g. <c>A</c>, <c>control</c>).</param>
/// <param name="PromptTemplate">The prompt template's name.</param>
/// <param name="PromptTemplateVersion">The prompt template's version.</param>
public sealed record RequestDimensions(string? Feature, string? Variant, string? PromptTemplate, string? PromptTemplateVersion)
{
    /// <summary>Longest value kept (longer values are ignored as not a tag: they are free text).</summary>
    public const int MaxValueLength = 256;

    /// <summary>What a variant without a feature is counted under.</summary>
    public const string NoFeature = "unknown";

    /// <summary>The template as one value: <c>name@version</c>, or the name alone; null without a name.</summary>
    public string? Template => PromptTemplate is null ? null : PromptTemplateVersion is null ? PromptTemplate : PromptTemplate + "@" + PromptTemplateVersion;

    /// <summary>True when no dimension is set.</summary>
    public bool IsEmpty => Feature is null && Variant is null && PromptTemplate is null;

    /// <summary>A record's dimensions from the four raw values (blank or over-long: absent); null when none is set.</summary>
    public static RequestDimensions? From(string? feature, string? variant, string? template, string? version)
    {
        var dimensions = new RequestDimensions(Clean(feature), Clean(variant), Clean(template), Clean(version));
        return dimensions.IsEmpty ? null : dimensions;
    }

    private static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        return trimmed.Length > MaxValueLength ? null : trimmed;
    }
}
