using GenAiObs.Cli.Export;
using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Envelopes;

public class DecoderMoreTests
{
    private static readonly byte[] Record = TestEvents.CompactFixture("invoke-titan.json");

    [Fact]
    public void DecodeFile_WhenKinesisEventSavedToFile_ShouldDecodeItsRecords()
    {
        var file = TestEvents.KinesisEvent(TestEvents.GzipBase64(TestEvents.DataMessage([("k1", 5L, Record)])));

        using var delivery = ExportFileReader.ReadWhole(file);

        Assert.Equal("k1", Assert.Single(delivery.Events).Id);
    }

    [Fact]
    public void DecodeFile_WhenOneLineIsABrokenSubscriptionEvent_ShouldKeepTheOtherLines()
    {
        var good = TestEvents.SubscriptionEvent(TestEvents.DataMessage([("g1", 1L, Record)]));
        var file = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(good) + "\n" + """{"awslogs":{"data":"not*base64"}}""" + "\n" + Encoding.UTF8.GetString(Record) + "\n");

        using var delivery = ExportFileReader.ReadWhole(file);

        Assert.Equal(2, delivery.Events.Count);
        Assert.Equal("g1", delivery.Events[0].Id);
        Assert.Equal(RejectReasons.InvalidBase64, Assert.Single(delivery.Rejections).Reason);
    }

    [Fact]
    public void DecodeFile_WhenMessageIsAnEmbeddedObject_ShouldKeepItsRawJson()
    {
        var file = """{"messageType":"DATA_MESSAGE","logEvents":[{"id":"e1","timestamp":7,"message":{"schemaType":"ModelInvocationLog","modelId":"m"}}]}"""u8.ToArray();

        using var delivery = ExportFileReader.ReadWhole(file);

        var single = Assert.Single(delivery.Events);
        Assert.Equal("""{"schemaType":"ModelInvocationLog","modelId":"m"}"""u8.ToArray(), single.Message.ToArray());
    }

    [Fact]
    public void DecodeLambdaEvent_WhenEventsLackIds_ShouldGiveDeterministicSyntheticIds()
    {
        var payload = """{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":1,"message":"{}"},{"timestamp":2,"message":"{}"}]}"""u8.ToArray();
        var lambdaEvent = TestEvents.SubscriptionEvent(payload);

        using var first = LambdaEventDecoder.Decode(lambdaEvent);
        using var again = LambdaEventDecoder.Decode(lambdaEvent);

        Assert.Equal(2, first.Events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(first.Events.Select(e => e.Id), again.Events.Select(e => e.Id));
        Assert.Matches("^[0-9a-f]{16}-1$", first.Events[1].Id);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenDecompressionLimitIsTiny_ShouldStillRejectByNameNotThrow()
    {
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(Record));

        using var delivery = LambdaEventDecoder.Decode(lambdaEvent, new DecoderLimits(MaxDecompressedBytes: 100));

        Assert.Equal(RejectReasons.DecompressedTooLarge, Assert.Single(delivery.Rejections).Reason);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenPayloadIsExactlyAtTheLimit_ShouldAccept()
    {
        var payload = TestEvents.DataMessage(Record);
        var lambdaEvent = TestEvents.SubscriptionEvent(payload);

        using var delivery = LambdaEventDecoder.Decode(lambdaEvent, new DecoderLimits(MaxDecompressedBytes: payload.Length));

        Assert.Empty(delivery.Rejections);
        Assert.Single(delivery.Events);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenMessageHasInvalidSurrogateEscape_ShouldRejectOnlyThatEvent()
    {
        var payload = """{"messageType":"DATA_MESSAGE","logEvents":[{"id":"bad","timestamp":1,"message":"{\"a\":\"\\uD800\"}x\uDC00"},{"id":"ok","timestamp":2,"message":"{}"}]}"""u8.ToArray();

        using var delivery = LambdaEventDecoder.Decode(TestEvents.SubscriptionEvent(payload));

        Assert.Equal("ok", Assert.Single(delivery.Events).Id);
        Assert.Equal(("bad", RejectReasons.InvalidJson), (delivery.Rejections[0].EventId, delivery.Rejections[0].Reason));
    }

    [Fact]
    public void Dispose_WhenCalledTwice_ShouldBeHarmless()
    {
        var delivery = ExportFileReader.ReadWhole(Record);

        delivery.Dispose();
        var error = Xunit.Record.Exception(delivery.Dispose);

        Assert.Null(error);
    }
}
