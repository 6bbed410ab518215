using System.Text;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Core.Processing;

public sealed class FeedbackParserTests
{
    private const string Canary = "CANARY-COMMENT-51d2 jane@example.com";

    [Theory]
    [InlineData("\"up\"", 1, true, true)]
    [InlineData("\"DOWN\"", -1, true, false)]
    [InlineData("5", 5, false, true)]
    [InlineData("4", 4, false, true)]
    [InlineData("3", 3, false, false)]
    [InlineData("1", 1, false, false)]
    public void TryParse_WhenTheRatingIsThumbsOrStars_ShouldReadItAndWhetherItSatisfied(string rating, int value, bool thumbs, bool satisfied)
    {
        var json = $$"""{"schema":"genaiobs.feedback/1","timestamp":"2026-11-20T14:05:00Z","requestId":"req-7","rating":{{rating}},"comment":"{{Canary}}","feature":"summarise","variant":"B"}""";

        Assert.True(FeedbackParser.TryParse(TestEvents.Event(json), out var record, out _));

        Assert.Equal((value, thumbs, satisfied), (record.Rating, record.IsThumbs, record.Satisfied));
        Assert.Equal("req-7", record.RequestId);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 5, 0, TimeSpan.Zero), record.Timestamp);
        Assert.Equal(("summarise", "B"), (record.Dimensions!.Feature, record.Dimensions.Variant));
        Assert.DoesNotContain("CANARY", record.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"schema":"genaiobs.feedback/1","requestId":"r","rating":0}""", RejectReasons.InvalidRating)]
    [InlineData("""{"schema":"genaiobs.feedback/1","requestId":"r","rating":"meh"}""", RejectReasons.InvalidRating)]
    [InlineData("""{"schema":"genaiobs.feedback/1","requestId":"r","rating":4.5}""", RejectReasons.InvalidRating)]
    [InlineData("""{"schema":"genaiobs.feedback/1","requestId":"r"}""", RejectReasons.InvalidRating)]
    [InlineData("""{"schema":"genaiobs.feedback/1","rating":"up"}""", RejectReasons.MissingField)]
    [InlineData("""{"schema":"genaiobs.feedback/1","requestId":17,"rating":"up"}""", RejectReasons.WrongType)]
    [InlineData("""{"schema":"genaiobs.feedback/1","traceId":"t","rating":"up","timestamp":"yesterday"}""", RejectReasons.InvalidTimestamp)]
    public void TryParse_WhenTheEventIsUnusable_ShouldRejectItByName(string json, string reason)
    {
        Assert.False(FeedbackParser.TryParse(TestEvents.Event(json), out _, out var rejection));

        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(RecordSources.Feedback, rejection.Source);
    }

    [Fact]
    public void ProcessDelivery_WhenFeedbackIsMixedWithInvocationLogs_ShouldRouteEachByContentAndKeepTheRest()
    {
        var feedback = Encoding.UTF8.GetBytes($$"""{"level":"INFO","message":"feedback","schema":"genaiobs.feedback/1","traceId":"0af7651916cd43dd8448eb211c80319c","rating":"up","comment":"{{Canary}}"}""");
        var bad = Encoding.UTF8.GetBytes("""{"schema":"genaiobs.feedback/1","requestId":"r","rating":9}""");
        var payload = TestEvents.DataMessage([(TestEvents.EventId(1), 1_795_000_000_000, feedback), (TestEvents.EventId(2), 1_795_000_000_000, bad), (TestEvents.EventId(3), 1_795_000_000_000, TestEvents.CompactFixture("converse-anthropic.json"))]);

        var result = new BatchProcessor(PriceTable.LoadDefault()).ProcessLambdaEvent(TestEvents.SubscriptionEvent(payload));

        var record = Assert.Single(result.Feedback);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", record.TraceId);
        Assert.Single(result.Invocations);
        Assert.Equal(RejectReasons.InvalidRating, Assert.Single(result.Rejections).Reason);
    }
}
