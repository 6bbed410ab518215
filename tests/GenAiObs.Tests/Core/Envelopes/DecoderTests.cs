using GenAiObs.Cli.Export;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Envelopes;

public class DecoderTests
{
    private static readonly byte[] Record = TestEvents.CompactFixture("converse-anthropic.json");

    [Fact]
    public void DecodeLambdaEvent_WhenSubscriptionEvent_ShouldKeepIdsTimestampsAndUnescapedMessages()
    {
        var payload = TestEvents.DataMessage(
            [("3195310660696698337880902507980421114328961542429822", 1432826855000L, Record), ("3195310660696698337880902507980421114328961542429823", 1432826855001L, "{\"a\":\"quote \\\" and é\"}"u8.ToArray())]);
        var lambdaEvent = TestEvents.SubscriptionEvent(payload);

        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);

        Assert.Empty(delivery.Rejections);
        Assert.Equal(2, delivery.Events.Count);
        Assert.Equal("3195310660696698337880902507980421114328961542429822", delivery.Events[0].Id);
        Assert.Equal(1432826855000L, delivery.Events[0].TimestampMs);
        Assert.Equal(Record, delivery.Events[0].Message.ToArray());
        Assert.Equal("{\"a\":\"quote \\\" and é\"}"u8.ToArray(), delivery.Events[1].Message.ToArray());
        Assert.Equal("/aws/bedrock/invocations", delivery.LogGroup);
        Assert.Equal(0, delivery.ControlMessages);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenControlMessage_ShouldCountAndDropIt()
    {
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.ControlMessage());

        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);

        Assert.Empty(delivery.Events);
        Assert.Empty(delivery.Rejections);
        Assert.Equal(1, delivery.ControlMessages);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenMessageTypeComesAfterLogEvents_ShouldStillDropControlMessage()
    {
        var payload = """{"logEvents":[{"id":"1","timestamp":1,"message":"CWL CONTROL MESSAGE"}],"owner":"CloudwatchLogs","messageType":"CONTROL_MESSAGE"}"""u8.ToArray();

        using var delivery = LambdaEventDecoder.Decode(TestEvents.SubscriptionEvent(payload));

        Assert.Empty(delivery.Events);
        Assert.Equal(1, delivery.ControlMessages);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenKinesisEventWithOneBadRecord_ShouldRejectOnlyThatRecord()
    {
        var good1 = TestEvents.GzipBase64(TestEvents.DataMessage([("1", 10L, Record)]));
        var good2 = TestEvents.GzipBase64(TestEvents.DataMessage([("2", 20L, Record), ("3", 30L, Record)]));
        var control = TestEvents.GzipBase64(TestEvents.ControlMessage());
        var notGzip = Convert.ToBase64String("plain text, not gzip"u8.ToArray());
        var lambdaEvent = TestEvents.KinesisEvent(good1, "!!!not base64!!!", notGzip, good2, control);

        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);

        Assert.Equal(["1", "2", "3"], delivery.Events.Select(e => e.Id));
        Assert.Equal([20L, 30L], delivery.Events.Skip(1).Select(e => e.TimestampMs));
        Assert.Equal(1, delivery.ControlMessages);
        Assert.Collection(
            delivery.Rejections,
            r => Assert.Equal((null, RejectReasons.InvalidBase64, "Records[1]"), (r.EventId, r.Reason, r.Detail)),
            r => Assert.Equal((null, RejectReasons.InvalidGzip, "Records[2]"), (r.EventId, r.Reason, r.Detail)));
    }

    public static TheoryData<string, string> BrokenEnvelopes => new()
    {
        { "", RejectReasons.InvalidEnvelope },
        { "not json", RejectReasons.InvalidEnvelope },
        { "[]", RejectReasons.InvalidEnvelope },
        { """{"hello":"world"}""", RejectReasons.InvalidEnvelope },
        { """{"awslogs":"x"}""", RejectReasons.InvalidEnvelope },
        { """{"awslogs":{}}""", RejectReasons.InvalidEnvelope },
        { """{"awslogs":{"data":42}}""", RejectReasons.InvalidEnvelope },
        { """{"awslogs":{"data":"%%%%"}}""", RejectReasons.InvalidBase64 },
        { """{"awslogs":{"data":"aGVsbG8gd29ybGQ="}}""", RejectReasons.InvalidGzip },
        { """{"awslogs":{"data":"H4sIAAAAAAAA/wNMAAAA"}}""", RejectReasons.InvalidGzip },
        { """{"Records":[]}""", RejectReasons.EmptyBatch },
        { """{"Records":[{"eventSource":"aws:sqs","body":"x"}]}""", RejectReasons.InvalidEnvelope },
    };

    [Theory]
    [MemberData(nameof(BrokenEnvelopes))]
    public void DecodeLambdaEvent_WhenEnvelopeBroken_ShouldRejectWholeDeliveryByName(string eventJson, string reason)
    {
        using var delivery = LambdaEventDecoder.Decode(Encoding.UTF8.GetBytes(eventJson));

        Assert.Empty(delivery.Events);
        var rejection = Assert.Single(delivery.Rejections);
        Assert.Equal(reason, rejection.Reason);
        Assert.Null(rejection.EventId);
    }

    [Theory]
    [InlineData("""not json""", RejectReasons.InvalidPayloadJson)]
    [InlineData("""[1]""", RejectReasons.InvalidPayloadJson)]
    [InlineData("""{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"x"}""", RejectReasons.InvalidPayloadJson)]
    [InlineData("""{"messageType":"DATA_MESSAGE"}""", RejectReasons.InvalidEnvelope)]
    [InlineData("""{"messageType":"SOMETHING_NEW","logEvents":[]}""", RejectReasons.InvalidEnvelope)]
    [InlineData("""{"messageType":"DATA_MESSAGE","logEvents":[]}""", RejectReasons.EmptyBatch)]
    public void DecodeLambdaEvent_WhenPayloadBroken_ShouldRejectByName(string payload, string reason)
    {
        using var delivery = LambdaEventDecoder.Decode(TestEvents.SubscriptionEvent(Encoding.UTF8.GetBytes(payload)));

        Assert.Contains(delivery.Rejections, r => r.Reason == reason && r.EventId is null);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenGzipBomb_ShouldRejectDecompressedTooLargeWithBoundedMemory()
    {
        var zeros = new byte[20 * 1024 * 1024];
        var lambdaEvent = Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + Convert.ToBase64String(TestEvents.Gzip(zeros)) + "\"}}");
        var limits = new DecoderLimits(MaxDecompressedBytes: 1024 * 1024);

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent, limits);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var rejection = Assert.Single(delivery.Rejections);
        Assert.Equal(RejectReasons.DecompressedTooLarge, rejection.Reason);
        Assert.True(allocated < 8 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void DecodeLambdaEvent_WhenOneEventTooLargeOrMalformed_ShouldRejectOnlyThatEvent()
    {
        var big = Encoding.UTF8.GetBytes(new string('x', 2000));
        var payload = """
            {"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[
              {"id":"1","timestamp":1,"message":"{}"},
              {"id":"2","timestamp":2,"message":"BIG"},
              {"id":"3","timestamp":"soon","message":"{}"},
              {"id":"4","timestamp":4},
              {"id":"5","timestamp":5,"message":17},
              {"id":"6","timestamp":6,"message":"{}"}]}
            """.Replace("BIG", Encoding.UTF8.GetString(big), StringComparison.Ordinal);

        using var delivery = LambdaEventDecoder.Decode(TestEvents.SubscriptionEvent(Encoding.UTF8.GetBytes(payload)), new DecoderLimits(MaxMessageBytes: 1000));

        Assert.Equal(["1", "6"], delivery.Events.Select(e => e.Id));
        Assert.Equal(
            [("2", RejectReasons.MessageTooLarge), ("3", RejectReasons.InvalidTimestamp), ("4", RejectReasons.MissingField), ("5", RejectReasons.WrongType)],
            delivery.Rejections.Select(r => (r.EventId!, r.Reason)));
    }

    [Fact]
    public void DecodeLambdaEvent_WhenBase64HasEscapedSlashes_ShouldStillDecode()
    {
        var data = TestEvents.GzipBase64(TestEvents.DataMessage([("1", 1L, Record)])).Replace("/", "\\/", StringComparison.Ordinal);
        var lambdaEvent = Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + data + "\"}}");

        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);

        Assert.Single(delivery.Events);
    }

    // ---- Files

    [Fact]
    public void DecodeFile_WhenSubscriptionEventPlainOrGzipped_ShouldDecodeTheSame()
    {
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(Record, Record));

        using var plain = ExportFileReader.ReadWhole(lambdaEvent);
        using var gzipped = ExportFileReader.ReadWhole(TestEvents.Gzip(lambdaEvent));

        Assert.Equal(2, plain.Events.Count);
        Assert.Equal(plain.Events.Select(e => e.Id), gzipped.Events.Select(e => e.Id));
        Assert.Empty(gzipped.Rejections);
    }

    [Fact]
    public void DecodeFile_WhenJsonLinesOfSubscriptionEvents_ShouldMergeAllEvents()
    {
        var first = TestEvents.SubscriptionEvent(TestEvents.DataMessage([("a", 1L, Record)]));
        var second = TestEvents.SubscriptionEvent(TestEvents.DataMessage([("b", 2L, Record), ("c", 3L, Record)]));
        var file = first.Concat("\n"u8.ToArray()).Concat(second).Concat("\n"u8.ToArray()).ToArray();

        using var delivery = ExportFileReader.ReadWhole(file);

        Assert.Equal(["a", "b", "c"], delivery.Events.Select(e => e.Id));
    }

    [Fact]
    public void DecodeFile_WhenDecodedDataMessage_ShouldDecodeEvents()
    {
        using var delivery = ExportFileReader.ReadWhole(TestEvents.DataMessage(Record));

        Assert.Single(delivery.Events);
        Assert.Equal(Record, delivery.Events[0].Message.ToArray());
        Assert.Equal("/aws/bedrock/invocations", delivery.LogGroup);
    }

    [Fact]
    public void DecodeFile_WhenFilterLogEventsOutput_ShouldUseEventIdAndTimestamp()
    {
        var file = JsonSerializer.SerializeToUtf8Bytes(new
        {
            events = new object[]
            {
                new { logStreamName = "aws/bedrock/modelinvocations", timestamp = 1795000000000L, message = Encoding.UTF8.GetString(Record), ingestionTime = 1795000000100L, eventId = "38123" },
                new { logStreamName = "aws/bedrock/modelinvocations", timestamp = 1795000000500L, message = Encoding.UTF8.GetString(Record), ingestionTime = 1795000000600L, eventId = "38124" },
            },
            searchedLogStreams = Array.Empty<object>(),
        });

        using var delivery = ExportFileReader.ReadWhole(file);

        Assert.Equal(["38123", "38124"], delivery.Events.Select(e => e.Id));
        Assert.Equal(1795000000500L, delivery.Events[1].TimestampMs);
        Assert.Equal(Record, delivery.Events[0].Message.ToArray());
    }

    [Fact]
    public void DecodeFile_WhenJsonLinesOfRawRecords_ShouldGiveDeterministicSyntheticIds()
    {
        var file = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(Record) + "\r\n\n" + "{broken line\n" + Encoding.UTF8.GetString(TestEvents.CompactFixture("invoke-llama.json")) + "\n");

        using var first = ExportFileReader.ReadWhole(file);
        using var again = ExportFileReader.ReadWhole(TestEvents.Gzip(file));

        Assert.Equal(3, first.Events.Count);
        Assert.Equal(first.Events.Select(e => e.Id), again.Events.Select(e => e.Id));
        Assert.Equal(3, first.Events.Select(e => e.Id).Distinct().Count());
        Assert.Matches("^[0-9a-f]{16}-0$", first.Events[0].Id);
        Assert.Equal("{broken line"u8.ToArray(), first.Events[1].Message.ToArray());
        Assert.Equal(Record, first.Events[0].Message.ToArray());
    }

    [Fact]
    public void DecodeFile_WhenSinglePrettyPrintedRecord_ShouldBeOneRawRecord()
    {
        var file = TestEvents.Fixture("stream-anthropic.json");

        using var delivery = ExportFileReader.ReadWhole(file);

        var single = Assert.Single(delivery.Events);
        Assert.Equal(file.Length, single.Message.Length + (file.Length - file.AsSpan().TrimEnd("\n"u8).Length));
    }

    [Fact]
    public void DecodeFile_WhenSpanRecordHasEventsArray_ShouldTreatItAsRecordNotExport()
    {
        var span = """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat","events":[]}"""u8.ToArray();

        using var delivery = ExportFileReader.ReadWhole(span);

        Assert.Single(delivery.Events);
    }

    [Fact]
    public void DecodeFile_WhenJsonArrayOfRecords_ShouldDecodeEachElement()
    {
        var file = Encoding.UTF8.GetBytes("[" + Encoding.UTF8.GetString(Record) + "," + Encoding.UTF8.GetString(Record) + "]");

        using var delivery = ExportFileReader.ReadWhole(file);

        Assert.Equal(2, delivery.Events.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\r\n ")]
    [InlineData("[]")]
    [InlineData("""{"events":[]}""")]
    public void DecodeFile_WhenNothingInIt_ShouldRejectEmptyBatch(string content)
    {
        using var delivery = ExportFileReader.ReadWhole(Encoding.UTF8.GetBytes(content));

        Assert.Empty(delivery.Events);
        Assert.Equal(RejectReasons.EmptyBatch, Assert.Single(delivery.Rejections).Reason);
    }

    [Fact]
    public void DecodeFile_WhenGzipIsCorrupt_ShouldRejectInvalidGzip()
    {
        var gz = TestEvents.Gzip(Record);
        gz[12] ^= 0xFF;
        gz[13] ^= 0xFF;

        using var delivery = ExportFileReader.ReadWhole(gz);

        Assert.Contains(delivery.Rejections, r => r.Reason is RejectReasons.InvalidGzip or RejectReasons.InvalidJson);
    }

    [Fact]
    public void DecodeFile_WhenDecompressedBeyondLimit_ShouldRejectDecompressedTooLarge()
    {
        using var delivery = ExportFileReader.ReadWhole(TestEvents.Gzip(new byte[3 * 1024 * 1024]), new DecoderLimits(MaxDecompressedBytes: 1024 * 1024));

        Assert.Equal(RejectReasons.DecompressedTooLarge, Assert.Single(delivery.Rejections).Reason);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenMessageIsLarge_ShouldAllocateIndependentlyOfItsSize()
    {
        var message = Encoding.UTF8.GetBytes("{\"text\":\"" + new string('p', 300_000) + "\\n\"}");
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(message));
        LambdaEventDecoder.Decode(lambdaEvent).Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        using (var delivery = LambdaEventDecoder.Decode(lambdaEvent))
        {
            Assert.Equal(message.Length, delivery.Events[0].Message.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Pooled buffers only: the GZipStream machinery and a few small objects, not the 300 KB message.
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }
}
