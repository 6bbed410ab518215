using System.Globalization;

namespace GenAiObs.Core.Pricing;

/// <summary>One difference between two price tables.</summary>
/// <param name="Kind"><c>added</c>, <c>removed</c> or <c>changed</c>.</param>
/// <param name="Subject">The model id (or <c>effectiveDate</c>, <c>baseRegion</c>).</param>
/// <param name="Detail">What changed, old → new.</param>
public sealed record PriceChange(string Kind, string Subject, string Detail);

/// <summary>What differs between two price tables (what <c>genaiobs prices check</c> lists against the default). Pure.</summary>
public static class PriceTableDiff
{
    public static IReadOnlyList<PriceChange> Compare(PriceTable before, PriceTable after)
    {
        var changes = new List<PriceChange>();
        if (before.EffectiveDate != after.EffectiveDate)
        {
            changes.Add(new PriceChange("changed", "effectiveDate", $"{before.EffectiveDate} → {after.EffectiveDate}"));
        }

        if (before.BaseRegion != after.BaseRegion)
        {
            changes.Add(new PriceChange("changed", "baseRegion", $"{before.BaseRegion} → {after.BaseRegion}"));
        }

        var old = before.Entries.ToDictionary(e => e.ModelId, StringComparer.Ordinal);
        var now = after.Entries.ToDictionary(e => e.ModelId, StringComparer.Ordinal);
        foreach (var id in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            if (!now.TryGetValue(id, out var b))
            {
                changes.Add(new PriceChange("removed", id, Describe(old[id].Prices, old[id].Kind)));
                continue;
            }

            if (!old.TryGetValue(id, out var a))
            {
                changes.Add(new PriceChange("added", id, Describe(b.Prices, b.Kind)));
                continue;
            }

            var details = new List<string>();
            Field(details, "kind", a.Kind.ToString().ToLowerInvariant(), b.Kind.ToString().ToLowerInvariant());
            Prices(details, string.Empty, a.Prices, b.Prices);
            Field(details, "regionalMultiplier", Format(a.RegionalMultiplier), Format(b.RegionalMultiplier));
            foreach (var region in a.Regions.Keys.Union(b.Regions.Keys).Order(StringComparer.Ordinal))
            {
                var hadRegion = a.Regions.TryGetValue(region, out var ra);
                var hasRegion = b.Regions.TryGetValue(region, out var rb);
                if (hadRegion && hasRegion)
                {
                    Prices(details, $"regions[{region}].", ra, rb);
                }
                else
                {
                    details.Add($"regions[{region}] {(hasRegion ? "added " + Describe(rb, b.Kind) : "removed")}");
                }
            }

            if (details.Count > 0)
            {
                changes.Add(new PriceChange("changed", id, string.Join("; ", details)));
            }
        }

        var oldNotToken = before.NotTokenPriced.ToDictionary(e => e.ModelId, StringComparer.Ordinal);
        var newNotToken = after.NotTokenPriced.ToDictionary(e => e.ModelId, StringComparer.Ordinal);
        changes.AddRange(newNotToken.Keys.Except(oldNotToken.Keys).Order(StringComparer.Ordinal).Select(id => new PriceChange("added", id, "not token-priced" + Describe(newNotToken[id]))));
        changes.AddRange(oldNotToken.Keys.Except(newNotToken.Keys).Order(StringComparer.Ordinal).Select(id => new PriceChange("removed", id, "not token-priced")));
        foreach (var id in oldNotToken.Keys.Intersect(newNotToken.Keys).Order(StringComparer.Ordinal))
        {
            var (a, b) = (oldNotToken[id], newNotToken[id]);
            var details = new List<string>();
            Field(details, "unit", a.Unit, b.Unit);
            Field(details, "perUnit", Describe(a).TrimStart(',', ' '), Describe(b).TrimStart(',', ' '));
            if (details.Count > 0)
            {
                changes.Add(new PriceChange("changed", id, string.Join("; ", details)));
            }
        }
        changes.AddRange(after.KnownUnpriced.Keys.Except(before.KnownUnpriced.Keys).Order(StringComparer.Ordinal).Select(id => new PriceChange("added", id, "listed as unpriced: " + after.KnownUnpriced[id])));
        changes.AddRange(before.KnownUnpriced.Keys.Except(after.KnownUnpriced.Keys).Order(StringComparer.Ordinal).Select(id => new PriceChange("removed", id, "listed as unpriced")));
        return changes;
    }

    private static void Prices(List<string> details, string prefix, TokenPrices a, TokenPrices b)
    {
        Field(details, prefix + "inputPerMillion", Format(a.InputPerMillion), Format(b.InputPerMillion));
        Field(details, prefix + "outputPerMillion", Format(a.OutputPerMillion), Format(b.OutputPerMillion));
        Field(details, prefix + "cacheReadPerMillion", Format(a.CacheReadPerMillion), Format(b.CacheReadPerMillion));
        Field(details, prefix + "cacheWritePerMillion", Format(a.CacheWritePerMillion), Format(b.CacheWritePerMillion));
    }

    private static void Field(List<string> details, string name, string a, string b)
    {
        if (a != b)
        {
            details.Add($"{name} {a} → {b}");
        }
    }

    private static string Describe(TokenPrices prices, ModelKind kind) =>
        kind == ModelKind.Embedding
            ? $"embedding, input {Format(prices.InputPerMillion)} per 1M"
            : $"input {Format(prices.InputPerMillion)}, output {Format(prices.OutputPerMillion)} per 1M";

    /// <summary>", per image: standard/512x512 0.008, …" for an entry with per-unit prices, else empty.</summary>
    public static string Describe(NotTokenPricedEntry entry) =>
        entry.PerUnit is { } prices
            ? $", per {prices.Unit}: {string.Join(", ", prices.Tiers.Select(t => $"{t.Name} {Format(t.Usd)}"))}"
            : string.Empty;

    private static string Format(decimal value) => PriceListMapper.Normalise(value).ToString(CultureInfo.InvariantCulture);
}
