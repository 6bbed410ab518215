using System.Globalization;
using System.Text.Json;

namespace GenAiObs.Core.Pricing;

/// <summary>The price of one call, or why there is none.</summary>
/// <param name="Priced">False when no price-table entry matched the model (the call must be counted as unpriced, never as $0).</param>
/// <param name="CostUsd">The cost in USD (0 when not priced).</param>
/// <param name="PriceKey">The <c>models</c> key that matched, when priced.</param>
public readonly record struct PriceQuote(bool Priced, decimal CostUsd, string? PriceKey);

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
public readonly record struct CostBreakdown(decimal InputUsd, decimal OutputUsd, decimal CacheReadUsd, decimal CacheWriteUsd, decimal CacheSavingsUsd)
{
    public decimal TotalUsd => InputUsd + OutputUsd + CacheReadUsd + CacheWriteUsd;
}

/// <summary>A price file that cannot be used; the message names the problem (a JSON path and what is wrong).</summary>
public sealed class PriceTableException : Exception
{
    public PriceTableException()
    {
    }

    public PriceTableException(string message)
        : base(message)
    {
    }

    public PriceTableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Per-token prices by model, and how a logged <c>modelId</c> finds its price. Immutable once
/// loaded; safe to share between threads.
/// </summary>
/// <remarks>
/// File format (USD per million tokens):
/// <code>
/// {"currency":"USD","effectiveDate":"2026-11-01",
///  "models":{"anthropic.claude-sonnet-4-5-20250929-v1:0":{"inputPerMillion":3.0,"outputPerMillion":15.0,
///    "cacheReadPerMillion":0.3,"cacheWritePerMillion":3.75,"regionalMultiplier":1.1}},
///  "inferenceProfiles":{"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3":"anthropic.claude-3-haiku-20240307-v1:0"}}
/// </code>
/// Resolution of a logged id: an application-inference-profile ARN, or its bare id, is mapped
/// through <c>inferenceProfiles</c>; any other ARN is reduced to the text after its last
/// <c>/</c>; one geography prefix (<c>us.</c> <c>eu.</c> <c>apac.</c> <c>jp.</c> <c>au.</c>
/// <c>ca.</c> <c>us-gov.</c> <c>global.</c>) is stripped; then an exact <c>models</c> key, else
/// the longest key K such that the id starts with <c>K:</c>. Cost = multiplier × (input ×
/// inputPerMillion + output × outputPerMillion + cacheRead × cacheReadPerMillion + cacheWrite ×
/// cacheWritePerMillion) / 10⁶, where multiplier is <c>regionalMultiplier</c> (default 1) unless
/// the id used the <c>global.</c> prefix; a missing cache price is the input price.
/// </remarks>
public sealed class PriceTable
{
    private const string DefaultResourceName = "GenAiObs.Core.default-prices.json";
    private const string ApplicationProfileMarker = ":application-inference-profile/";
    private const string GlobalPrefix = "global.";

    private static readonly string[] GeographyPrefixes = ["us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", GlobalPrefix];

    private readonly Dictionary<string, ModelPrice> _models;
    private readonly Dictionary<string, ModelPrice>.AlternateLookup<ReadOnlySpan<char>> _modelLookup;
    private readonly Dictionary<string, string> _profilesByArn;
    private readonly Dictionary<string, string> _profilesById;

    private PriceTable(string effectiveDate, Dictionary<string, ModelPrice> models, Dictionary<string, string> profilesByArn, Dictionary<string, string> profilesById)
    {
        EffectiveDate = effectiveDate;
        _models = models;
        _modelLookup = models.GetAlternateLookup<ReadOnlySpan<char>>();
        _profilesByArn = profilesByArn;
        _profilesById = profilesById;
    }

    /// <summary>The table's <c>effectiveDate</c> (yyyy-MM-dd).</summary>
    public string EffectiveDate { get; }

    /// <summary>The <c>models</c> keys, for diagnostics and documentation.</summary>
    public IReadOnlyCollection<string> ModelKeys => _models.Keys;

    /// <summary>The dated default table embedded in the assembly (built from public on-demand prices).</summary>
    public static PriceTable LoadDefault()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new PriceTableException($"embedded resource {DefaultResourceName} is missing");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Parse(bytes);
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
    /// Prices one call of <paramref name="loggedModelId"/> (the <c>modelId</c> exactly as logged).
    /// Token counts must be non-negative (Bedrock's input count excludes cache reads and writes).
    /// </summary>
    public PriceQuote Quote(string loggedModelId, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) =>
        Quote(loggedModelId, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, out _);

