using System.Text.Json;
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
/// User Guide, "Video generation access and usage"). Prompts, images and every other member are
/// skipped with <see cref="Utf8JsonReader.Skip"/>: a base64 image is passed over, never copied.
/// </summary>
internal static class RequestBodyScanner
{
    /// <summary>Amazon Nova Reel renders 6-second shots: a single-shot request without a duration, and each manual shot, is 6 seconds.</summary>
    public const long SecondsPerShot = 6;

    /// <summary>Largest believed image count, pixel side or video length; a larger value is ignored as corrupt.</summary>
    private const long MaxImages = 1000;
    private const int MaxSide = 65_536;
    private const long MaxVideoSeconds = 86_400;

    /// <summary>What a property of a request body is to the scanner.</summary>
    internal enum RequestField
    {
        None,
        TaskType,
        ImageConfig,
        VideoConfig,
        ManualShots,
        Wrapper,
    }

    internal static readonly PropertyNameTable<RequestField> Fields = new(
        ("taskType", RequestField.TaskType),                     // Titan Image Generator, Nova Canvas, Nova Reel
        ("imageGenerationConfig", RequestField.ImageConfig),     // Titan Image Generator, Nova Canvas
        ("videoGenerationConfig", RequestField.VideoConfig),     // Nova Reel
        ("multiShotManualParams", RequestField.ManualShots),     // Nova Reel MULTI_SHOT_MANUAL
        ("modelInput", RequestField.Wrapper));                   // StartAsyncInvoke's request, when logged whole

    /// <summary>The reader is on the body's first token; on return it is on the body's last token.</summary>
    public static void Scan(ref Utf8JsonReader reader, ref RequestBodyFacts facts)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        var video = VideoTask.None;
        long? durationSeconds = null;
        long? manualShots = null;
        ScanObject(ref reader, ref facts, ref video, ref durationSeconds, ref manualShots, nested: false);
        facts.VideoSeconds = video switch
        {
            VideoTask.SingleShot => durationSeconds ?? SecondsPerShot,
            VideoTask.MultiShotAutomated => durationSeconds,
            VideoTask.MultiShotManual => durationSeconds ?? (manualShots is { } shots ? shots * SecondsPerShot : null),
            _ => null,
        };
    }

    private enum VideoTask
    {
        None,
        SingleShot,
        MultiShotAutomated,
        MultiShotManual,
    }

    private static void ScanObject(ref Utf8JsonReader reader, ref RequestBodyFacts facts, ref VideoTask video, ref long? durationSeconds, ref long? manualShots, bool nested)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Fields.TryFind(ref reader, out var found) ? found : RequestField.None;
            reader.Read();
            switch (field)
            {
                case RequestField.TaskType when reader.TokenType == JsonTokenType.String:
                    video = TaskOf(ref reader, ref facts);
                    break;
                case RequestField.ImageConfig when reader.TokenType == JsonTokenType.StartObject:
                    facts.ImageRequest = true;
                    ScanImageConfig(ref reader, ref facts);
                    break;
                case RequestField.VideoConfig when reader.TokenType == JsonTokenType.StartObject:
                    ScanVideoConfig(ref reader, ref facts, ref durationSeconds);
                    break;
                case RequestField.ManualShots when reader.TokenType == JsonTokenType.StartObject:
                    manualShots = CountShots(ref reader);
                    break;
                case RequestField.Wrapper when !nested && reader.TokenType == JsonTokenType.StartObject:
                    ScanObject(ref reader, ref facts, ref video, ref durationSeconds, ref manualShots, nested: true);
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
