using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Kinesis;

public sealed class KinesisEventReaderTests
{
    private const string FixtureName = "central-stream.kinesis-event.json";

    [Fact]
    public void TryRead_WhenGivenTheDocumentedKinesisEvent_ShouldReturnEachRecordWithItsIdentity()
    {
        // Arrange
        var body = KinesisEvents.Fixture(FixtureName);

        // Act
        var isStream = KinesisEventReader.TryRead(body, out var records);

        // Assert
        Assert.True(isStream);
        Assert.Equal(4, records.Count);
        var first = records[0];
        Assert.Equal("arn:aws:kinesis:us-east-1:999988887777:stream/genaiobs-central-ingestion", first.EventSourceArn);
        Assert.Equal("shardId-000000000003", first.ShardId);
        Assert.Equal("49656930432497329155329373318447233573474120036376756226", first.SequenceNumber);
        Assert.Equal("c6bd2a09d1b5e0f0b7f33f1b2f6c3a1e", first.PartitionKey);
        Assert.Equal("us-east-1", first.Region);
        Assert.True(first.HasIdentity);
        Assert.Equal(
            "arn:aws:kinesis:us-east-1:999988887777:stream/genaiobs-central-ingestion/shardId-000000000003/49656930432497329155329373318447233573474120036376756226",
            first.Identity);
        Assert.Equal(4, records.Select(r => r.BatchId).Distinct().Count());
        Assert.All(records, r => Assert.Matches("^[0-9a-f]{32}$", r.BatchId));
    }

    [Fact]
    public void TryRead_WhenDataIsEscapedOrTheRegionOnlyInTheArn_ShouldUnescapeAndUseTheArnRegion()
    {
        // Arrange: a serialiser that escapes '/' as "\/" in the base64 text; no awsRegion field.
        var json = """{"Records":[{"kinesis":{"sequenceNumber":"42","data":"ab\/c+=="},"eventID":"shardId-000000000001:42","eventSourceARN":"arn:aws:kinesis:eu-west-1:999988887777:stream/s"}]}""";

        // Act
        Assert.True(KinesisEventReader.TryRead(Encoding.UTF8.GetBytes(json), out var records));

        // Assert
        var record = Assert.Single(records);
        Assert.Equal("ab/c+==", Encoding.UTF8.GetString(record.Data.Span));
        Assert.Equal("eu-west-1", record.Region);
    }

    [Theory]
    [InlineData("""{"awslogs":{"data":"H4sI"}}""")]
    [InlineData("""not json""")]
    [InlineData("""[1,2]""")]
    public void TryRead_WhenTheEventIsNotAStreamEvent_ShouldReturnFalse(string json) =>
        Assert.False(KinesisEventReader.TryRead(Encoding.UTF8.GetBytes(json), out _));

    [Fact]
    public void TryRead_WhenARecordLacksItsSequenceNumber_ShouldReturnItWithoutIdentity()
    {
        var json = """{"Records":[{"kinesis":{"data":"aGk="},"eventID":"shardId-000000000001:1","eventSourceARN":"arn:aws:kinesis:us-east-1:1:stream/s"}]}""";

        Assert.True(KinesisEventReader.TryRead(Encoding.UTF8.GetBytes(json), out var records));

        Assert.False(Assert.Single(records).HasIdentity);
    }

    [Fact]
    public void ProcessKinesisRecord_WhenGivenEachFixtureRecord_ShouldKeepOriginsApartAndNameThePoison()
    {
        // Arrange
        Assert.True(KinesisEventReader.TryRead(KinesisEvents.Fixture(FixtureName), out var records));
        var processor = new BatchProcessor(PriceTable.LoadDefault());

        // Act
        var results = records.Select((r, i) => processor.ProcessKinesisRecord(r, KinesisEventReader.Where(i))).ToList();

        // Assert: two payloads of the same four log events (three invocations, one broken record)
        // from two accounts, a control message, and data that is not gzip.
        Assert.Equal([3, 3, 0, 0], results.Select(r => r.Invocations.Count));
        Assert.Equal(new DeliveryOrigin("123456789012", "us-east-1"), results[0].Origin);
        Assert.Equal(new DeliveryOrigin("210987654321", "us-east-1"), results[1].Origin);
        Assert.Equal(1, results[2].ControlMessages);
        Assert.Empty(results[2].Rejections);
        var poison = Assert.Single(results[3].Rejections);
        Assert.Equal(RejectReasons.InvalidGzip, poison.Reason);
        Assert.Null(poison.EventId);
        Assert.Equal(records[0].BatchId, results[0].BatchId);
    }
}
