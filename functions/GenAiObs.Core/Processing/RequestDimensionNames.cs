namespace GenAiObs.Core.Processing;

/// <summary>
/// The dimensions that say what a request was for — the product <c>feature</c>, the
/// <c>prompt_template</c> (name and version) and the A/B <c>variant</c> — and where the parsers
/// find them: a <c>requestMetadata</c> key of Bedrock invocation logs (any case) and an
/// OpenTelemetry attribute of spans (the span's own attributes first, else its resource's).
/// OpenTelemetry has no semantic convention for these, so the default attribute names use the
/// <c>app.</c> namespace (the specification's attribute-naming rules reserve only the OTel-defined
/// namespaces: https://opentelemetry.io/docs/specs/semconv/general/naming/); both sets of names
/// are configurable (<c>GENAIOBS_DIMENSION_KEYS</c>, <c>GENAIOBS_DIMENSION_ATTRIBUTES</c>).
/// </summary>
public sealed record RequestDimensionNames
{
    /// <summary>Dimension names as written in the overrides (<c>feature=…,variant=…</c>), in documentation order.</summary>
    public static IReadOnlyList<string> Dimensions { get; } = ["feature", "variant", "prompt_template", "prompt_template_version"];

    /// <summary>requestMetadata key of the feature (default <c>feature</c>).</summary>
    public string FeatureKey { get; init; } = "feature";

    /// <summary>requestMetadata key of the A/B arm (default <c>variant</c>).</summary>
    public string VariantKey { get; init; } = "variant";

    /// <summary>requestMetadata key of the prompt template's name (default <c>prompt_template</c>).</summary>
    public string PromptTemplateKey { get; init; } = "prompt_template";

    /// <summary>requestMetadata key of the prompt template's version (default <c>prompt_template_version</c>).</summary>
    public string PromptTemplateVersionKey { get; init; } = "prompt_template_version";

    /// <summary>Span (or resource) attribute of the feature (default <c>app.feature</c>).</summary>
    public string FeatureAttribute { get; init; } = "app.feature";

    /// <summary>Span (or resource) attribute of the A/B arm (default <c>app.variant</c>).</summary>
    public string VariantAttribute { get; init; } = "app.variant";

    /// <summary>Span (or resource) attribute of the prompt template's name (default <c>app.prompt_template.name</c>).</summary>
    public string PromptTemplateAttribute { get; init; } = "app.prompt_template.name";

    /// <summary>Span (or resource) attribute of the prompt template's version (default <c>app.prompt_template.version</c>).</summary>
    public string PromptTemplateVersionAttribute { get; init; } = "app.prompt_template.version";

    public static RequestDimensionNames Default { get; } = new();

    /// <summary>The requestMetadata keys in <see cref="RequestDimension"/> order.</summary>
    public IReadOnlyList<string> MetadataKeys => [FeatureKey, VariantKey, PromptTemplateKey, PromptTemplateVersionKey];

    /// <summary>The span attribute names in <see cref="RequestDimension"/> order.</summary>
    public IReadOnlyList<string> Attributes => [FeatureAttribute, VariantAttribute, PromptTemplateAttribute, PromptTemplateVersionAttribute];

    /// <summary>These names with the requestMetadata keys of <paramref name="overrides"/> (<c>feature=use_case,variant=arm</c>).</summary>
    /// <exception cref="FormatException">An unknown dimension, a malformed pair or a blank or over-long name.</exception>
    public RequestDimensionNames WithKeys(string overrides) => With(overrides, attributes: false);

    /// <summary>These names with the span attribute names of <paramref name="overrides"/> (<c>feature=com.acme.feature</c>).</summary>
    /// <exception cref="FormatException">An unknown dimension, a malformed pair or a blank or over-long name.</exception>
    public RequestDimensionNames WithAttributes(string overrides) => With(overrides, attributes: true);

    private RequestDimensionNames With(string overrides, bool attributes)
    {
        var names = this;
        foreach (var part in overrides.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var dimension = equals < 0 ? part : part[..equals].Trim().ToLowerInvariant();
            if (equals < 0 || !Dimensions.Contains(dimension))
            {
                throw new FormatException($"'{part}' is not dimension=name with a dimension of {string.Join(", ", Dimensions)}.");
            }

            var name = part[(equals + 1)..].Trim();
            if (name.Length is 0 or > 128)
            {
                throw new FormatException($"'{part}': the name must be 1 to 128 characters.");
            }

            names = (dimension, attributes) switch
            {
                ("feature", false) => names with { FeatureKey = name },
                ("variant", false) => names with { VariantKey = name },
                ("prompt_template", false) => names with { PromptTemplateKey = name },
                ("prompt_template_version", false) => names with { PromptTemplateVersionKey = name },
                ("feature", true) => names with { FeatureAttribute = name },
                ("variant", true) => names with { VariantAttribute = name },
                ("prompt_template", true) => names with { PromptTemplateAttribute = name },
                _ => names with { PromptTemplateVersionAttribute = name },
            };
        }

        var keys = names.MetadataKeys.Select(k => k.ToLowerInvariant()).ToList();
        if (keys.Distinct().Count() != keys.Count || names.Attributes.Distinct(StringComparer.Ordinal).Count() != names.Attributes.Count)
        {
            throw new FormatException("two dimensions may not share one name.");
        }

        return names;
    }

    /// <summary>The dimension a requestMetadata key names (any case), or null.</summary>
    public RequestDimension? OfMetadataKey(ReadOnlySpan<char> key)
    {
        if (key.Equals(FeatureKey, StringComparison.OrdinalIgnoreCase))
        {
            return RequestDimension.Feature;
        }

        if (key.Equals(VariantKey, StringComparison.OrdinalIgnoreCase))
        {
            return RequestDimension.Variant;
        }

        if (key.Equals(PromptTemplateKey, StringComparison.OrdinalIgnoreCase))
        {
            return RequestDimension.PromptTemplate;
        }

        return key.Equals(PromptTemplateVersionKey, StringComparison.OrdinalIgnoreCase) ? RequestDimension.PromptTemplateVersion : null;
    }

    /// <summary>The dimension a span attribute names (exact case, as OpenTelemetry keys are), or null.</summary>
    public RequestDimension? OfAttribute(ReadOnlySpan<char> key)
    {
        if (key.SequenceEqual(FeatureAttribute))
        {
            return RequestDimension.Feature;
        }

        if (key.SequenceEqual(VariantAttribute))
        {
            return RequestDimension.Variant;
        }

        if (key.SequenceEqual(PromptTemplateAttribute))
        {
            return RequestDimension.PromptTemplate;
        }

        return key.SequenceEqual(PromptTemplateVersionAttribute) ? RequestDimension.PromptTemplateVersion : null;
    }
}
