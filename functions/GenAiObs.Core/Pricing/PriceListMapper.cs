using System.Globalization;
using System.Text.Json;

namespace GenAiObs.Core.Pricing;

/// <summary>One Price List price mapped to a model and a token direction.</summary>
/// <param name="ModelId">The price table's model id whose <c>priceListName</c> the product names.</param>
/// <param name="Direction">What the price is for.</param>
/// <param name="Global">The dimension is for the <c>global.</c> cross-region profile.</param>
/// <param name="PerMillion">USD per million tokens.</param>
/// <param name="EffectiveDate">The on-demand term's effective date (yyyy-MM-dd).</param>
/// <param name="Sku">The product's SKU, for tracing a figure back.</param>
public sealed record MappedPrice(string ModelId, TokenDirection Direction, bool Global, decimal PerMillion, string EffectiveDate, string Sku);

/// <summary>A Price List product (or one of its price dimensions) that was not mapped, and why. Never guessed.</summary>
/// <param name="Name">The model name the product carries (or its SKU when it has none).</param>
/// <param name="Detail">The usage type or dimension description, for finding it in the Price List.</param>
/// <param name="Reason">One of <see cref="PriceListMapper"/>'s reason names.</param>
public sealed record UnmappedPrice(string Name, string Detail, string Reason);

/// <summary>What <see cref="PriceListMapper.Map"/> made of a region's products.</summary>
/// <param name="Prices">Every mapped token price.</param>
/// <param name="Unmapped">Products and dimensions that could not be mapped, with the reason.</param>
/// <param name="Skipped">Dimensions deliberately left out (batch, provisioned, flex, priority, long context, other regions), by reason.</param>
/// <param name="Products">How many products were read.</param>
public sealed record PriceListMapping(IReadOnlyList<MappedPrice> Prices, IReadOnlyList<UnmappedPrice> Unmapped, IReadOnlyDictionary<string, int> Skipped, int Products);

/// <summary>
/// Maps AWS Price List products (the <c>PriceList</c> items of <c>GetProducts</c>, format
/// <c>aws_v1</c>: <c>product.attributes</c>, <c>terms.OnDemand.*.priceDimensions.*</c> with
/// <c>unit</c>, <c>description</c> and <c>pricePerUnit.USD</c>) to the price table's model ids and
/// token directions. The model is named by the <c>model</c> attribute, else <c>servicename</c>
/// (third-party models carry "… (Amazon Bedrock Edition)"), else <c>titanModel</c>, and must
/// equal a table entry's <c>priceListName</c>; the direction comes from <c>inferenceType</c>,
/// <c>usagetype</c> and the dimension description. Anything else is listed with a reason,
/// never guessed. Pure.
/// </summary>
public static class PriceListMapper
{
    public const string ReasonUnreadable = "unreadable-product";
    public const string ReasonNoModelName = "no-model-name";
    public const string ReasonUnknownModel = "no-priceListName-matches";
    public const string ReasonNoOnDemandTerm = "no-on-demand-price";
    public const string ReasonNotPerToken = "unit-not-per-token";
    public const string ReasonNoDirection = "no-token-direction";
    public const string ReasonNotUsd = "no-usd-price";

    public const string SkippedOtherRegion = "other-region";
    public const string SkippedNotOnDemand = "not-standard-on-demand";

    private const string EditionSuffix = "(Amazon Bedrock Edition)";

    // Usage types and descriptions of prices that are not the on-demand Standard tier per-token
    // price this table holds (the Amazon Bedrock pricing page lists these as separate modes).
    private static readonly string[] NotOnDemandMarkers =
    [
        "batch", "provisioned", "flex", "priority", "latency-optimized", "latency optimized", "reserved",
        "commitment", "customization", "custom model", "training", "storage", "long-context", "long context",
        "above 200k", "200k-", "1h-cache", "1-hour", "1 hour", "1hr",
    ];

