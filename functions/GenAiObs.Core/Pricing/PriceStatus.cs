namespace GenAiObs.Core.Pricing;

/// <summary>How the price table answered for one model.</summary>
public enum PriceStatus
{
    /// <summary>The model has token prices; the cost is exact.</summary>
    Priced,

    /// <summary>
    /// No entry matched: the call must be counted as unpriced, never as $0 (the
    /// <c>UnpricedModelInUse</c> alert names the model).
    /// </summary>
    Unpriced,

    /// <summary>
    /// The model is billed per image, per second of video or per request, not per token
    /// (listed in the table's <c>notTokenPriced</c>): its calls are counted apart and never
    /// priced by their token counts.
    /// </summary>
    NotTokenPriced,
}
