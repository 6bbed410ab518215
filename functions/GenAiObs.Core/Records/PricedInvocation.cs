using GenAiObs.Core.Pricing;

namespace GenAiObs.Core.Records;

/// <summary>An invocation record with its computed cost.</summary>
/// <param name="Record">The parsed record.</param>
/// <param name="CostUsd">Cost in USD (0 for a failed call or an unpriced model).</param>
/// <param name="Priced">False when no price was found for the model (a successful call is then counted as unpriced, never silently $0).</param>
/// <param name="PriceKey">The price-table key that matched, when priced.</param>
/// <param name="Breakdown">The cost's parts (input, output, cache read/write) and the cache savings; all zero when <paramref name="CostUsd"/> is.</param>
public sealed record PricedInvocation(InvocationRecord Record, decimal CostUsd, bool Priced, string? PriceKey, CostBreakdown Breakdown = default);

/// <summary>A span with the cost of its model call priced from the same table (0 for other classes).</summary>
public sealed record PricedSpan(SpanRecord Span, decimal CostUsd, bool Priced);
