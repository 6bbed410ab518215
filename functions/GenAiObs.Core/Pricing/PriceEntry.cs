namespace GenAiObs.Core.Pricing;

/// <summary>USD per million tokens of each direction (a missing cache price is the input price).</summary>
/// <param name="InputPerMillion">Uncached input tokens.</param>
/// <param name="OutputPerMillion">Output tokens.</param>
/// <param name="CacheReadPerMillion">Cache-read input tokens.</param>
/// <param name="CacheWritePerMillion">Cache-write input tokens.</param>
public readonly record struct TokenPrices(decimal InputPerMillion, decimal OutputPerMillion, decimal CacheReadPerMillion, decimal CacheWritePerMillion);

/// <summary>One <c>models</c> entry with its provenance, as the file states it.</summary>
/// <param name="ModelId">The key (a base model id).</param>
/// <param name="Kind">Text or embedding.</param>
/// <param name="Prices">The base prices (the table's base region).</param>
/// <param name="RegionalMultiplier">Applied to every call except through a <c>global.</c> profile.</param>
/// <param name="Regions">Prices that differ in a source region, by region code.</param>
/// <param name="EffectiveDate">The date these prices took effect or were read (yyyy-MM-dd), else the table's.</param>
/// <param name="Sources">The <c>sources</c> ids the figures come from.</param>
/// <param name="Confirmed">True when two of those sources give the same figures.</param>
/// <param name="Note">Free text (disagreements between sources, extended-access caveats).</param>
/// <param name="PriceListNames">The model names the AWS Price List uses for this model (how <c>prices refresh</c> maps products).</param>
public sealed record PriceEntry(
    string ModelId,
    ModelKind Kind,
    TokenPrices Prices,
    decimal RegionalMultiplier,
    IReadOnlyDictionary<string, TokenPrices> Regions,
    string EffectiveDate,
    IReadOnlyList<string> Sources,
    bool Confirmed,
    string? Note,
    IReadOnlyList<string> PriceListNames);

/// <summary>A model billed per image, per second or per request, not per token (never priced by tokens).</summary>
/// <param name="ModelId">The key (a base model id).</param>
/// <param name="Unit">What it is billed per: <c>image</c>, <c>second</c>, <c>request</c>, <c>query</c>.</param>
/// <param name="Sources">The <c>sources</c> ids.</param>
/// <param name="Note">Free text (which figures two sources confirm, disagreements).</param>
/// <param name="PerUnit">USD per image or per second by tier (<c>perUnit</c>); null: its units are counted but not priced.</param>
/// <param name="EffectiveDate">The date the per-unit prices took effect or were read (yyyy-MM-dd), else the table's.</param>
/// <param name="Confirmed">True when two of the sources give the same per-unit figures.</param>
public sealed record NotTokenPricedEntry(string ModelId, string Unit, IReadOnlyList<string> Sources, string? Note, PerUnitPrices? PerUnit = null, string? EffectiveDate = null, bool Confirmed = false);

/// <summary>Where figures in the file come from.</summary>
/// <param name="Id">The id models refer to.</param>
/// <param name="Title">What it is.</param>
/// <param name="Url">Where to read it.</param>
/// <param name="Retrieved">When it was read (yyyy-MM-dd).</param>
public sealed record PriceSource(string Id, string Title, string? Url, string? Retrieved);
