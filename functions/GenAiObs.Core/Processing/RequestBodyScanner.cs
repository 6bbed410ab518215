using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Reads an <c>inputBodyJson</c> for the few settings that price an image or video call: the
/// Amazon Titan Image Generator and Amazon Nova Canvas <c>taskType</c> and
/// <c>imageGenerationConfig</c> (<c>numberOfImages</c>, <c>quality</c>, <c>width</c>, <c>height</c>;
/// Amazon Bedrock User Guide, "Amazon Titan Image Generator G1 models", and the Amazon Nova User
/// Guide, "Image generation request and response"), and the Amazon Nova Reel
/// <c>videoGenerationConfig</c> (<c>durationSeconds</c>, <c>dimension</c>) of a
/// <c>TEXT_VIDEO</c>, <c>MULTI_SHOT_AUTOMATED</c> or <c>MULTI_SHOT_MANUAL</c> request (Amazon Nova
/// User Guide, "Video generation access and usage"), the Luma AI Ray <c>duration</c>
/// (<c>"5s"</c>, <c>"9s"</c>) and <c>resolution</c> (<c>"540p"</c>, <c>"720p"</c>; Amazon Bedrock User
/// Guide, "Luma AI models"), and a rerank request's <c>documents</c> beside its <c>query</c>
/// (Amazon Rerank, Cohere Rerank). Prompts, queries, documents, images and every other member are
/// skipped unread: a base64 image is passed over, never copied, and the members the scanner does not
/// know (messages, system prompts, a prompt text) with <see cref="JsonStringScanner.SkipPropertyValue"/>,
/// whose vectorized search passes a prompt's escaped text several times faster than the reader.
/// </summary>
internal static class RequestBodyScanner
{
    /// <summary>Amazon Nova Reel renders 6-second shots: a single-shot request without a duration, and each manual shot, is 6 seconds.</summary>
    public const long SecondsPerShot = 6;

    /// <summary>Largest believed image count, pixel side or video length; a larger value is ignored as corrupt.</summary>
    private const long MaxImages = 1000;
    private const int MaxSide = 65_536;
    private const long MaxVideoSeconds = 86_400;

    /// <summary>A rerank query covers up to 100 documents; more are billed as further queries (Amazon Bedrock pricing page, rerank models).</summary>
    public const long DocumentsPerQuery = 100;

    /// <summary>What a property of a request body is to the scanner.</summary>
    internal enum RequestField
    {
        None,
        TaskType,
        ImageConfig,
        VideoConfig,
        ManualShots,
        Duration,
        Resolution,
        Query,
        Documents,
        Wrapper,
    }

    internal static readonly PropertyNameTable<RequestField> Fields = new(
        ("taskType", RequestField.TaskType),                     // Titan Image Generator, Nova Canvas, Nova Reel
        ("imageGenerationConfig", RequestField.ImageConfig),     // Titan Image Generator, Nova Canvas
        ("videoGenerationConfig", RequestField.VideoConfig),     // Nova Reel
        ("multiShotManualParams", RequestField.ManualShots),     // Nova Reel MULTI_SHOT_MANUAL
        ("duration", RequestField.Duration),                     // Luma Ray ("5s", "9s")
        ("resolution", RequestField.Resolution),                 // Luma Ray ("540p", "720p")
        ("query", RequestField.Query),                           // Amazon Rerank, Cohere Rerank
        ("documents", RequestField.Documents),                   // Amazon Rerank, Cohere Rerank (Cohere Command R's grounding documents come without a query)
        ("modelInput", RequestField.Wrapper));                   // StartAsyncInvoke's request, when logged whole

