namespace GenAiObs.Core.Pricing;

/// <summary>What a model's tokens are billed for.</summary>
public enum ModelKind
{
    /// <summary>Text generation: input, output and (where offered) cache tokens.</summary>
    Text,

    /// <summary>Embeddings: billed on input tokens only (the Amazon Bedrock pricing page), output price 0.</summary>
    Embedding,
}
