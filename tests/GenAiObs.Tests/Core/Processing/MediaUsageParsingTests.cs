using System.Text;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class MediaUsageParsingTests
{
    public static TheoryData<string, long?, long?, string?, int?, int?> MediaFixtures => new()
    {
        // file, images, video seconds, quality, width, height
        { "invoke-titan-image.json", 2, null, MediaQualities.Premium, 1024, 1024 },
        { "invoke-nova-canvas.json", 3, null, MediaQualities.Standard, 2048, 1024 },
        { "invoke-stability-sd3.json", 1, null, null, null, null },
        { "invoke-stability-filtered.json", 0, null, null, null, null },
        { "s3-offloaded-titan-image.json", 4, null, null, 512, 512 },
        { "async-nova-reel.json", null, 18, null, 1280, 720 },
    };

    [Theory]
    [MemberData(nameof(MediaFixtures))]
    public void TryParse_WhenImageOrVideoFixture_ShouldCountUnitsAndReadTheirTier(string file, long? images, long? videoSeconds, string? quality, int? width, int? height)
    {
        var parsed = InvocationLogParser.TryParse(TestEvents.Event(TestEvents.CompactFixture(file)), out var record, out var rejection);

        Assert.True(parsed, rejection?.Reason);
        var media = Assert.IsType<MediaUsage>(record!.Media);
        Assert.Equal(images, media.Images);
        Assert.Equal(videoSeconds, media.VideoSeconds);
        Assert.Equal(quality, media.Quality);
        Assert.Equal(width, media.Width);
        Assert.Equal(height, media.Height);
    }

    [Theory]
    [InlineData("converse-anthropic.json")]
    [InlineData("invoke-titan.json")]
    [InlineData("stream-anthropic.json")]
    [InlineData("s3-offloaded.json")]
    public void TryParse_WhenTextModelFixture_ShouldCarryNoMediaUsage(string file)
    {
        var parsed = InvocationLogParser.TryParse(TestEvents.Event(TestEvents.CompactFixture(file)), out var record, out _);

        Assert.True(parsed);
        Assert.Null(record!.Media);
    }

    [Theory]
    [InlineData("""{"taskType":"TEXT_VIDEO","textToVideoParams":{"text":"waves"},"videoGenerationConfig":{"fps":24,"dimension":"1280x720"}}""", 6)]
    [InlineData("""{"taskType":"TEXT_VIDEO","textToVideoParams":{"text":"waves"},"videoGenerationConfig":{"durationSeconds":6,"fps":24,"dimension":"1280x720"}}""", 6)]
    [InlineData("""{"taskType":"MULTI_SHOT_MANUAL","multiShotManualParams":{"shots":[{"text":"a"},{"text":"b","image":{"format":"png","source":{"bytes":"AAAA"}}},{"text":"c"}]},"videoGenerationConfig":{"fps":24,"dimension":"1280x720"}}""", 18)]
    [InlineData("""{"modelInput":{"taskType":"MULTI_SHOT_AUTOMATED","multiShotAutomatedParams":{"text":"a"},"videoGenerationConfig":{"durationSeconds":120}},"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://bucket"}}}""", 120)]
    public void TryParse_WhenNovaReelRequest_ShouldCountTheRequestedSeconds(string inputBody, long seconds)
    {
        var json = Record("amazon.nova-reel-v1:1", inputBody, """{"invocationArn":"arn:aws:bedrock:us-east-1:111122223333:async-invoke/abc"}""", "StartAsyncInvoke");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Equal(seconds, record!.Media!.VideoSeconds);
        Assert.Null(record.Media.Images);
    }

    [Theory]
    [InlineData("""{"prompt":"a lighthouse at dusk","aspect_ratio":"16:9","loop":false,"duration":"5s","resolution":"720p"}""", 5L, MediaQualities.Resolution720p)]
    [InlineData("""{"modelInput":{"prompt":"a lighthouse at dusk","duration":"9s","resolution":"540p"},"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://bucket"}}}""", 9L, MediaQualities.Resolution540p)]
    [InlineData("""{"prompt":"a lighthouse at dusk","duration":"9s","resolution":"1080p"}""", 9L, MediaQualities.Other)]
    [InlineData("""{"prompt":"a lighthouse at dusk","resolution":"720p"}""", null, null)]                                        // no duration: nothing counted (the guide states no default)
    [InlineData("""{"prompt":"a lighthouse at dusk","duration":"long","resolution":"HD-CANARY-9"}""", null, null)]
    public void TryParse_WhenLumaRayRequest_ShouldCountItsSecondsAndReadItsResolution(string inputBody, long? seconds, string? resolution)
    {
        var json = Record("luma.ray-v2:0", inputBody, """{"invocationArn":"arn:aws:bedrock:us-west-2:111122223333:async-invoke/abc"}""", "StartAsyncInvoke");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Equal(seconds, record!.Media?.VideoSeconds);
        Assert.Equal(resolution, record.Media?.Quality);
        Assert.Null(record.Media?.Images);
    }

    [Theory]
    [InlineData(1, 1L)]
    [InlineData(100, 1L)]
    [InlineData(101, 2L)]
    [InlineData(250, 3L)]
    [InlineData(0, 1L)]
    public void TryParse_WhenRerankRequest_ShouldCountOneQueryPerHundredDocuments(int documents, long queries)
    {
        var list = string.Join(",", Enumerable.Range(0, documents).Select(i => $"\"doc {i}\""));
        var json = Record("cohere.rerank-v3-5:0", """{"query":"which city","documents":[""" + list + """],"top_n":3,"api_version":2}""", """{"results":[{"index":0,"relevance_score":0.9}]}""");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Equal(queries, record!.Media!.Queries);
        Assert.Null(record.Media.Images);
        Assert.Null(record.Media.VideoSeconds);
    }

    [Fact]
    public void TryParse_WhenACommandRRequestGroundsOnDocuments_ShouldNotTakeItForARerankRequest()
    {
        var json = Record("cohere.command-r-v1:0", """{"message":"which city","documents":[{"title":"a","snippet":"b"}]}""", """{"text":"Paris","finish_reason":"COMPLETE"}""");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Null(record!.Media);
    }

    [Fact]
    public void TryParse_WhenImageRequestNamesNoCount_ShouldCountTheDocumentedDefaultOfOneImage()
    {
        var json = Record("amazon.titan-image-generator-v2:0", """{"taskType":"BACKGROUND_REMOVAL","backgroundRemovalParams":{"image":"AAAA"}}""", null);

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Equal(1, record!.Media!.Images);
    }

    [Fact]
    public void TryParse_WhenAnotherModelNamesATaskType_ShouldNotTakeItForAnImageRequest()
    {
        var json = Record("amazon.nova-2-multimodal-embeddings-v1:0", """{"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_INDEX","text":{"truncationMode":"END","value":"hello"}}}""", """{"embeddings":[{"embeddingType":"TEXT","embedding":[0.1,0.2]}]}""");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Null(record!.Media);
    }

    [Fact]
    public void TryParse_WhenQualityIsNotADocumentedValue_ShouldKeepTheWordOtherNotItsText()
    {
        var json = Record("amazon.nova-canvas-v1:0", """{"taskType":"TEXT_IMAGE","imageGenerationConfig":{"quality":"CANARY-PROMPT-7f3a","numberOfImages":1}}""", """{"images":["AAAA"]}""");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Equal(MediaQualities.Other, record!.Media!.Quality);
        Assert.DoesNotContain(TestEvents.PromptCanary, record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_WhenResponseCarriesMegabytesOfBase64Images_ShouldCountThemWithoutCopyingThem()
    {
        // Arrange: five 2 MB images and a 1 MB input image (what an image-variation call logs when
        // its bodies are not offloaded, e.g. replayed from an S3 delivery).
        var image = new string('A', 2 * 1024 * 1024);
        var inputImage = new string('B', 1024 * 1024);
        var json = Encoding.UTF8.GetBytes(Record(
            "amazon.nova-canvas-v1:0",
            $$$"""{"taskType":"IMAGE_VARIATION","imageVariationParams":{"images":["{{{inputImage}}}"],"text":"{{{TestEvents.PromptCanary}}}"},"imageGenerationConfig":{"numberOfImages":5,"quality":"premium","width":1024,"height":1024}}""",
            """{"images":[""" + string.Join(',', Enumerable.Repeat($"\"{image}\"", 5)) + "]}"));
        var logEvent = TestEvents.Event(json);
        Assert.True(InvocationLogParser.TryParse(TestEvents.Event(TestEvents.CompactFixture("invoke-nova-canvas.json")), out _, out _));

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        var parsed = InvocationLogParser.TryParse(logEvent, out var record, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: the 11 MB record is parsed with a few kilobytes, far below the size of one image.
        Assert.True(parsed);
        Assert.Equal(5, record!.Media!.Images);
        Assert.Equal(MediaQualities.Premium, record.Media.Quality);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated parsing a {json.Length}-byte record");
    }

    private static string Record(string modelId, string inputBody, string? outputBody, string operation = "InvokeModel")
    {
        var output = outputBody is null ? """{"outputBodyS3Path":"s3://bucket/output.json.gz"}""" : """{"outputBodyJson":""" + outputBody + "}";
        return $$"""{"schemaType":"ModelInvocationLog","timestamp":"2026-11-20T14:00:00Z","region":"us-east-1","operation":"{{operation}}","modelId":"{{modelId}}","identity":{"arn":"arn:aws:iam::111122223333:role/app"},"input":{"inputBodyJson":""" + inputBody + """},"output":""" + output + "}";
    }
}
