using GenAiObs.Core.Pricing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Prices the model call a span records, from the same table as invocation logs. OTel input
/// tokens SHOULD include cached tokens, while the price table (like Bedrock's
/// <c>inputTokenCount</c>) prices uncached input: so the uncached input is
/// max(0, input − cacheRead − cacheWrite), and the cache tokens are priced at their own rates.
/// Only model-call spans cost anything (agent spans repeat their children's usage), and, as for
/// an invocation record with an <c>errorCode</c>, a failed model call costs 0 — it still counts
/// as unpriced when its model has no price, so an unknown model is never hidden behind $0.
/// </summary>
public static class SpanPricer
{
    /// <summary>The priced span: model calls quoted from <paramref name="prices"/>; other classes cost 0 and count as priced.</summary>
    public static PricedSpan Price(SpanRecord span, PriceTable prices)
    {
        if (span.Class != SpanClass.ModelCall)
        {
            return new PricedSpan(span, 0m, Priced: true);
        }

        if (span.Model is null)
        {
            return new PricedSpan(span, 0m, Priced: false);
        }

        var uncachedInput = Math.Max(0, span.InputTokens - span.CacheReadTokens - span.CacheWriteTokens);
        var quote = prices.Quote(span.Model, uncachedInput, span.OutputTokens, span.CacheReadTokens, span.CacheWriteTokens);
        return new PricedSpan(span, quote.Priced && !span.IsError ? quote.CostUsd : 0m, quote.Priced, quote.Status == PriceStatus.NotTokenPriced);
    }
}
