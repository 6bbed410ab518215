using System.Globalization;
using System.Text.Json;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Pricing;

/// <summary>
/// Per-token prices by model, and how a logged <c>modelId</c> finds its price. Immutable once
/// loaded; safe to share between threads.
/// </summary>
/// <remarks>
/// File format (USD per million tokens; docs/prices-and-inputs.md, "Price table", is the full reference):
/// <code>
/// {"currency":"USD","effectiveDate":"2026-12-06","baseRegion":"us-east-1",
///  "sources":{"aws-pricing-page":{"title":"Amazon Bedrock pricing","url":"https://aws.amazon.com/bedrock/pricing/"}},
///  "models":{"anthropic.claude-sonnet-4-5-20250929-v1:0":{"inputPerMillion":3.0,"outputPerMillion":15.0,
///    "cacheReadPerMillion":0.3,"cacheWritePerMillion":3.75,"regionalMultiplier":1.1,
///    "regions":{"us-gov-west-1":{"inputPerMillion":3.6,"outputPerMillion":18.0}},
///    "effectiveDate":"2026-11-01","sources":["aws-pricing-page"],"confirmed":false,"priceListName":"Claude Sonnet 4.5"}},
///  "notTokenPriced":{"amazon.nova-canvas-v1:0":{"unit":"image","perUnit":{"image":{"standard/1024x1024":0.04,"premium/1024x1024":0.06}},"defaultTier":"standard/1024x1024"}},
///  "unpriced":{"vendor.model-v1:0":"why no price is given"},
///  "inferenceProfiles":{"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3":"anthropic.claude-3-haiku-20240307-v1:0"}}
/// </code>
/// Resolution of a logged id: an application-inference-profile ARN, or its bare id, is mapped
/// through <c>inferenceProfiles</c>; any other ARN is reduced to the text after its last
/// <c>/</c>; one geography prefix (<c>us.</c> <c>eu.</c> <c>apac.</c> <c>jp.</c> <c>au.</c>
/// <c>ca.</c> <c>us-gov.</c> <c>global.</c>) is stripped; then an exact <c>models</c> (or
/// <c>notTokenPriced</c>) key, else the longest key K such that the id starts with <c>K:</c>.
/// Prices are the entry's <c>regions[source region]</c> when present (the full price of a call
/// from that region), else its base prices. Cost = multiplier × (input × inputPerMillion + output × outputPerMillion + cacheRead ×
/// cacheReadPerMillion + cacheWrite × cacheWritePerMillion) / 10⁶, where multiplier is
/// <c>regionalMultiplier</c> (default 1) unless the id used the <c>global.</c> prefix or a
/// <c>regions</c> price applied; a missing
/// cache price is the input price.
/// </remarks>
public sealed class PriceTable
{
    /// <summary>The region base prices are for when a file does not say.</summary>
    public const string DefaultBaseRegion = "us-east-1";

    private const string DefaultResourceName = "GenAiObs.Core.default-prices.json";
    private const string ApplicationProfileMarker = ":application-inference-profile/";
    private const string GlobalPrefix = "global.";

    private static readonly string[] GeographyPrefixes = ["us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", GlobalPrefix];

    private readonly Dictionary<string, ModelPrice> _models;
    private readonly Dictionary<string, ModelPrice>.AlternateLookup<ReadOnlySpan<char>> _modelLookup;
    private readonly Dictionary<string, string> _profilesByArn;
    private readonly Dictionary<string, string> _profilesById;
    private readonly Dictionary<string, NotTokenPricedEntry> _notTokenPriced;

    private PriceTable(TableParts parts)
    {
        EffectiveDate = parts.EffectiveDate;
        BaseRegion = parts.BaseRegion;
        Sources = parts.Sources;
        Entries = parts.Entries;
        NotTokenPriced = parts.NotTokenPriced;
        KnownUnpriced = parts.Unpriced;
        _models = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var entry in parts.Entries)
        {
            _models[entry.ModelId] = new ModelPrice(entry.Prices, entry.RegionalMultiplier, entry.Regions.Count == 0 ? null : entry.Regions, NotTokenPriced: false);
        }

        foreach (var entry in parts.NotTokenPriced)
        {
            _models[entry.ModelId] = new ModelPrice(default, 1m, null, NotTokenPriced: true);
        }

