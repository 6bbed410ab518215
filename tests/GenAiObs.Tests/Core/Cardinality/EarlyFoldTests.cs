using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Cardinality;

/// <summary>
/// AggregateBuilder folds capped dimensions while it builds (values outside the top N never get
/// counters of their own); the result must be exactly the fold of the unfolded deltas that
/// <see cref="AggregateKeyFolding"/> defines, bucket by bucket.
/// </summary>
public sealed class EarlyFoldTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);

    private static readonly CardinalityLimits Unlimited = CardinalityLimits.Default.With(
        string.Join(',', CardinalityLimits.DimensionNames.Select(name => name + "=10000")));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Build_WhenBucketsHoldMoreValuesThanTheLimits_ShouldEqualTheFoldOfTheUnfoldedDeltas(int seed)
    {
        // Arrange: three buckets of invocations and spans over many caller-chosen values, with costs
        // from a short list (ties), a literal "other" value, values clipped to one key, and
        // environments shared by invocations and spans.
        var random = new Random(seed);
        string Pick(string prefix, int count) => random.Next(12) == 0 ? TopValues.Other : prefix + random.Next(count);
        var longPrefix = new string('t', AggregateBuilder.MaxKeyValueLength);
        var invocations = Enumerable.Range(0, 900).Select(i => StoreTestData.Invocation(
            T0.AddSeconds(i),
            principal: Pick("role-", 45),
            cost: 0.001m * random.Next(1, 6),
            metadata: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["team"] = random.Next(30) == 0 ? longPrefix + random.Next(3) : Pick("team-", 40),
                ["application"] = Pick("app-", 35),
                ["environment"] = Pick("env-", 25),
            })).ToList();
        var classes = new[] { SpanClass.Agent, SpanClass.ModelCall, SpanClass.Tool, SpanClass.Other };
        var spans = Enumerable.Range(0, 600).Select(i =>
        {
            var spanClass = classes[random.Next(classes.Length)];
            var priced = StoreTestData.Span(
                T0.AddSeconds(i * 1.5),
                spanClass,
                traceId: "trace-" + random.Next(40),
                sessionId: Pick("session-", 90),
                model: spanClass == SpanClass.ModelCall ? Pick("model-", 30) : null,
                tool: spanClass == SpanClass.Tool ? Pick("tool-", 30) : null,
                cost: spanClass == SpanClass.ModelCall ? 0.002m * random.Next(1, 4) : 0m,
                service: Pick("service-", 30));
            return priced with { Span = priced.Span with { Environment = Pick("env-", 25) } };
        }).ToList();

        // Act
        var origin = new DeliveryOrigin("111122223333", "eu-west-1");
        var built = AggregateBuilder.Build("early-fold", invocations, spans, origin: origin);
        var unfolded = AggregateBuilder.Build("early-fold", invocations, spans, Unlimited, origin);

        // Assert: per bucket, the same keys with the same counters as folding the unfolded deltas.
        var expected = unfolded.Deltas
            .GroupBy(d => d.BucketStart)
            .SelectMany(bucket => AggregateKeyFolding.Fold(bucket.ToDictionary(d => d.Key, d => d.Counters, StringComparer.Ordinal), CardinalityLimits.Default)
                .Select(pair => (Bucket: bucket.Key, Key: pair.Key, Counters: pair.Value)))
            .OrderBy(item => item.Bucket)
            .ThenBy(item => item.Key, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(3, expected.Select(item => item.Bucket).Distinct().Count());
        Assert.Contains(expected, item => item.Key == AggregateKeys.TeamPrefix + TopValues.Other);
        Assert.Contains(expected, item => item.Key == AggregateKeys.SessionPrefix + TopValues.Other);
        Assert.Contains(expected, item => item.Key == AggregateKeys.Account("111122223333"));
        Assert.True(unfolded.Deltas.Count > expected.Count + 200, "the case must fold many keys");
        Assert.Equal(expected.Select(item => (item.Bucket, item.Key)), built.Deltas.Select(d => (d.BucketStart, d.Key)));
        Assert.All(expected.Zip(built.Deltas), pair => Assert.True(pair.First.Counters.ContentEquals(pair.Second.Counters), $"{pair.First.Bucket:O} {pair.First.Key}"));
    }
}
