using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Parses one Bedrock <c>ModelInvocationLog</c> record (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html) into an
/// <see cref="InvocationRecord"/>. One forward pass with <see cref="Utf8JsonReader"/>: prompt and
/// response content is skipped, never turned into strings; only identifiers, numbers and the
/// stop word (mapped to a canonical constant) are read.
/// </summary>
public static class InvocationLogParser
{
    /// <summary>Largest accepted token count (a larger one is corrupt, not a real call).</summary>
    public const long MaxTokenCount = 10_000_000_000;

    /// <summary>Longest latency or time to first token believed (one day, like a span's duration); a larger one is ignored as corrupt.</summary>
    public const double MaxLatencyMs = 86_400_000;

    /// <summary>Longest identifier field (modelId, requestId …) accepted.</summary>
    public const int MaxIdentifierBytes = 2048;

    /// <summary>
    /// At most this many <c>requestMetadata</c> entries are kept (only team/application/environment, any case), each key ≤ 128 and value ≤ 256 characters.
    /// The request dimensions (<see cref="RequestDimensionNames"/>: feature, variant, prompt template) are read apart, under the same per-value bound.
    /// </summary>
    public const int MaxMetadataEntries = 32;

    private const int MaxMetadataKeyBytes = 128;
    private const int MaxMetadataValueBytes = 256;
    private const int MaxArnChars = 2048;

    /// <summary>
    /// Parses <paramref name="logEvent"/>'s message. A record with an <c>errorCode</c> is a
    /// successful parse (an accepted failed call); only unusable input is rejected.
    /// </summary>
    /// <returns>True with <paramref name="record"/>, or false with a content-free <paramref name="rejection"/>.</returns>
    public static bool TryParse(
        in LogEvent logEvent,
        [NotNullWhen(true)] out InvocationRecord? record,
        [NotNullWhen(false)] out Rejection? rejection,
        int maxJsonDepth = 64) =>
        TryParse(logEvent, out record, out rejection, maxJsonDepth, strings: null, RequestDimensionNames.Default);

    /// <summary>As the public overload, with the delivery's identifier strings, shared between its records (null: none), and the requestMetadata keys of the request dimensions.</summary>
    internal static bool TryParse(
        in LogEvent logEvent,
        [NotNullWhen(true)] out InvocationRecord? record,
        [NotNullWhen(false)] out Rejection? rejection,
        int maxJsonDepth,
        Utf8StringTable? strings,
        RequestDimensionNames dimensions)
    {
        var json = logEvent.Message.Span;
        try
        {
            record = Parse(json, logEvent, maxJsonDepth, strings, dimensions);
            rejection = null;
            return true;
        }
        catch (RecordRejectedException rejected)
        {
            rejection = new Rejection(logEvent.Id, rejected.Reason, rejected.Detail, Source: RecordSources.Invocation);
        }
        catch (JsonException)
        {
            rejection = JsonFailure(logEvent.Id, json, maxJsonDepth, RecordSources.Invocation);
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate inside a string we had to read.
            rejection = new Rejection(logEvent.Id, RejectReasons.InvalidJson, "invalid text encoding", Source: RecordSources.Invocation);
        }

        record = null;
        return false;
    }

    /// <summary>The reject for a document the reader refused: too deep, else malformed.</summary>
    internal static Rejection JsonFailure(string eventId, ReadOnlySpan<byte> json, int maxJsonDepth, string? source) =>
        JsonDepth.Exceeds(json, maxJsonDepth)
            ? new Rejection(eventId, RejectReasons.TooDeep, "nesting deeper than the limit", Source: source)
            : new Rejection(eventId, RejectReasons.InvalidJson, "malformed JSON", Source: source);