        _modelLookup = _models.GetAlternateLookup<ReadOnlySpan<char>>();
        _notTokenPriced = parts.NotTokenPriced.ToDictionary(e => e.ModelId, StringComparer.Ordinal);
        _profilesByArn = parts.ProfilesByArn;
        _profilesById = parts.ProfilesById;
    }

    /// <summary>The table's <c>effectiveDate</c> (yyyy-MM-dd).</summary>
    public string EffectiveDate { get; }

    /// <summary>The region the base prices are for (<c>baseRegion</c>, default us-east-1).</summary>
    public string BaseRegion { get; }

    /// <summary>The <c>models</c> keys, for diagnostics and documentation.</summary>
    public IReadOnlyCollection<string> ModelKeys => [.. Entries.Select(e => e.ModelId)];

    /// <summary>Every <c>models</c> entry in file order, with its provenance.</summary>
    public IReadOnlyList<PriceEntry> Entries { get; }

    /// <summary>Models billed per image, second or request: never priced by tokens, never "unpriced".</summary>
    public IReadOnlyList<NotTokenPricedEntry> NotTokenPriced { get; }

    /// <summary>Models the file lists as known but without a price (<c>unpriced</c>), with the reason.</summary>
    public IReadOnlyDictionary<string, string> KnownUnpriced { get; }

    /// <summary>The <c>sources</c> the entries cite, by id.</summary>
    public IReadOnlyDictionary<string, PriceSource> Sources { get; }

    /// <summary>The dated default table embedded in the assembly (built from public on-demand prices).</summary>
    public static PriceTable LoadDefault() => Parse(DefaultBytes());

    /// <summary>The embedded default table's bytes (what <c>prices check</c> compares against and <c>prices refresh</c> starts from).</summary>
    public static byte[] DefaultBytes()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new PriceTableException($"embedded resource {DefaultResourceName} is missing");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Parses a price file. Throws <see cref="PriceTableException"/> naming what is wrong.</summary>
    public static PriceTable Parse(ReadOnlySpan<byte> json)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new PriceTableException("price table: the file is empty");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new PriceTableException("price table: content after the JSON object");
            }
        }
        catch (Exception ex) when (ex is JsonException or PriceTableException)
        {
            document?.Dispose();
            throw ex as PriceTableException ?? new PriceTableException(
                string.Create(CultureInfo.InvariantCulture, $"price table: not valid JSON (line {((JsonException)ex).LineNumber + 1}, byte {((JsonException)ex).BytePositionInLine + 1})"), ex);
        }

        using (document)
        {
            return FromDocument(document.RootElement);
        }
    }

    /// <summary>
    /// Prices one call of <paramref name="loggedModelId"/> (the <c>modelId</c> exactly as logged)
    /// at the base-region prices. Token counts must be non-negative (Bedrock's input count
    /// excludes cache reads and writes).
    /// </summary>
    public PriceQuote Quote(string loggedModelId, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) =>
        Quote(loggedModelId, null, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, out _);

    /// <summary>
    /// <see cref="Quote(string, long, long, long, long)"/> with the cost split into its parts
    /// (all zero when the model has no price).
    /// </summary>
    public PriceQuote Quote(string loggedModelId, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, out CostBreakdown breakdown) =>
        Quote(loggedModelId, null, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, out breakdown);

    /// <summary>
    /// Prices one call made from <paramref name="sourceRegion"/> (the record's <c>region</c>; the
    /// Amazon Bedrock pricing page bills cross-region inference at the source region's price):
    /// the entry's <c>regions</c> price for that region when it has one, else its base price.
    /// </summary>
    public PriceQuote Quote(string loggedModelId, string? sourceRegion, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, out CostBreakdown breakdown)
    {
        breakdown = default;
        ArgumentNullException.ThrowIfNull(loggedModelId);
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheReadTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheWriteTokens);

        if (!TryResolve(loggedModelId, out var key, out var model, out var usedGlobal))
        {
            return new PriceQuote(PriceStatus.Unpriced, 0m, null);
        }

        if (model.NotTokenPriced)
        {
            return new PriceQuote(PriceStatus.NotTokenPriced, 0m, key);
        }

        // A regions entry is the full price of a call from that region (no multiplier on top).
        var inRegion = sourceRegion is not null && model.Regions is { } regions && regions.TryGetValue(sourceRegion, out _);
        var price = inRegion ? model.Regions![sourceRegion!] : model.Prices;
        var perMillion = (inputTokens * price.InputPerMillion)
            + (outputTokens * price.OutputPerMillion)
            + (cacheReadTokens * price.CacheReadPerMillion)
            + (cacheWriteTokens * price.CacheWritePerMillion);
        var multiplier = usedGlobal || inRegion ? 1m : model.RegionalMultiplier;
        // Token counts times prices and the multiplier stay exact in decimal (division by 10^6
        // only moves the scale), so the parts add up to the total to the last digit.
        breakdown = new CostBreakdown(
            multiplier * (inputTokens * price.InputPerMillion) / 1_000_000m,
            multiplier * (outputTokens * price.OutputPerMillion) / 1_000_000m,
            multiplier * (cacheReadTokens * price.CacheReadPerMillion) / 1_000_000m,
            multiplier * (cacheWriteTokens * price.CacheWritePerMillion) / 1_000_000m,
            multiplier * (cacheReadTokens * (price.InputPerMillion - price.CacheReadPerMillion)) / 1_000_000m);
        return new PriceQuote(PriceStatus.Priced, multiplier * perMillion / 1_000_000m, key);
    }

    private bool TryResolve(string loggedModelId, out string key, out ModelPrice price, out bool usedGlobal)
    {
        key = string.Empty;
        price = default;
        usedGlobal = false;

        ReadOnlySpan<char> id = loggedModelId;
        var appProfile = loggedModelId.IndexOf(ApplicationProfileMarker, StringComparison.Ordinal);
        if (id.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (appProfile >= 0)
            {
                // An application inference profile is opaque: only configuration can name its model.
                var bareId = loggedModelId[(appProfile + ApplicationProfileMarker.Length)..];
                if (!_profilesByArn.TryGetValue(loggedModelId, out var mapped) && !_profilesById.TryGetValue(bareId, out mapped))
                {
                    return false;
                }

                id = mapped;
            }
            else
            {
                id = id[(id.LastIndexOf('/') + 1)..];
            }
        }
        else if (_profilesById.TryGetValue(loggedModelId, out var mapped))
        {
            id = mapped;
        }

        foreach (var prefix in GeographyPrefixes)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal))
            {
                id = id[prefix.Length..];
                usedGlobal = ReferenceEquals(prefix, GlobalPrefix);
                break;
            }
        }

        if (_modelLookup.TryGetValue(id, out var exactKey, out price))
        {
            key = exactKey;
            return true;
        }

        // Context-window variants (…-v1:0:200k): the longest key K with id = K + ":" + suffix.
        for (var colon = id.LastIndexOf(':'); colon > 0; colon = id[..colon].LastIndexOf(':'))
        {
            if (_modelLookup.TryGetValue(id[..colon], out var prefixKey, out price))
            {
                key = prefixKey;
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>models</c> or <c>notTokenPriced</c> key a logged id resolves to, or null.</summary>
    public string? ResolveKey(string loggedModelId) =>
        TryResolve(loggedModelId, out var key, out _, out _) ? key : null;

    /// <summary>
    /// Prices one successful call of the <c>notTokenPriced</c> model <paramref name="priceKey"/>
    /// (a <see cref="PriceQuote.PriceKey"/> of status <see cref="PriceStatus.NotTokenPriced"/>) per
    /// unit: images generated, video seconds requested or rerank queries, at its <c>perUnit</c>
    /// tier. Null for any other key. A call whose body shows no image count is one image: Amazon
    /// Titan Image Generator and Amazon Nova Canvas default <c>numberOfImages</c> to 1 and the
    /// Stability AI models return one image per call; a rerank call whose body shows no documents
    /// is one query (every call holds at least one). Video seconds not shown are not counted.
    /// </summary>
    public UnitQuote? QuoteUnits(string priceKey, MediaUsage? media)
    {
        ArgumentNullException.ThrowIfNull(priceKey);
        if (!_notTokenPriced.TryGetValue(priceKey, out var entry))
        {
            return null;
        }

        long? units = entry.Unit switch
        {
            "image" => media?.Images ?? 1,
            "second" => media?.VideoSeconds,
            "query" => media?.Queries ?? 1,
            _ => null,
        };
        if (units is not { } counted || entry.PerUnit is not { } prices || !prices.TryFindTier(media?.Quality, media?.Pixels, out var tier))
        {
            return new UnitQuote(entry.Unit, units ?? 0, null, 0m, Priced: false);
        }

        return new UnitQuote(entry.Unit, counted, tier.Name, counted * tier.Usd, Priced: true);
    }

    // ---- Loading

    private static PriceTable FromDocument(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: the root must be a JSON object");
        }

        string? effectiveDate = null;
        var baseRegion = DefaultBaseRegion;
        JsonElement? models = null;
        JsonElement? notTokenPriced = null;
        JsonElement? unpriced = null;
        var sources = new Dictionary<string, PriceSource>(StringComparer.Ordinal);
        var profilesByArn = new Dictionary<string, string>(StringComparer.Ordinal);
        var profilesById = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "currency":
                    if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() != "USD")
                    {
                        throw new PriceTableException("price table: \"currency\" must be \"USD\"");
                    }

                    break;
                case "effectiveDate":
                    effectiveDate = ReadDate(property.Value, "\"effectiveDate\"");
                    break;
                case "baseRegion":
                    baseRegion = ReadRegion(property.Value, "\"baseRegion\"");
                    break;
                case "sources":
                    ReadSources(property.Value, sources);
                    break;
                case "models":
                    models = property.Value;
                    break;
                case "notTokenPriced":
                    notTokenPriced = property.Value;
                    break;
                case "unpriced":
                    unpriced = property.Value;
                    break;
                case "inferenceProfiles":
                    ReadProfiles(property.Value, profilesByArn, profilesById);
                    break;
                case "source" or "description" or "notes" or "$schema":
                    break;
                default:
                    throw new PriceTableException($"price table: unknown property \"{property.Name}\" (expected currency, effectiveDate, baseRegion, sources, models, notTokenPriced, unpriced, inferenceProfiles, source)");
            }
        }

        if (effectiveDate is null)
        {
            throw new PriceTableException("price table: \"effectiveDate\" is missing");
        }

        if (models is null)
        {
            throw new PriceTableException("price table: \"models\" is missing");
        }

        var entries = ReadModels(models.Value, effectiveDate, sources);
        var notToken = notTokenPriced is { } n ? ReadNotTokenPriced(n, effectiveDate, sources) : [];
        var known = unpriced is { } u ? ReadUnpriced(u) : new Dictionary<string, string>(StringComparer.Ordinal);
        var priced = entries.Select(e => e.ModelId).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in notToken)
        {
            if (priced.Contains(entry.ModelId))
            {
                throw new PriceTableException($"price table: \"{entry.ModelId}\" is both in models and in notTokenPriced");
            }
        }

        foreach (var id in known.Keys)
        {
            if (priced.Contains(id) || notToken.Any(e => e.ModelId == id))
            {
                throw new PriceTableException($"price table: unpriced[\"{id}\"] also has a price or a notTokenPriced entry");
            }
        }

        var table = new PriceTable(new TableParts(effectiveDate, baseRegion, sources, entries, notToken, known, profilesByArn, profilesById));
        foreach (var (profile, model) in profilesByArn.Concat(profilesById))
        {
            if (!table.TryResolve(model, out _, out var target, out _) || target.NotTokenPriced)
            {
                throw new PriceTableException($"price table: inferenceProfiles[\"{profile}\"] maps to \"{model}\", which has no price in models");
            }
        }

        return table;
    }

    private static string ReadDate(JsonElement value, string what)
    {
        if (value.ValueKind == JsonValueKind.String &&
            DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        throw new PriceTableException($"price table: {what} must be a date string yyyy-MM-dd");
    }

    private static string ReadRegion(JsonElement value, string what) =>
        CheckRegion(value.ValueKind == JsonValueKind.String ? value.GetString() : null, what);

    /// <summary>True for an AWS region code: lower-case dash-separated parts ending in a number (us-east-1, us-gov-west-1).</summary>
    public static bool IsRegionCode(string? text) =>
        text is { Length: > 0 and <= 32 } && text.Split('-') is { Length: >= 3 } parts &&
        parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))) &&
        parts[^1].All(char.IsAsciiDigit);

    private static string CheckRegion(string? text, string what) =>
        IsRegionCode(text) ? text! : throw new PriceTableException($"price table: {what} must be an AWS region code such as us-east-1");

    private static string? ReadText(JsonElement value, string where)
    {
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            _ => throw new PriceTableException($"price table: {where} must be a string"),
        };
    }

    private static void ReadSources(JsonElement value, Dictionary<string, PriceSource> sources)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: \"sources\" must be an object keyed by source id");
        }

        foreach (var source in value.EnumerateObject())
        {
            var where = $"sources[\"{source.Name}\"]";
            if (source.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PriceTableException($"price table: {where} must be an object with a title");
            }

            string? title = null, url = null, retrieved = null;
            foreach (var field in source.Value.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "title":
                        title = ReadText(field.Value, $"{where}.title");
                        break;
                    case "url":
                        url = ReadText(field.Value, $"{where}.url");
                        break;
                    case "retrieved":
                        retrieved = ReadDate(field.Value, $"{where}.retrieved");
                        break;
                    case "note":
                        ReadText(field.Value, $"{where}.note");
                        break;
                    default:
                        throw new PriceTableException($"price table: {where} has unknown property \"{field.Name}\" (expected title, url, retrieved, note)");
                }
            }

            if (string.IsNullOrWhiteSpace(title))
            {
                throw new PriceTableException($"price table: {where}.title is missing");
            }

            sources[source.Name] = new PriceSource(source.Name, title, url, retrieved);
        }
    }

    private static List<string> ReadSourceIds(JsonElement value, string where, Dictionary<string, PriceSource> sources)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new PriceTableException($"price table: {where}.sources must be an array of source ids");
        }

        var ids = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var id = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new PriceTableException($"price table: {where}.sources must be an array of source ids");
            if (!sources.ContainsKey(id))
            {
                throw new PriceTableException($"price table: {where}.sources names \"{id}\", which is not in \"sources\"");
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static List<PriceEntry> ReadModels(JsonElement value, string tableDate, Dictionary<string, PriceSource> sources)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: \"models\" must be an object keyed by model id");
        }

        var entries = new List<PriceEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in value.EnumerateObject())
        {
            var where = $"models[\"{model.Name}\"]";
            if (model.Name.Length == 0)
            {
                throw new PriceTableException("price table: models has an empty model id");
            }

            if (model.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PriceTableException($"price table: {where} must be an object");
            }

            if (!seen.Add(model.Name))
            {
                throw new PriceTableException($"price table: {where} appears twice");
            }

            var kind = ModelKind.Text;
            decimal? multiplier = null;
            string? effectiveDate = null, note = null;
            var confirmed = false;
            List<string> sourceIds = [];
            List<string> priceListNames = [];
            var regions = new Dictionary<string, TokenPrices>(StringComparer.Ordinal);
            JsonElement? regionsElement = null;
            foreach (var field in model.Value.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "inputPerMillion" or "outputPerMillion" or "cacheReadPerMillion" or "cacheWritePerMillion":
                        break;
                    case "kind":
                        kind = ReadText(field.Value, $"{where}.kind") switch
                        {
                            "text" => ModelKind.Text,
                            "embedding" => ModelKind.Embedding,
                            _ => throw new PriceTableException($"price table: {where}.kind must be \"text\" or \"embedding\""),
                        };
                        break;
                    case "regionalMultiplier":
                        multiplier = ReadPrice(field.Value, where, field.Name);
                        if (multiplier <= 0)
                        {
                            throw new PriceTableException($"price table: {where}.regionalMultiplier must be greater than 0");
                        }

                        break;
                    case "regions":
                        regionsElement = field.Value;
                        break;
                    case "effectiveDate":
                        effectiveDate = ReadDate(field.Value, $"{where}.effectiveDate");
                        break;
                    case "sources":
                        sourceIds = ReadSourceIds(field.Value, where, sources);
                        break;
                    case "confirmed":
                        confirmed = field.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw new PriceTableException($"price table: {where}.confirmed must be true or false"),
                        };
                        break;
                    case "note":
                        note = ReadText(field.Value, $"{where}.note");
                        break;
                    case "priceListName":
                        priceListNames = ReadNames(field.Value, $"{where}.priceListName");
                        break;
                    default:
                        throw new PriceTableException($"price table: {where} has unknown property \"{field.Name}\" (expected inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion, regionalMultiplier, kind, regions, effectiveDate, sources, confirmed, note, priceListName)");
                }
            }

            var prices = ReadTokenPrices(model.Value, where, kind);
            if (regionsElement is { } r)
            {
                if (r.ValueKind != JsonValueKind.Object)
                {
                    throw new PriceTableException($"price table: {where}.regions must be an object keyed by region code");
                }

                foreach (var region in r.EnumerateObject())
                {
                    var regionWhere = $"{where}.regions[\"{region.Name}\"]";
                    CheckRegion(region.Name, $"{where}.regions key \"{region.Name}\"");
                    if (region.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new PriceTableException($"price table: {regionWhere} must be an object");
                    }

                    foreach (var field in region.Value.EnumerateObject())
                    {
                        if (field.Name is not ("inputPerMillion" or "outputPerMillion" or "cacheReadPerMillion" or "cacheWritePerMillion"))
                        {
                            throw new PriceTableException($"price table: {regionWhere} has unknown property \"{field.Name}\" (expected inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion)");
                        }
                    }

                    regions[region.Name] = ReadTokenPrices(region.Value, regionWhere, kind);
                }
            }

            if (confirmed && sourceIds.Count < 2)
            {
                throw new PriceTableException($"price table: {where}.confirmed is true but fewer than two sources are named");
            }

            entries.Add(new PriceEntry(model.Name, kind, prices, multiplier ?? 1m, regions, effectiveDate ?? tableDate, sourceIds, confirmed, note, priceListNames));
        }

        return entries;
    }

    private static TokenPrices ReadTokenPrices(JsonElement value, string where, ModelKind kind)
    {
        decimal? input = null, output = null, cacheRead = null, cacheWrite = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "inputPerMillion":
                    input = ReadPrice(field.Value, where, field.Name);
                    break;
                case "outputPerMillion":
                    output = ReadPrice(field.Value, where, field.Name);
                    break;
                case "cacheReadPerMillion":
                    cacheRead = ReadPrice(field.Value, where, field.Name);
                    break;
                case "cacheWritePerMillion":
                    cacheWrite = ReadPrice(field.Value, where, field.Name);
                    break;
                default:
                    break;
            }
        }

        if (input is null)
        {
            throw new PriceTableException($"price table: {where}.inputPerMillion is missing");
        }

        if (kind == ModelKind.Embedding)
        {
            // The Amazon Bedrock pricing page: "For embeddings models, you are charged for every input token processed."
            if (output is > 0)
            {
                throw new PriceTableException($"price table: {where} is an embedding model, priced on input tokens only: outputPerMillion must be 0 or absent");
            }

            output = 0m;
        }
        else if (output is null)
        {
            throw new PriceTableException($"price table: {where}.outputPerMillion is missing");
        }

        return new TokenPrices(input.Value, output.Value, cacheRead ?? input.Value, cacheWrite ?? input.Value);
    }

    private static List<string> ReadNames(JsonElement value, string where)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } single)
        {
            return [single];
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var names = new List<string>();
            foreach (var item in value.EnumerateArray())
            {
                names.Add(item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } name
                    ? name
                    : throw new PriceTableException($"price table: {where} must be a name or an array of names"));
            }

            return names;
        }

        throw new PriceTableException($"price table: {where} must be a name or an array of names");
    }

    private static List<NotTokenPricedEntry> ReadNotTokenPriced(JsonElement value, string tableDate, Dictionary<string, PriceSource> sources)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: \"notTokenPriced\" must be an object keyed by model id");
        }

        var entries = new List<NotTokenPricedEntry>();
        foreach (var model in value.EnumerateObject())
        {
            var where = $"notTokenPriced[\"{model.Name}\"]";
            if (model.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PriceTableException($"price table: {where} must be an object with a unit");
            }

            string? unit = null, note = null, effectiveDate = null, defaultTier = null;
            var confirmed = false;
            JsonElement? perUnit = null;
            List<string> sourceIds = [];
            foreach (var field in model.Value.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "unit":
                        unit = ReadText(field.Value, $"{where}.unit");
                        break;
                    case "sources":
                        sourceIds = ReadSourceIds(field.Value, where, sources);
                        break;
                    case "note":
                        note = ReadText(field.Value, $"{where}.note");
                        break;
                    case "perUnit":
                        perUnit = field.Value;
                        break;
                    case "defaultTier":
                        defaultTier = ReadText(field.Value, $"{where}.defaultTier");
                        break;
                    case "effectiveDate":
                        effectiveDate = ReadDate(field.Value, $"{where}.effectiveDate");
                        break;
                    case "confirmed":
                        confirmed = field.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw new PriceTableException($"price table: {where}.confirmed must be true or false"),
                        };
                        break;
                    default:
                        throw new PriceTableException($"price table: {where} has unknown property \"{field.Name}\" (expected unit, perUnit, defaultTier, effectiveDate, sources, confirmed, note)");
                }
            }

            if (unit is not ("image" or "second" or "request" or "query"))
            {
                throw new PriceTableException($"price table: {where}.unit must be image, second, request or query");
            }

            if (confirmed && sourceIds.Count < 2)
            {
                throw new PriceTableException($"price table: {where}.confirmed is true but fewer than two sources are named");
            }

            if (defaultTier is not null && perUnit is null)
            {
                throw new PriceTableException($"price table: {where}.defaultTier needs a perUnit price");
            }

            var prices = perUnit is { } p ? PerUnitPrices.Read(p, defaultTier, unit, where) : null;
            entries.Add(new NotTokenPricedEntry(model.Name, unit, sourceIds, note, prices, effectiveDate ?? tableDate, confirmed));
        }

        return entries;
    }

    private static Dictionary<string, string> ReadUnpriced(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: \"unpriced\" must be an object mapping a model id to why it has no price");
        }

        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var model in value.EnumerateObject())
        {
            known[model.Name] = model.Value.ValueKind == JsonValueKind.String && model.Value.GetString() is { Length: > 0 } reason
                ? reason
                : throw new PriceTableException($"price table: unpriced[\"{model.Name}\"] must be a string saying why");
        }

        return known;
    }

    private static decimal? ReadPrice(JsonElement value, string where, string field)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            // An explicit null means "not set": cache prices then default to the input price.
            return field is "cacheReadPerMillion" or "cacheWritePerMillion" or "regionalMultiplier" or "outputPerMillion"
                ? null
                : throw new PriceTableException($"price table: {where}.{field} must be a number");
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var price))
        {
            throw new PriceTableException($"price table: {where}.{field} must be a number");
        }

        return price < 0 ? throw new PriceTableException($"price table: {where}.{field} must not be negative") : price;
    }

    private static void ReadProfiles(JsonElement value, Dictionary<string, string> byArn, Dictionary<string, string> byId)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: \"inferenceProfiles\" must be an object mapping a profile ARN or id to a model id");
        }

        foreach (var profile in value.EnumerateObject())
        {
            if (profile.Value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(profile.Value.GetString()))
            {
                throw new PriceTableException($"price table: inferenceProfiles[\"{profile.Name}\"] must be a model id string");
            }

            var model = profile.Value.GetString()!;
            if (model.Contains(ApplicationProfileMarker, StringComparison.Ordinal))
            {
                throw new PriceTableException($"price table: inferenceProfiles[\"{profile.Name}\"] must map to a model id, not another application inference profile");
            }

            var marker = profile.Name.IndexOf(ApplicationProfileMarker, StringComparison.Ordinal);
            if (marker >= 0)
            {
                byArn[profile.Name] = model;
                byId.TryAdd(profile.Name[(marker + ApplicationProfileMarker.Length)..], model);
            }
            else if (profile.Name.StartsWith("arn:", StringComparison.Ordinal) || profile.Name.Contains('/', StringComparison.Ordinal))
            {
                throw new PriceTableException($"price table: inferenceProfiles key \"{profile.Name}\" must be an application-inference-profile ARN or its id");
            }
            else
            {
                byId[profile.Name] = model;
            }
        }
    }

    private sealed record TableParts(
        string EffectiveDate,
        string BaseRegion,
        Dictionary<string, PriceSource> Sources,
        List<PriceEntry> Entries,
        List<NotTokenPricedEntry> NotTokenPriced,
        Dictionary<string, string> Unpriced,
        Dictionary<string, string> ProfilesByArn,
        Dictionary<string, string> ProfilesById);

    private readonly record struct ModelPrice(TokenPrices Prices, decimal RegionalMultiplier, IReadOnlyDictionary<string, TokenPrices>? Regions, bool NotTokenPriced);
}