    /// <summary>
    /// <see cref="Quote(string, long, long, long, long)"/> with the cost split into its parts
    /// (all zero when the model has no price).
    /// </summary>
    public PriceQuote Quote(string loggedModelId, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, out CostBreakdown breakdown)
    {
        breakdown = default;
        ArgumentNullException.ThrowIfNull(loggedModelId);
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheReadTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheWriteTokens);

        if (!TryResolve(loggedModelId, out var key, out var price, out var usedGlobal))
        {
            return new PriceQuote(false, 0m, null);
        }

        var perMillion = (inputTokens * price.InputPerMillion)
            + (outputTokens * price.OutputPerMillion)
            + (cacheReadTokens * price.CacheReadPerMillion)
            + (cacheWriteTokens * price.CacheWritePerMillion);
        var multiplier = usedGlobal ? 1m : price.RegionalMultiplier;
        // Token counts times prices and the multiplier stay exact in decimal (division by 10^6
        // only moves the scale), so the parts add up to the total to the last digit.
        breakdown = new CostBreakdown(
            multiplier * (inputTokens * price.InputPerMillion) / 1_000_000m,
            multiplier * (outputTokens * price.OutputPerMillion) / 1_000_000m,
            multiplier * (cacheReadTokens * price.CacheReadPerMillion) / 1_000_000m,
            multiplier * (cacheWriteTokens * price.CacheWritePerMillion) / 1_000_000m,
            multiplier * (cacheReadTokens * (price.InputPerMillion - price.CacheReadPerMillion)) / 1_000_000m);
        return new PriceQuote(true, multiplier * perMillion / 1_000_000m, key);
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

    // ---- Loading

    private static PriceTable FromDocument(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: the root must be a JSON object");
        }

        string? effectiveDate = null;
        Dictionary<string, ModelPrice>? models = null;
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
                    effectiveDate = ReadDate(property.Value);
                    break;
                case "models":
                    models = ReadModels(property.Value);
                    break;
                case "inferenceProfiles":
                    ReadProfiles(property.Value, profilesByArn, profilesById);
                    break;
                case "source" or "description" or "notes" or "$schema":
                    break;
                default:
                    throw new PriceTableException($"price table: unknown property \"{property.Name}\" (expected currency, effectiveDate, models, inferenceProfiles, source)");
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

        var table = new PriceTable(effectiveDate, models, profilesByArn, profilesById);
        foreach (var (profile, model) in profilesByArn.Concat(profilesById))
        {
            if (!table.TryResolve(model, out _, out _, out _))
            {
                throw new PriceTableException($"price table: inferenceProfiles[\"{profile}\"] maps to \"{model}\", which has no price in models");
            }
        }

        return table;
    }

    private static string ReadDate(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String &&
            DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        throw new PriceTableException("price table: \"effectiveDate\" must be a date string yyyy-MM-dd");
    }

    private static Dictionary<string, ModelPrice> ReadModels(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("price table: \"models\" must be an object keyed by model id");
        }

        var models = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
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

            decimal? input = null, output = null, cacheRead = null, cacheWrite = null, multiplier = null;
            foreach (var field in model.Value.EnumerateObject())
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
                    case "regionalMultiplier":
                        multiplier = ReadPrice(field.Value, where, field.Name);
                        if (multiplier <= 0)
                        {
                            throw new PriceTableException($"price table: {where}.regionalMultiplier must be greater than 0");
                        }

                        break;
                    default:
                        throw new PriceTableException($"price table: {where} has unknown property \"{field.Name}\" (expected inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion, regionalMultiplier)");
                }
            }

            if (input is null)
            {
                throw new PriceTableException($"price table: {where}.inputPerMillion is missing");
            }

            if (output is null)
            {
                throw new PriceTableException($"price table: {where}.outputPerMillion is missing");
            }

            if (!models.TryAdd(model.Name, new ModelPrice(input.Value, output.Value, cacheRead ?? input.Value, cacheWrite ?? input.Value, multiplier ?? 1m)))
            {
                throw new PriceTableException($"price table: {where} appears twice");
            }
        }

        return models;
    }

    private static decimal? ReadPrice(JsonElement value, string where, string field)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            // An explicit null means "not set": cache prices then default to the input price.
            return field is "cacheReadPerMillion" or "cacheWritePerMillion" or "regionalMultiplier"
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

    private readonly record struct ModelPrice(decimal InputPerMillion, decimal OutputPerMillion, decimal CacheReadPerMillion, decimal CacheWritePerMillion, decimal RegionalMultiplier);
}
