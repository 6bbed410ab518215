using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;

namespace GenAiObs.Core.Records;

/// <summary>An invocation record with its computed cost.</summary>
/// <param name="Record">The parsed record.</param>
/// <param name="CostUsd">Cost in USD: tokens at the token price, or images and video seconds at the per-unit price (0 for a failed call, an unpriced model, or a not-token-priced model without a per-unit price).</param>
/// <param name="Priced">False when the model has no token price (a successful call is then counted as unpriced, never silently $0 — unless <paramref name="NotTokenPriced"/>).</param>
/// <param name="PriceKey">The price-table key that matched, when priced.</param>
/// <param name="Breakdown">The cost's parts (input, output, cache read/write) and the cache savings; all zero when <paramref name="CostUsd"/> is.</param>
/// <param name="NotTokenPriced">The model is billed per image, second or request (the table's <c>notTokenPriced</c>): counted apart, neither priced by tokens nor unpriced.</param>
public sealed record PricedInvocation(InvocationRecord Record, decimal CostUsd, bool Priced, string? PriceKey, CostBreakdown Breakdown = default, bool NotTokenPriced = false)
{
    /// <summary>The model has no entry at all: its calls are unpriced (never $0) and alert.</summary>
    public bool Unpriced => !Priced && !NotTokenPriced;

    /// <summary>The delivery's source account and Region in central ingestion (null in direct mode): kept per invocation because a stream batch mixes accounts.</summary>
    public DeliveryOrigin? Origin { get; init; }

    /// <summary>A successful call of a not-token-priced model: its units and their per-unit price (its cost is in <see cref="CostUsd"/>); null otherwise.</summary>
    public UnitQuote? PerUnit { get; init; }
}

/// <summary>A span with the cost of its model call priced from the same table (0 for other classes).</summary>
/// <param name="Span">The parsed span.</param>
/// <param name="CostUsd">Cost in USD of a model call.</param>
/// <param name="Priced">False when the model call's model has no token price.</param>
/// <param name="NotTokenPriced">The model is billed per image, second or request: neither priced by tokens nor unpriced.</param>
public sealed record PricedSpan(SpanRecord Span, decimal CostUsd, bool Priced, bool NotTokenPriced = false)
{
    /// <summary>A model call whose model has no entry at all.</summary>
    public bool Unpriced => !Priced && !NotTokenPriced;

    /// <summary>The delivery's source account and Region in central ingestion (null in direct mode), as on <see cref="PricedInvocation.Origin"/>.</summary>
    public DeliveryOrigin? Origin { get; init; }
}