    /// <summary>
    /// The reader is on the body's first token and reads <paramref name="source"/>; on return it is on
    /// the body's last token, and may be a reader over the rest of <paramref name="source"/>, which is
    /// then that rest (<see cref="JsonStringScanner.ResumeAfterString"/>).
    /// </summary>
    public static void Scan(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source, ref RequestBodyFacts facts)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        var scan = default(ScanState);
        ScanObject(ref reader, ref source, ref facts, ref scan, nested: false);
        facts.VideoSeconds = scan.Video switch
        {
            VideoTask.SingleShot => scan.DurationSeconds ?? SecondsPerShot,
            VideoTask.MultiShotAutomated => scan.DurationSeconds,
            VideoTask.MultiShotManual => scan.DurationSeconds ?? (scan.ManualShots is { } shots ? shots * SecondsPerShot : null),
            _ => scan.TextDurationSeconds,
        };
        facts.RerankQueries = scan.HasQuery && scan.Documents is { } documents
            ? Math.Max(1, (documents + DocumentsPerQuery - 1) / DocumentsPerQuery)
            : null;
    }

    /// <summary>What the scan has seen so far of the members that only count together.</summary>
    private struct ScanState
    {
        public VideoTask Video;
        public long? DurationSeconds;
        public long? ManualShots;

        /// <summary>Luma AI Ray's <c>duration</c> (<c>"5s"</c>) in seconds.</summary>
        public long? TextDurationSeconds;

        public bool HasQuery;
        public long? Documents;
    }

    private enum VideoTask
    {
        None,
        SingleShot,
        MultiShotAutomated,
        MultiShotManual,
    }

    private static void ScanObject(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source, ref RequestBodyFacts facts, ref ScanState scan, bool nested)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Fields.TryFind(ref reader, out var found) ? found : RequestField.None;
            if (field == RequestField.None)
            {
                JsonStringScanner.SkipPropertyValue(ref reader, ref source);
                continue;
            }

            reader.Read();
            switch (field)
            {
                case RequestField.TaskType when reader.TokenType == JsonTokenType.String:
                    scan.Video = TaskOf(ref reader, ref facts);
                    break;
                case RequestField.ImageConfig when reader.TokenType == JsonTokenType.StartObject:
                    facts.ImageRequest = true;
                    ScanImageConfig(ref reader, ref facts);
                    break;
                case RequestField.VideoConfig when reader.TokenType == JsonTokenType.StartObject:
                    ScanVideoConfig(ref reader, ref facts, ref scan.DurationSeconds);
                    break;
                case RequestField.ManualShots when reader.TokenType == JsonTokenType.StartObject:
                    scan.ManualShots = CountShots(ref reader);
                    break;
                case RequestField.Duration when reader.TokenType == JsonTokenType.String:
                    scan.TextDurationSeconds = ReadSecondsText(reader.ValueSpan) ?? scan.TextDurationSeconds;
                    break;
                case RequestField.Resolution when reader.TokenType == JsonTokenType.String:
                    facts.Quality = ResolutionOf(ref reader) ?? facts.Quality;
                    break;
                case RequestField.Query when reader.TokenType == JsonTokenType.String:
                    scan.HasQuery = true;
                    break;
                case RequestField.Documents when reader.TokenType == JsonTokenType.StartArray:
                    scan.Documents = CountElements(ref reader);
                    break;
                case RequestField.Wrapper when !nested && reader.TokenType == JsonTokenType.StartObject:
                    ScanObject(ref reader, ref source, ref facts, ref scan, nested: true);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static VideoTask TaskOf(ref Utf8JsonReader reader, ref RequestBodyFacts facts)
    {
        if (reader.ValueTextEquals("TEXT_VIDEO"u8))
        {
            return VideoTask.SingleShot;
        }

        if (reader.ValueTextEquals("MULTI_SHOT_AUTOMATED"u8))
        {
            return VideoTask.MultiShotAutomated;
        }

        if (reader.ValueTextEquals("MULTI_SHOT_MANUAL"u8))
        {
            return VideoTask.MultiShotManual;
        }

        // The image tasks of Titan Image Generator and Nova Canvas. Other models name tasks too
        // (Nova Multimodal Embeddings' SINGLE_EMBEDDING …): those are not image requests.
        facts.ImageRequest |= reader.ValueTextEquals("TEXT_IMAGE"u8) || reader.ValueTextEquals("INPAINTING"u8) ||
            reader.ValueTextEquals("OUTPAINTING"u8) || reader.ValueTextEquals("IMAGE_VARIATION"u8) ||
            reader.ValueTextEquals("COLOR_GUIDED_GENERATION"u8) || reader.ValueTextEquals("BACKGROUND_REMOVAL"u8) ||
            reader.ValueTextEquals("VIRTUAL_TRY_ON"u8);
        return VideoTask.None;
    }

    private static void ScanImageConfig(ref Utf8JsonReader reader, ref RequestBodyFacts facts)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("numberOfImages"u8))
            {
                reader.Read();
                facts.NumberOfImages = ReadWhole(ref reader, MaxImages) ?? facts.NumberOfImages;
            }
            else if (reader.ValueTextEquals("quality"u8))
            {
                reader.Read();
                facts.Quality = reader.TokenType == JsonTokenType.String ? QualityOf(ref reader) : facts.Quality;
            }
            else if (reader.ValueTextEquals("width"u8))
            {
                reader.Read();
                facts.Width = (int?)ReadWhole(ref reader, MaxSide) ?? facts.Width;
            }
            else if (reader.ValueTextEquals("height"u8))
            {
                reader.Read();
                facts.Height = (int?)ReadWhole(ref reader, MaxSide) ?? facts.Height;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ScanVideoConfig(ref Utf8JsonReader reader, ref RequestBodyFacts facts, ref long? durationSeconds)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("durationSeconds"u8))
            {
                reader.Read();
                durationSeconds = ReadWhole(ref reader, MaxVideoSeconds) ?? durationSeconds;
            }
            else if (reader.ValueTextEquals("dimension"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && TryReadDimension(reader.ValueSpan, out var width, out var height))
                {
                    facts.Width = width;
                    facts.Height = height;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>The length of <c>multiShotManualParams.shots</c> (each shot's prompt and image skipped); null when absent.</summary>
    private static long? CountShots(ref Utf8JsonReader reader)
    {
        long? shots = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isShots = reader.ValueTextEquals("shots"u8);
            reader.Read();
            if (isShots && reader.TokenType == JsonTokenType.StartArray)
            {
                shots = CountElements(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return shots;
    }

    /// <summary>The number of elements of the array the reader is on, each skipped unread; on return the reader is on the array's end.</summary>
    internal static long CountElements(ref Utf8JsonReader reader)
    {
        long count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            reader.Skip();
        }

        return count;
    }

    /// <summary>Quality is an enumeration; anything but the two documented values is kept as <c>other</c>, never as its text.</summary>
    private static string QualityOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("standard"u8) || reader.ValueTextEquals("STANDARD"u8) || reader.ValueTextEquals("Standard"u8) ? MediaQualities.Standard
        : reader.ValueTextEquals("premium"u8) || reader.ValueTextEquals("PREMIUM"u8) || reader.ValueTextEquals("Premium"u8) ? MediaQualities.Premium
        : MediaQualities.Other;

    /// <summary>Luma AI Ray's resolution enumeration; another <c>NNNp</c> value is kept as <c>other</c> (never as its text), anything else is not a resolution.</summary>
    private static string? ResolutionOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("540p"u8) ? MediaQualities.Resolution540p
        : reader.ValueTextEquals("720p"u8) ? MediaQualities.Resolution720p
        : reader.ValueSpan is [.. var digits, (byte)'p'] && digits.Length is > 0 and <= 5 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9') ? MediaQualities.Other
        : null;

    /// <summary>Parses <c>NNs</c> (Luma AI Ray's <c>"5s"</c>, <c>"9s"</c>) as whole seconds; null for anything else.</summary>
    private static long? ReadSecondsText(ReadOnlySpan<byte> text) =>
        text is [.. var digits, (byte)'s'] && System.Buffers.Text.Utf8Parser.TryParse(digits, out long seconds, out var used) &&
            used == digits.Length && seconds is > 0 and <= MaxVideoSeconds ? seconds : null;

    private static long? ReadWhole(ref Utf8JsonReader reader, long max) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0 && value <= max ? value : null;

    /// <summary>Parses <c>WIDTHxHEIGHT</c> (Nova Reel's <c>"1280x720"</c>).</summary>
    private static bool TryReadDimension(ReadOnlySpan<byte> text, out int width, out int height)
    {
        width = height = 0;
        var x = text.IndexOfAny((byte)'x', (byte)'X');
        return x > 0 && System.Buffers.Text.Utf8Parser.TryParse(text[..x], out width, out var usedWidth) && usedWidth == x &&
            System.Buffers.Text.Utf8Parser.TryParse(text[(x + 1)..], out height, out var usedHeight) && usedHeight == text.Length - x - 1 &&
            width is > 0 and <= MaxSide && height is > 0 and <= MaxSide;
    }
}
