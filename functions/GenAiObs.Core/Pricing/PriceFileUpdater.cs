using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenAiObs.Core.Pricing;

/// <summary>What <see cref="PriceFileUpdater.Apply"/> changed.</summary>
/// <param name="File">The new price file (UTF-8 JSON, validated by <see cref="PriceTable.Parse"/>).</param>
/// <param name="Changed">Models whose prices for the region changed, with old → new.</param>
/// <param name="Confirmed">Models whose prices the Price List gave unchanged (now carrying it as a further source).</param>
/// <param name="Incomplete">Models the Price List named but whose prices could not be used, and why (nothing was written for them).</param>
/// <param name="Missing">Table models the Price List had no price for in this region (left as they were).</param>
public sealed record PriceFileUpdate(byte[] File, IReadOnlyList<string> Changed, IReadOnlyList<string> Confirmed, IReadOnlyList<UnmappedPrice> Incomplete, IReadOnlyList<string> Missing);

/// <summary>
/// Writes Price List figures into a price file: the base prices when the region is the table's
/// base region (for a model with a regional multiplier, the <c>global.</c> price, which is what
/// the base holds), else the model's <c>regions</c> entry for that region. Every other part of the
/// file (sources, notes, profiles, not-token-priced and unpriced lists) is kept. A model gets new
/// figures only when the input price (and, for text models, the output price) was found once and
/// without conflict; cache prices are written when found. Pure: the date is an argument.
/// </summary>
public static class PriceFileUpdater
{
    /// <summary>The source id the refreshed figures cite.</summary>
    public const string SourceId = "aws-price-list";

    public const string ReasonConflict = "conflicting-prices";
    public const string ReasonNoInput = "no-input-price";
    public const string ReasonNoOutput = "no-output-price";
    public const string ReasonNeedsGlobal = "no-global-price-for-a-model-with-a-regional-multiplier";