    /// <summary>Maps the products of <paramref name="region"/>; products of other regions are skipped.</summary>
    public static PriceListMapping Map(IReadOnlyList<string> priceList, PriceTable table, string region)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in table.Entries)
        {
            foreach (var name in entry.PriceListNames)
            {
                byName.TryAdd(NormaliseName(name), entry.ModelId);
            }
        }

        var prices = new List<MappedPrice>();
        var unmapped = new List<UnmappedPrice>();
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in priceList)
        {
            MapProduct(item, byName, region, prices, unmapped, skipped);
        }

        return new PriceListMapping(prices, unmapped, skipped, priceList.Count);
    }

    /// <summary>Whitespace collapsed, the "(Amazon Bedrock Edition)" suffix removed.</summary>
    public static string NormaliseName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.EndsWith(EditionSuffix, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^EditionSuffix.Length];
        }

        return string.Join(' ', trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void MapProduct(string item, Dictionary<string, string> byName, string region, List<MappedPrice> prices, List<UnmappedPrice> unmapped, SortedDictionary<string, int> skipped)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(item, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            unmapped.Add(new UnmappedPrice("(unreadable)", string.Empty, ReasonUnreadable));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("product", out var product) || product.ValueKind != JsonValueKind.Object ||
                !product.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Object)
            {
                unmapped.Add(new UnmappedPrice("(no product attributes)", string.Empty, ReasonUnreadable));
                return;
            }

            var sku = Text(product, "sku") ?? string.Empty;
            var productRegion = Text(attributes, "regionCode");
            if (productRegion is not null && !string.Equals(productRegion, region, StringComparison.Ordinal))
            {
                Count(skipped, SkippedOtherRegion);
                return;
            }

            var usageType = Text(attributes, "usagetype") ?? string.Empty;
            var rawName = Text(attributes, "model")
                ?? (Text(attributes, "servicename") is { } service && !service.StartsWith("Amazon Bedrock", StringComparison.OrdinalIgnoreCase) ? service : null)
                ?? Text(attributes, "titanModel");
            if (rawName is null)
            {
                unmapped.Add(new UnmappedPrice(sku, usageType, ReasonNoModelName));
                return;
            }

            var name = NormaliseName(rawName);
            if (!byName.TryGetValue(name, out var modelId))
            {
                unmapped.Add(new UnmappedPrice(name, usageType, ReasonUnknownModel));
                return;
            }

            if (!root.TryGetProperty("terms", out var terms) || terms.ValueKind != JsonValueKind.Object ||
                !terms.TryGetProperty("OnDemand", out var onDemand) || onDemand.ValueKind != JsonValueKind.Object)
            {
                unmapped.Add(new UnmappedPrice(name, usageType, ReasonNoOnDemandTerm));
                return;
            }

            var attributeText = string.Join(' ', attributes.EnumerateObject()
                .Where(a => a.Name is "inferenceType" or "usagetype" or "operation" or "feature")
                .Select(a => a.Value.ValueKind == JsonValueKind.String ? a.Value.GetString() : null));
            foreach (var term in onDemand.EnumerateObject())
            {
                if (term.Value.ValueKind != JsonValueKind.Object ||
                    !term.Value.TryGetProperty("priceDimensions", out var dimensions) || dimensions.ValueKind != JsonValueKind.Object)
                {
                    unmapped.Add(new UnmappedPrice(name, usageType, ReasonNoOnDemandTerm));
                    continue;
                }

                var effective = Text(term.Value, "effectiveDate") is { Length: >= 10 } date ? date[..10] : string.Empty;
                foreach (var dimension in dimensions.EnumerateObject())
                {
                    MapDimension(dimension.Value, name, modelId, usageType, attributeText, effective, sku, prices, unmapped, skipped);
                }
            }
        }
    }

    private static void MapDimension(JsonElement dimension, string name, string modelId, string usageType, string attributeText, string effective, string sku, List<MappedPrice> prices, List<UnmappedPrice> unmapped, SortedDictionary<string, int> skipped)
    {
        var description = Text(dimension, "description") ?? string.Empty;
        var detail = usageType.Length > 0 ? usageType : description;
        var text = (attributeText + " " + description).ToLowerInvariant();
        if (NotOnDemandMarkers.Any(marker => text.Contains(marker, StringComparison.Ordinal)))
        {
            Count(skipped, SkippedNotOnDemand);
            return;
        }

        TokenDirection? direction =
            text.Contains("cache read", StringComparison.Ordinal) || text.Contains("cache-read", StringComparison.Ordinal) || text.Contains("cacheread", StringComparison.Ordinal) ? TokenDirection.CacheRead
            : text.Contains("cache write", StringComparison.Ordinal) || text.Contains("cache-write", StringComparison.Ordinal) || text.Contains("cachewrite", StringComparison.Ordinal) ? TokenDirection.CacheWrite
            : text.Contains("input", StringComparison.Ordinal) && text.Contains("token", StringComparison.Ordinal) ? TokenDirection.Input
            : text.Contains("output", StringComparison.Ordinal) && text.Contains("token", StringComparison.Ordinal) ? TokenDirection.Output
            : null;
        if (direction is null)
        {
            unmapped.Add(new UnmappedPrice(name, detail, ReasonNoDirection));
            return;
        }

        var perUnit = (Text(dimension, "unit") ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "1k tokens" or "1k token" or "1,000 tokens" => 1_000m,
            "1m tokens" or "1m token" or "1,000,000 tokens" or "million tokens" => 1m,
            "tokens" or "token" => 1_000_000m,
            _ => (decimal?)null,
        };
        if (perUnit is null)
        {
            unmapped.Add(new UnmappedPrice(name, detail, ReasonNotPerToken));
            return;
        }

        if (!dimension.TryGetProperty("pricePerUnit", out var perUnitPrices) || perUnitPrices.ValueKind != JsonValueKind.Object ||
            Text(perUnitPrices, "USD") is not { } usd ||
            !decimal.TryParse(usd, NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0)
        {
            unmapped.Add(new UnmappedPrice(name, detail, ReasonNotUsd));
            return;
        }

        var global = text.Contains("global", StringComparison.Ordinal);
        prices.Add(new MappedPrice(modelId, direction.Value, global, Normalise(price * perUnit.Value), effective, sku));
    }

    /// <summary>The same value with trailing zeros dropped (0.0030000000 × 1000 → 3).</summary>
    public static decimal Normalise(decimal value) => value / 1.000000000000000000000000000000000m;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Count(SortedDictionary<string, int> counts, string reason) =>
        counts[reason] = counts.GetValueOrDefault(reason) + 1;
}
