using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// The retry claim for DynamoDB writes (docs/data-model.md, docs/operations.md) — up to 6 attempts per item, full-jitter backoff
/// with a 50 ms base and a 5 s cap — checked on the defaults, and on the store the functions
/// build at cold start (<see cref="DynamoDbAggregateStore.FromSettings"/>).
/// </summary>
[Trait("Category", "Integration")]
public sealed class DynamoDbRetryPolicyTests
{
    [Fact]
    public void DelayFor_WithDefaults_ShouldDoubleFrom50MillisecondsAndStopAt5Seconds()
    {
        // A random source that always draws the top of the range shows each attempt's ceiling.
        var policy = new DynamoDbRetryPolicy(random: new FixedRandom(1.0));

        var ceilings = Enumerable.Range(1, 9).Select(attempt => policy.DelayFor(attempt).TotalMilliseconds);

        Assert.Equal([50, 100, 200, 400, 800, 1600, 3200, 5000, 5000], ceilings);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 100)]
    [InlineData(0.5, 200)]
    public void DelayFor_WithDefaults_ShouldScaleTheCeilingByTheDrawFromZero(double draw, double expectedMs)
    {
        // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, ceiling].
        var policy = new DynamoDbRetryPolicy(random: new FixedRandom(draw));

        Assert.Equal(expectedMs, policy.DelayFor(4).TotalMilliseconds);
    }

    [Fact]
    public async Task ExecuteAsync_WithDefaults_ShouldTryAThrottledOperationSixTimesThenThrow()
    {
        var policy = new DynamoDbRetryPolicy(random: new FixedRandom(0.0));
        var attempts = 0;

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => policy.ExecuteAsync<int>(
            _ =>
            {
                attempts++;
                throw new ProvisionedThroughputExceededException("throttled");
            },
            CancellationToken.None));

        Assert.Equal(6, attempts);
        Assert.Equal(5, policy.Retries);
    }

    [Fact]
    public async Task ApplyBatchAsync_OnTheColdStartStore_WhenEveryWriteIsThrottled_ShouldTryAnItemSixTimesAndNoItemMore()
    {
        // Arrange: a DynamoDB endpoint that throttles every request; the store as FromSettings builds it.
        using var server = new LoopbackHttpServer(_ => new LoopbackResponse(
            400,
            """{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"throttled"}""",
            "application/x-amz-json-1.0"));
        var store = DynamoDbAggregateStore.FromSettings(new DynamoDbStoreSettings(
            "genaiobs-retry", server.BaseUri.ToString().TrimEnd('/'), "us-east-1", AggregateRetention.Default));
        var start = new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.Zero);
        var batch = AggregateBuilder.Build("retry-defaults", [StoreTestData.Invocation(start)], []);

        // Act
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => store.ApplyBatchAsync(batch));

        // Assert: the item whose retries ran out first was tried exactly 6 times; none more.
        var attemptsPerItem = server.Requests
            .Where(r => r.Header("X-Amz-Target") == "DynamoDB_20120810.UpdateItem")
            .GroupBy(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("Key").GetRawText(), StringComparer.Ordinal)
            .Select(g => g.Count())
            .ToList();
        Assert.NotEmpty(attemptsPerItem);
        Assert.Equal(6, attemptsPerItem.Max());
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
