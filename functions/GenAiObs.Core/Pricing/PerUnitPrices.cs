using System.Globalization;
using System.Text.Json;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Pricing;

/// <summary>
/// The per-unit prices of a model that is not billed per token (a <c>notTokenPriced</c> entry's
/// <c>perUnit</c>): USD per image, per second of video or per rerank query, by tier.
/// </summary>
/// <remarks>
/// A tier name is <c>any</c>, a quality (<c>standard</c>, or a video resolution such as
/// <c>720p</c>), a size (<c>1024x1024</c>) or both (<c>premium/1024x1024</c>). A size tier holds every output of at most that many pixels (the
/// Amazon Bedrock pricing page prices Titan Image Generator and Nova Canvas images "up to"
/// 512x512, 1024x1024, 2048x2048). A call takes the tier of its quality with the smallest size
/// that holds its image; a quality or size the call does not name is the entry's
/// <c>defaultTier</c>'s (the request's documented default). A call no tier holds has no price:
/// its units are still counted.
/// </remarks>
public sealed class PerUnitPrices
{
    /// <summary>The flat tier's name: one price for every call.</summary>
    public const string AnyTier = "any";

    private PerUnitPrices(string unit, IReadOnlyList<UnitTier> tiers, UnitTier? defaults)
    {
        Unit = unit;
        Tiers = tiers;
        Defaults = defaults;
    }

    /// <summary>What the prices are per: <c>image</c>, <c>second</c> or <c>query</c>.</summary>
    public string Unit { get; }

    /// <summary>The tiers in file order.</summary>
    public IReadOnlyList<UnitTier> Tiers { get; }

    /// <summary>The <c>defaultTier</c>: the quality and size of a call that names neither (null: none).</summary>
    public UnitTier? Defaults { get; }

    /// <summary>The tier that prices a call of <paramref name="quality"/> at <paramref name="pixels"/> (either null when not known), or false.</summary>
    public bool TryFindTier(string? quality, long? pixels, out UnitTier tier)
    {
        quality ??= Defaults?.Quality;
        pixels ??= Defaults?.MaxPixels;
        UnitTier? best = null;
        foreach (var candidate in Tiers)
        {
            var qualityFits = candidate.Quality is null || string.Equals(candidate.Quality, quality, StringComparison.Ordinal);
            var sizeFits = candidate.MaxPixels is not { } max || (pixels is { } p && p <= max);
            if (qualityFits && sizeFits && (best is null || MoreSpecific(candidate, best)))
            {
                best = candidate;
            }
        }

        tier = best!;
        return best is not null;
    }

    // A named quality beats "any quality"; a size bound beats "any size"; a smaller bound beats a larger one.
    private static bool MoreSpecific(UnitTier candidate, UnitTier best) =>
        (candidate.Quality is not null, best.Quality is not null) switch
        {
            (true, false) => true,
            (false, true) => false,
            _ => (candidate.MaxPixels, best.MaxPixels) switch
            {
                ({ } c, { } b) => c < b,
                ({ }, null) => true,
                _ => false,
            },
        };

    /// <summary>Reads <c>perUnit</c> (<c>{"image":{"standard/512x512":0.008,…}}</c>) and <c>defaultTier</c> of the entry at <paramref name="where"/>.</summary>
    internal static PerUnitPrices Read(JsonElement perUnit, string? defaultTier, string unit, string where)
    {
        if (perUnit.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"price table: {where}.perUnit must be an object: {{\"{unit}\": {{tier: USD}}}}");
        }

        IReadOnlyList<UnitTier>? tiers = null;
        foreach (var byUnit in perUnit.EnumerateObject())
        {
            if (byUnit.Name != unit || unit is not ("image" or "second" or "query"))
            {
                throw new PriceTableException($"price table: {where}.perUnit has \"{byUnit.Name}\"; it can only price the entry's unit, image, second or query (the entry's unit is {unit})");
            }

            tiers = ReadTiers(byUnit.Value, $"{where}.perUnit.{unit}");
        }

        if (tiers is null)
        {
            throw new PriceTableException($"price table: {where}.perUnit must price the entry's unit \"{unit}\"");
        }

        UnitTier? defaults = null;
        if (defaultTier is not null)
        {
            defaults = ParseTier(defaultTier, 0m, $"{where}.defaultTier");
        }

        return new PerUnitPrices(unit, tiers, defaults);
    }

    private static List<UnitTier> ReadTiers(JsonElement value, string where)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"price table: {where} must be an object mapping a tier to USD");
        }

        var tiers = new List<UnitTier>();
        foreach (var tier in value.EnumerateObject())
        {
            if (tier.Value.ValueKind != JsonValueKind.Number || !tier.Value.TryGetDecimal(out var usd) || usd < 0)
            {
                throw new PriceTableException($"price table: {where}[\"{tier.Name}\"] must be a non-negative number (USD per unit)");
            }

            var parsed = ParseTier(tier.Name, usd, $"{where} tier \"{tier.Name}\"");
            if (tiers.Any(t => t.Quality == parsed.Quality && t.MaxPixels == parsed.MaxPixels))
            {
                throw new PriceTableException($"price table: {where} names the tier \"{tier.Name}\" twice");
            }

            tiers.Add(parsed);
        }

        return tiers.Count > 0 ? tiers : throw new PriceTableException($"price table: {where} has no tier");
    }

    /// <summary>Parses <c>any</c>, <c>QUALITY</c>, <c>WxH</c> or <c>QUALITY/WxH</c>.</summary>
    private static UnitTier ParseTier(string name, decimal usd, string where)
    {
        if (name == AnyTier)
        {
            return new UnitTier(name, null, null, usd);
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var qualityPart = slash >= 0 ? name[..slash] : IsSize(name) ? null : name;
        var sizePart = slash >= 0 ? name[(slash + 1)..] : IsSize(name) ? name : null;
        if (qualityPart is not null && (qualityPart.Length is 0 or > 32 || !qualityPart.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) || qualityPart == MediaQualities.Other))
        {
            throw new PriceTableException($"price table: {where}: the quality must be lower-case letters or digits such as standard, premium or 720p");
        }

        long? maxPixels = null;
        if (sizePart is not null)
        {
            if (!IsSize(sizePart))
            {
                throw new PriceTableException($"price table: {where}: the size must be WIDTHxHEIGHT such as 1024x1024");
            }

            var x = sizePart.IndexOf('x', StringComparison.Ordinal);
            maxPixels = long.Parse(sizePart[..x], CultureInfo.InvariantCulture) * long.Parse(sizePart[(x + 1)..], CultureInfo.InvariantCulture);
        }

        return new UnitTier(name, qualityPart, maxPixels, usd);
    }

    private static bool IsSize(string text)
    {
        var x = text.IndexOf('x', StringComparison.Ordinal);
        return x > 0 && x < text.Length - 1 &&
            int.TryParse(text.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width is > 0 and <= 65_536 &&
            int.TryParse(text.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var height) && height is > 0 and <= 65_536;
    }
}

/// <summary>One per-unit price tier.</summary>
/// <param name="Name">As the file writes it (<c>premium/1024x1024</c>, <c>any</c>): what reports show.</param>
/// <param name="Quality">The quality it prices; null: any quality.</param>
/// <param name="MaxPixels">The largest output (width × height) it prices; null: any size.</param>
/// <param name="Usd">USD per unit.</param>
public sealed record UnitTier(string Name, string? Quality, long? MaxPixels, decimal Usd);
