using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Costing;
using Xunit;

namespace GenAiObs.Tests.Costing;

public sealed class DynamoDbWriteEstimatorTests
{
    private static readonly DateTimeOffset Window = new(2026, 11, 2, 10, 5, 0, TimeSpan.Zero);

    [Fact]
    public void ApplyWindow_WhenAWindowHoldsSeventyKeysInTwoBucketsAndASession_ShouldBillAPutItemPerBucketAtItsEncodedSize()
    {
        // Arrange: 70 long-lived keys in the window's bucket, 3 in the one before, a session key.
        var merged = Window70Keys();
        var packs = WindowPacks.Of(merged);
        var estimator = new DynamoDbWriteEstimator();

        // Act
        var units = estimator.ApplyWindow(merged);

        // Assert: one PutItem per bucket, a write unit per started KB of pk, sk, the encoding and TTL;
        // the session one UpdateItem of one write unit.
        Assert.Equal(2, packs.Packs.Count);
        var packUnits = packs.Packs.Sum(pack => (DynamoDbWriteEstimator.PackItemBytes(AggregateBatchCodec.Encode(pack.Batch).Length) + 1023) / 1024);
        Assert.Equal(packUnits + 1, units);
        Assert.Equal(units, estimator.WriteUnits);
        Assert.Equal(2, estimator.PackPutItems);
        Assert.Equal(1, estimator.UpdateItems);

        // pk "F#2026-11-02T10:05", sk "#w#2026-11-02T10:05", "pack" and its bytes, expiresAt (9 + 6).
        Assert.Equal(2 + 18 + 2 + 19 + 4 + 100 + 9 + 6, DynamoDbWriteEstimator.PackItemBytes(100));

        // The lever: the same window per key costs a write unit per item.
        var perKey = new DynamoDbWriteEstimator();
        perKey.Apply(merged);
        Assert.Equal(74, perKey.WriteUnits);
        Assert.True(units * 10 < perKey.WriteUnits, $"{units} write units packed, {perKey.WriteUnits} per key");
    }

    /// <summary>A merged window as the roll-up writes it: 70 keys at the window's bucket, 3 at the one before, a session.</summary>
    internal static AggregateBatch Window70Keys()
    {
        static AggregateCounters Counters(int n) => new(
        [
            new(CounterNames.Requests, 3 + n),
            new(CounterNames.CostMicros, 12_345 * (n + 1)),
            new(CounterNames.InputTokens, 1_200 * (n + 1)),
            new(CounterNames.OutputTokens, 310 * (n + 1)),
        ]);

        var keys = Enumerable.Range(0, 21).Select(i => AggregateKeys.Team("team-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)))
            .Concat(Enumerable.Range(0, 21).Select(i => AggregateKeys.Principal("role/principal-" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))))
            .Concat(Enumerable.Range(0, 20).Select(i => AggregateKeys.Model("model-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))))
            .Concat([AggregateKeys.Total, AggregateKeys.Application("checkout"), AggregateKeys.Application("search"), AggregateKeys.Application("other"), AggregateKeys.Environment("prod"), AggregateKeys.Feature("summarise"), AggregateKeys.Variant("summarise", "b"), AggregateKeys.Template("summary@3")])
            .ToList();
        var deltas = keys.Select((key, n) => new AggregateDelta(Window, key, Counters(n)))
            .Concat(keys.Take(3).Select((key, n) => new AggregateDelta(Window.AddMinutes(-5), key, Counters(n))))
            .Append(new AggregateDelta(Window, AggregateKeys.Session("session-a"), Counters(0)));
        return AggregateBatch.Sum(DeferredAggregation.RollupBatchId(Window), deltas);
    }
}