    /// <summary>Applies <paramref name="mapping"/> for <paramref name="region"/> to <paramref name="baseFile"/>.</summary>
    public static PriceFileUpdate Apply(ReadOnlySpan<byte> baseFile, PriceListMapping mapping, string region, DateOnly today, string sourceTitle)
    {
        var baseTable = PriceTable.Parse(baseFile);
        var root = JsonNode.Parse(baseFile.ToArray(), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var todayText = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var isBase = region == baseTable.BaseRegion;

        var changed = new List<string>();
        var confirmed = new List<string>();
        var incomplete = new List<UnmappedPrice>();
        var byModel = mapping.Prices.GroupBy(p => p.ModelId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var models = root["models"]!.AsObject();
        foreach (var entry in baseTable.Entries)
        {
            if (!byModel.TryGetValue(entry.ModelId, out var found))
            {
                continue;
            }

            // The base of a model with a regional multiplier is its global. price; everywhere else
            // the in-region (non-global) price is what a call pays.
            var wantGlobal = isBase && entry.RegionalMultiplier != 1m;
            var chosen = found.Where(p => p.Global == wantGlobal).ToList();
            if (chosen.Count == 0)
            {
                incomplete.Add(new UnmappedPrice(entry.ModelId, region, wantGlobal ? ReasonNeedsGlobal : ReasonNoInput));
                continue;
            }

            var values = new Dictionary<TokenDirection, decimal>();
            string? conflict = null;
            foreach (var group in chosen.GroupBy(p => p.Direction))
            {
                var distinct = group.Select(p => p.PerMillion).Distinct().ToList();
                if (distinct.Count > 1)
                {
                    conflict = $"{group.Key}: {string.Join(" vs ", distinct.Select(Format))}";
                    break;
                }

                values[group.Key] = distinct[0];
            }

            if (conflict is not null)
            {
                incomplete.Add(new UnmappedPrice(entry.ModelId, conflict, ReasonConflict));
                continue;
            }

            if (!values.TryGetValue(TokenDirection.Input, out var input))
            {
                incomplete.Add(new UnmappedPrice(entry.ModelId, region, ReasonNoInput));
                continue;
            }

            var output = entry.Kind == ModelKind.Embedding ? 0m : values.GetValueOrDefault(TokenDirection.Output, -1m);
            if (output < 0)
            {
                incomplete.Add(new UnmappedPrice(entry.ModelId, region, ReasonNoOutput));
                continue;
            }

            var before = isBase ? entry.Prices : entry.Regions.TryGetValue(region, out var r) ? r : (TokenPrices?)null;
            var after = new TokenPrices(
                input,
                output,
                values.GetValueOrDefault(TokenDirection.CacheRead, before?.CacheReadPerMillion ?? input),
                values.GetValueOrDefault(TokenDirection.CacheWrite, before?.CacheWritePerMillion ?? input));
            var date = chosen.Select(p => p.EffectiveDate).Where(d => d.Length == 10).DefaultIfEmpty(todayText).Max(StringComparer.Ordinal)!;
            var node = models[entry.ModelId]!.AsObject();
            if (before is { } old && old == after)
            {
                if (isBase)
                {
                    AddSource(node, entry);
                    confirmed.Add(entry.ModelId);
                }

                continue;
            }

            if (isBase)
            {
                WritePrices(node, after, values, entry.Kind);
                node["effectiveDate"] = date;
                node["sources"] = new JsonArray(SourceId);
                node["confirmed"] = false;
                node["note"] = $"From the AWS Price List ({date}); the previous table had {Describe(entry.Prices, entry.Kind)}.";
            }
            else
            {
                var regions = node["regions"] as JsonObject ?? [];
                node["regions"] = regions;
                var regional = new JsonObject();
                WritePrices(regional, after, values, entry.Kind);
                regions[region] = regional;
                var note = node["note"]?.GetValue<string>();
                var addition = $"regions[{region}] from the AWS Price List ({date}).";
                node["note"] = note is null ? addition : note.Contains(addition, StringComparison.Ordinal) ? note : note + " " + addition;
            }

            changed.Add($"{entry.ModelId}{(isBase ? string.Empty : $" in {region}")}: {(before is { } b ? Describe(b, entry.Kind) : "no regional price")} → {Describe(after, entry.Kind)}");
        }

        var sources = root["sources"] as JsonObject ?? [];
        root["sources"] = sources;
        sources[SourceId] = new JsonObject
        {
            ["title"] = sourceTitle,
            ["url"] = "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html",
            ["retrieved"] = todayText,
        };
        root["effectiveDate"] = todayText;

        var file = Write(root);
        PriceTable.Parse(file);
        var missing = baseTable.Entries.Select(e => e.ModelId).Where(id => !byModel.ContainsKey(id)).ToList();
        return new PriceFileUpdate(file, changed, confirmed, incomplete, missing);
    }

    private static void AddSource(JsonObject node, PriceEntry entry)
    {
        if (entry.Sources.Contains(SourceId))
        {
            return;
        }

        var sources = new JsonArray([.. entry.Sources.Select(s => (JsonNode)JsonValue.Create(s)), JsonValue.Create(SourceId)]);
        node["sources"] = sources;
        node["confirmed"] = sources.Count >= 2;
    }

    private static void WritePrices(JsonObject node, TokenPrices prices, Dictionary<TokenDirection, decimal> found, ModelKind kind)
    {
        node["inputPerMillion"] = prices.InputPerMillion;
        if (kind == ModelKind.Text)
        {
            node["outputPerMillion"] = prices.OutputPerMillion;
        }

        if (found.ContainsKey(TokenDirection.CacheRead))
        {
            node["cacheReadPerMillion"] = prices.CacheReadPerMillion;
        }

        if (found.ContainsKey(TokenDirection.CacheWrite))
        {
            node["cacheWritePerMillion"] = prices.CacheWritePerMillion;
        }
    }

    private static string Describe(TokenPrices prices, ModelKind kind) =>
        kind == ModelKind.Embedding
            ? $"${Format(prices.InputPerMillion)} input"
            : $"${Format(prices.InputPerMillion)} / ${Format(prices.OutputPerMillion)}";

    private static string Format(decimal value) => PriceListMapper.Normalise(value).ToString(CultureInfo.InvariantCulture);

    private static byte[] Write(JsonObject root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            root.WriteTo(writer);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
