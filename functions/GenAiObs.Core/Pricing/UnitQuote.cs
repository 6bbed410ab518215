namespace GenAiObs.Core.Pricing;

/// <summary>The per-unit price of one call of a model that is not billed per token.</summary>
/// <param name="Unit">What the model is billed per (<c>image</c>, <c>second</c>, <c>request</c>, <c>query</c>).</param>
/// <param name="Units">Images generated or video seconds requested by the call (0 when not counted).</param>
/// <param name="Tier">The <c>perUnit</c> tier that priced it; null when none did.</param>
/// <param name="CostUsd">Units × the tier's USD (0 when not <paramref name="Priced"/>).</param>
/// <param name="Priced">A tier priced the call; false: its units are counted and it stays "not token-priced" without a cost, never priced by its tokens.</param>
public readonly record struct UnitQuote(string Unit, long Units, string? Tier, decimal CostUsd, bool Priced);
