namespace GenAiObs.Core.Processing;

/// <summary>One of the dimensions of <see cref="RequestDimensionNames"/>.</summary>
public enum RequestDimension
{
    Feature = 0,
    Variant,
    PromptTemplate,
    PromptTemplateVersion,
}
