using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

public sealed class AggregateBatchCodecTests
{
    private static readonly DateTimeOffset Window = new(2026, 12, 7, 12, 35, 0, TimeSpan.Zero);

    [Fact]
    public void Decode_WhenGivenAnEncodedBatch_ShouldReturnTheSameDeltasInOrder()
    {
        // Arrange: two buckets, histogram bins, stop reasons, a negative counter and a non-ASCII key.
        var batch = AggregateBuilder.Build("b-1", Records(Window.AddMinutes(-1), 4), []);
        var extra = new AggregateCounters([new("custom", -42), new("large", long.MaxValue)]);
        batch = new AggregateBatch(batch.BatchId, [.. batch.Deltas, new AggregateDelta(Window, "team#équipe", extra)]);

        // Act
        var decoded = AggregateBatchCodec.Decode(AggregateBatchCodec.Encode(batch));

        // Assert
        Assert.Equal(batch.BatchId, decoded.BatchId);
        Assert.Equal(batch.Deltas.Select(d => (d.BucketStart, d.Key)), decoded.Deltas.Select(d => (d.BucketStart, d.Key)));
        Assert.All(batch.Deltas.Zip(decoded.Deltas), pair => Assert.True(pair.First.Counters.ContentEquals(pair.Second.Counters), pair.First.Key));
        Assert.Equal(2, decoded.Deltas.Select(d => d.BucketStart).Distinct().Count());
    }

    [Fact]
    public void Encode_WhenGivenATypical10SecondDelivery_ShouldFitOneWriteUnit()
    {
        // Arrange: 4 records (the cost scenario's 1M/month delivery), several models and principals, latency bins.
        var batch = AggregateBuilder.Build("0123456789abcdef0123456789abcdef", Records(Window, 4), []);

        // Act
        var encoded = AggregateBatchCodec.Encode(batch);

        // Assert: with the item's key and TTL attributes it stays under DynamoDB's 1 KB write unit.
        Assert.True(batch.ItemCount >= 12, $"the delivery should touch many items, touched {batch.ItemCount}");
        Assert.True(encoded.Length + 100 <= 1024, $"encoded {encoded.Length} bytes");
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 2, 3 })]
    public void Decode_WhenTheBytesAreNotADelta_ShouldThrowFormatException(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => AggregateBatchCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_WhenTheDeltaIsTruncated_ShouldThrowFormatException()
    {
        var encoded = AggregateBatchCodec.Encode(AggregateBuilder.Build("b", Records(Window, 3), []));

        Assert.Throws<FormatException>(() => AggregateBatchCodec.Decode(encoded.AsSpan(0, encoded.Length / 2)));
    }

    [Fact]
    public void Merge_WhenBatchesShareItems_ShouldAddTheirCountersPerBucketAndKey()
    {
        // Arrange
        var first = AggregateBuilder.Build("a", Records(Window, 3), []);
        var second = AggregateBuilder.Build("b", Records(Window.AddMinutes(1), 5), []);

        // Act
        var merged = DeferredAggregation.Merge("roll", [first, second]);

        // Assert
        var total = Assert.Single(merged.Deltas, d => d.Key == AggregateKeys.Total);
        Assert.Equal(8, total.Counters[CounterNames.Requests]);
        Assert.Equal(first.Deltas.Concat(second.Deltas).Select(d => (d.BucketStart, d.Key)).Distinct().Count(), merged.ItemCount);
        Assert.Equal(merged.Deltas.OrderBy(d => d.BucketStart).ThenBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key), merged.Deltas.Select(d => d.Key));
    }

    [Fact]
    public void WindowRules_ShouldAcceptDeltasUntilTheGraceEndsAndCloseAfterTheTimeoutAndMargin()
    {
        var batch = AggregateBuilder.Build("w", Records(Window.AddMinutes(3), 2), []);
        var window = DeferredAggregation.WindowOf(batch);
        var graceEnd = window + Buckets.FineWidth + DeferredAggregation.WriteGrace;
        var closes = graceEnd + DeferredAggregation.ProcessorTimeout + DeferredAggregation.Margin;

        Assert.Equal(Window, window);
        Assert.True(DeferredAggregation.AcceptsDeltas(window, graceEnd.AddTicks(-1)));
        Assert.False(DeferredAggregation.AcceptsDeltas(window, graceEnd));
        Assert.False(DeferredAggregation.IsClosed(window, closes.AddTicks(-1)));
        Assert.True(DeferredAggregation.IsClosed(window, closes));
        Assert.Equal(window, DeferredAggregation.LatestClosed(closes));
        Assert.Equal("roll#2026-12-07T12:35", DeferredAggregation.RollupBatchId(window));
    }

    private static List<PricedInvocation> Records(DateTimeOffset start, int count) =>
        [.. Enumerable.Range(0, count).Select(i => StoreTestData.Invocation(
            start.AddSeconds(i * 2),
            model: i % 2 == 0 ? StoreTestData.Haiku : StoreTestData.Sonnet,
            principal: "role/principal-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            latencyMs: 400 + (i * 150),
            ttftMs: 120 + (i * 40),
            stopReason: i == 0 ? StopReasons.MaxTokens : StopReasons.EndTurn,
            metadata: new Dictionary<string, string>
            {
                ["team"] = "team-" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["application"] = i % 2 == 0 ? "support-bot" : "search",
                ["environment"] = "prod",
            }))];
}