    private static InvocationRecord Parse(ReadOnlySpan<byte> json, in LogEvent logEvent, int maxJsonDepth, Utf8StringTable? strings, RequestDimensionNames dimensions)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxJsonDepth });

        // What the reader reads: the request body scanner may pass a prompt past it and resume it on the rest.
        var source = json;
        if (!reader.Read())
        {
            throw new RecordRejectedException(RejectReasons.InvalidJson, "empty message");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EnsureEnd(ref reader);
            throw new RecordRejectedException(RejectReasons.NotAnObject, "root");
        }

        var fields = new RecordFields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("schemaType"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("ModelInvocationLog"u8))
                {
                    throw new RecordRejectedException(RejectReasons.UnsupportedSchema, "schemaType");
                }
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                fields.Timestamp = ReadTimestamp(ref reader);
            }
            else if (reader.ValueTextEquals("modelId"u8))
            {
                fields.ModelId = ReadIdentifier(ref reader, "modelId", strings);
            }
            else if (reader.ValueTextEquals("operation"u8))
            {
                fields.Operation = ReadOperation(ref reader, strings);
            }
            else if (reader.ValueTextEquals("accountId"u8))
            {
                fields.AccountId = ReadIdentifier(ref reader, "accountId", strings);
            }
            else if (reader.ValueTextEquals("region"u8))
            {
                fields.Region = ReadIdentifier(ref reader, "region", strings);
            }
            else if (reader.ValueTextEquals("inferenceRegion"u8))
            {
                fields.InferenceRegion = ReadIdentifier(ref reader, "inferenceRegion", strings);
            }
            else if (reader.ValueTextEquals("requestId"u8))
            {
                fields.RequestId = ReadIdentifier(ref reader, "requestId", strings: null);
            }
            else if (reader.ValueTextEquals("errorCode"u8))
            {
                fields.ErrorCode = ReadIdentifier(ref reader, "errorCode", strings);
            }
            else if (reader.ValueTextEquals("identity"u8))
            {
                reader.Read();
                fields.Principal = ReadPrincipal(ref reader, strings);
            }
            else if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                ReadInput(ref reader, ref source, ref fields);
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                reader.Read();
                ReadOutput(ref reader, ref fields);
            }
            else if (reader.ValueTextEquals("requestMetadata"u8))
            {
                reader.Read();
                fields.RequestMetadata = ReadRequestMetadata(ref reader, strings, dimensions, ref fields);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        EnsureEnd(ref reader);

        if (string.IsNullOrEmpty(fields.ModelId))
        {
            throw new RecordRejectedException(RejectReasons.MissingModelId, "modelId");
        }

        if (string.IsNullOrEmpty(fields.Operation))
        {
            throw new RecordRejectedException(RejectReasons.MissingField, "operation");
        }

        var timestamp = fields.Timestamp ?? FromEventTime(logEvent.TimestampMs);
        if (!EventTimeBounds.Plausible.Contains(timestamp))
        {
            // Year 1 or 9999 is a broken clock; accepted, it would overflow every TTL computed from it.
            throw new RecordRejectedException(RejectReasons.InvalidTimestamp, fields.Timestamp is null ? "event timestamp" : "timestamp");
        }

        var body = fields.Body;
        return new InvocationRecord
        {
            EventId = logEvent.Id,
            Timestamp = timestamp,
            Operation = fields.Operation,
            ModelId = fields.ModelId,
            Principal = fields.Principal ?? PrincipalParser.Unknown,
            AccountId = fields.AccountId,
            Region = fields.Region,
            InferenceRegion = fields.InferenceRegion,
            RequestId = fields.RequestId,
            InputTokens = fields.InputTokens ?? body.StreamInputTokens ?? 0,
            OutputTokens = fields.OutputTokens ?? body.StreamOutputTokens ?? 0,
            CacheReadTokens = fields.CacheReadTokens ?? 0,
            CacheWriteTokens = fields.CacheWriteTokens ?? 0,
            // Converse reports a guardrail intervention as its stop reason; InvokeModel bodies flag it beside the model's own.
            StopReason = body.GuardrailIntervened ? StopReasons.GuardrailIntervened : body.StopReason ?? StopReasons.Unknown,
            LatencyMs = body.LatencyMs,
            TimeToFirstTokenMs = body.FirstByteMs,
            ErrorCode = string.IsNullOrEmpty(fields.ErrorCode) ? null : fields.ErrorCode,
            RequestMetadata = fields.RequestMetadata,
            Dimensions = RequestDimensions.From(fields.Feature, fields.Variant, fields.PromptTemplate, fields.PromptTemplateVersion),
            Media = MediaOf(fields.Request, body),
        };
    }

    /// <summary>
    /// The image or video usage the bodies show; null for every other call. The response's image
    /// count wins (what was generated); without a logged response, the request's numberOfImages,
    /// which defaults to 1 (Amazon Titan Image Generator, Amazon Nova Canvas).
    /// </summary>
    private static MediaUsage? MediaOf(in RequestBodyFacts request, in ResponseBodyFacts body)
    {
        if (!request.ImageRequest && request.VideoSeconds is null && body.ImageCount is null && request.RerankQueries is null)
        {
            return null;
        }

        var images = body.ImageCount ?? (request.ImageRequest ? request.NumberOfImages ?? 1 : null);
        return new MediaUsage(images, request.VideoSeconds, request.Quality, request.Width, request.Height) { Queries = request.RerankQueries };
    }

    // ---- Top-level fields

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        // Trailing content after the record makes the reader throw (invalid_json).
        if (reader.Read())
        {
            throw new RecordRejectedException(RejectReasons.InvalidJson, "content after the record");
        }
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.TryGetDateTimeOffset(out var value)
                    ? value
                    : throw new RecordRejectedException(RejectReasons.InvalidTimestamp, "timestamp");
            default:
                throw new RecordRejectedException(RejectReasons.WrongType, "timestamp");
        }
    }

    private static DateTimeOffset FromEventTime(long epochMs) =>
        epochMs is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(epochMs)
            : throw new RecordRejectedException(RejectReasons.InvalidTimestamp, "event timestamp");

    /// <summary>The four documented operations come back as shared constants (no allocation per record).</summary>
    private static string? ReadOperation(ref Utf8JsonReader reader, Utf8StringTable? strings)
    {
        var lookahead = reader;
        lookahead.Read();
        if (lookahead.TokenType == JsonTokenType.String)
        {
            var known = lookahead.ValueTextEquals("Converse"u8) ? "Converse"
                : lookahead.ValueTextEquals("ConverseStream"u8) ? "ConverseStream"
                : lookahead.ValueTextEquals("InvokeModel"u8) ? "InvokeModel"
                : lookahead.ValueTextEquals("InvokeModelWithResponseStream"u8) ? "InvokeModelWithResponseStream"
                : null;
            if (known is not null)
            {
                reader = lookahead;
                return known;
            }
        }

        return ReadIdentifier(ref reader, "operation", strings);
    }

    /// <summary>A short identifier string (null when JSON null); the reader is on the property name.</summary>
    private static string? ReadIdentifier(ref Utf8JsonReader reader, string field, Utf8StringTable? strings)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new RecordRejectedException(RejectReasons.WrongType, field);
        }

        if (reader.ValueSpan.Length > MaxIdentifierBytes * 6 || (reader.ValueSpan.Length > MaxIdentifierBytes && !reader.ValueIsEscaped))
        {
            throw new RecordRejectedException(RejectReasons.WrongType, field + " too long");
        }

        var value = strings is null ? reader.GetString()! : strings.GetString(ref reader);
        return value.Length > MaxIdentifierBytes
            ? throw new RecordRejectedException(RejectReasons.WrongType, field + " too long")
            : value;
    }

    private static string ReadPrincipal(ref Utf8JsonReader reader, Utf8StringTable? strings)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return PrincipalParser.Unknown;
        }

        // The ARN is unescaped into a stack buffer so the session name (often an e-mail) never becomes a string.
        Span<char> arn = stackalloc char[MaxArnChars];
        var principal = PrincipalParser.Unknown;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isArn = reader.ValueTextEquals("arn"u8);
            reader.Read();
            if (isArn && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxArnChars)
            {
                principal = PrincipalParser.FromArn(arn[..reader.CopyString(arn)], strings);
            }
            else
            {
                reader.Skip();
            }
        }

        return principal;
    }

    private static void ReadInput(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source, ref RecordFields fields)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            SkipOptionalObject(ref reader, "input");
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("inputTokenCount"u8))
            {
                reader.Read();
                fields.InputTokens = ReadTokenCount(ref reader, "input.inputTokenCount");
            }
            else if (reader.ValueTextEquals("cacheReadInputTokenCount"u8))
            {
                reader.Read();
                fields.CacheReadTokens = ReadTokenCount(ref reader, "input.cacheReadInputTokenCount");
            }
            else if (reader.ValueTextEquals("cacheWriteInputTokenCount"u8))
            {
                reader.Read();
                fields.CacheWriteTokens = ReadTokenCount(ref reader, "input.cacheWriteInputTokenCount");
            }
            else if (reader.ValueTextEquals("inputBodyJson"u8))
            {
                // Only an image or video request's count, quality and size are read; the prompt is skipped.
                reader.Read();
                RequestBodyScanner.Scan(ref reader, ref source, ref fields.Request);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadOutput(ref Utf8JsonReader reader, ref RecordFields fields)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            SkipOptionalObject(ref reader, "output");
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("outputTokenCount"u8))
            {
                reader.Read();
                fields.OutputTokens = ReadTokenCount(ref reader, "output.outputTokenCount");
            }
            else if (reader.ValueTextEquals("outputBodyJson"u8))
            {
                reader.Read();
                ResponseBodyScanner.Scan(ref reader, ref fields.Body);
            }
            else
            {
                // outputBodyS3Path: the body is in S3, so the stop reason stays unknown.
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary><c>input</c>/<c>output</c> may be null or missing on failed calls; any other non-object is a wrong type.</summary>
    private static void SkipOptionalObject(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.Null)
        {
            throw new RecordRejectedException(RejectReasons.WrongType, field);
        }
    }

    private static long? ReadTokenCount(ref Utf8JsonReader reader, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var value) && value is >= 0 and <= MaxTokenCount
                    ? value
                    : throw new RecordRejectedException(RejectReasons.InvalidTokenCount, field);
            default:
                throw new RecordRejectedException(RejectReasons.WrongType, field);
        }
    }

    private static Dictionary<string, string>? ReadRequestMetadata(ref Utf8JsonReader reader, Utf8StringTable? strings, RequestDimensionNames dimensions, ref RecordFields fields)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // Unconfirmed field: an unexpected shape is ignored rather than costing the record.
            reader.Skip();
            return null;
        }

        Dictionary<string, string>? metadata = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var keyFits = reader.ValueSpan.Length <= MaxMetadataKeyBytes;
            var key = !keyFits ? null : strings is null ? reader.GetString() : strings.GetString(ref reader);
            reader.Read();
            if (key is { Length: > 0 } && dimensions.OfMetadataKey(key) is { } dimension)
            {
                ReadDimension(ref reader, dimension, strings, ref fields);
            }
            else if (key is { Length: > 0 } && IsKeptTag(key) && reader.TokenType == JsonTokenType.String &&
                reader.ValueSpan.Length <= MaxMetadataValueBytes && (metadata?.Count ?? 0) < MaxMetadataEntries)
            {
                metadata ??= new Dictionary<string, string>(StringComparer.Ordinal);
                metadata[key] = strings is null ? reader.GetString()! : strings.GetString(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return metadata;
    }

    /// <summary>A request dimension's value: a string within the value bound, else ignored (the record keeps the rest).</summary>
    private static void ReadDimension(ref Utf8JsonReader reader, RequestDimension dimension, Utf8StringTable? strings, ref RecordFields fields)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxMetadataValueBytes)
        {
            reader.Skip();
            return;
        }

        var value = strings is null ? reader.GetString()! : strings.GetString(ref reader);
        switch (dimension)
        {
            case RequestDimension.Feature:
                fields.Feature = value;
                break;
            case RequestDimension.Variant:
                fields.Variant = value;
                break;
            case RequestDimension.PromptTemplate:
                fields.PromptTemplate = value;
                break;
            default:
                fields.PromptTemplateVersion = value;
                break;
        }
    }

    /// <summary>
    /// Only the tags the pipeline reports (team, application, environment; any case) are kept.
    /// requestMetadata is free-form: callers put user ids, e-mails and ticket text there too, and
    /// what is never used should never be held.
    /// </summary>
    private static bool IsKeptTag(string key) =>
        key.Equals("team", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("application", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("environment", StringComparison.OrdinalIgnoreCase);

    /// <summary>What the top-level pass collects; nullable members distinguish absent from zero.</summary>
    private struct RecordFields
    {
        public DateTimeOffset? Timestamp;
        public string? ModelId;
        public string? Operation;
        public string? AccountId;
        public string? Region;
        public string? InferenceRegion;
        public string? RequestId;
        public string? ErrorCode;
        public string? Principal;
        public long? InputTokens;
        public long? OutputTokens;
        public long? CacheReadTokens;
        public long? CacheWriteTokens;
        public Dictionary<string, string>? RequestMetadata;
        public string? Feature;
        public string? Variant;
        public string? PromptTemplate;
        public string? PromptTemplateVersion;
        public ResponseBodyFacts Body;
        public RequestBodyFacts Request;
    }
}
