namespace GenAiObs.Core.Pricing;

/// <summary>The price of one call, or why there is none.</summary>
/// <param name="Status">Priced, unpriced, or a model that is not billed per token.</param>
/// <param name="CostUsd">The cost in USD (0 unless <see cref="PriceStatus.Priced"/>).</param>
/// <param name="PriceKey">The <c>models</c> (or <c>notTokenPriced</c>) key that matched.</param>
public readonly record struct PriceQuote(PriceStatus Status, decimal CostUsd, string? PriceKey)
{
    /// <summary>True when the model has token prices (the cost is exact).</summary>
    public bool Priced => Status == PriceStatus.Priced;
}

/// <summary>
/// The parts of one call's cost (USD, the same regional multiplier applied to each), for the
/// FinOps dollar panels. <see cref="TotalUsd"/> equals the quote's CostUsd exactly.
/// </summary>
/// <param name="InputUsd">Uncached input tokens at the input price.</param>
/// <param name="OutputUsd">Output tokens at the output price.</param>
/// <param name="CacheReadUsd">Cache-read tokens at the cache-read price.</param>
/// <param name="CacheWriteUsd">Cache-write tokens at the cache-write price.</param>
/// <param name="CacheSavingsUsd">
/// What the cache reads saved: those tokens at the input price minus what they cost
/// (0 for a model without a cache-read price, which is then billed at the input price).
/// </param>
/// <param name="PerUnitUsd">Images or video seconds at a not-token-priced model's <c>perUnit</c> price (<see cref="UnitQuote"/>).</param>
public readonly record struct CostBreakdown(decimal InputUsd, decimal OutputUsd, decimal CacheReadUsd, decimal CacheWriteUsd, decimal CacheSavingsUsd, decimal PerUnitUsd = 0m)
{
    public decimal TotalUsd => InputUsd + OutputUsd + CacheReadUsd + CacheWriteUsd + PerUnitUsd;
}
