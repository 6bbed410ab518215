using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>The contract suite against dynalite, plus what only a real DynamoDB endpoint can show.</summary>
[Trait("Category", "Integration")]
public sealed class DynamoDbAggregateStoreTests : AggregateStoreContractTests, IClassFixture<DynaliteTableFixture>
{
    private readonly DynaliteTableFixture _table;

    public DynamoDbAggregateStoreTests(DynaliteTableFixture table)
    {
        _table = table;
        Base = table.NextRange();
    }

    protected override DateTimeOffset Base { get; }

    protected override IAggregateStore CreateStore(AggregateRetention? retention = null) =>
        new DynamoDbAggregateStore(_table.Client, _table.TableName, retention, FastRetry());

    [Fact]
    public async Task ApplyBatchAsync_WhenTheTableFailsAfterKOfNWritesAndTheBatchIsRedelivered_ShouldCountEveryRecordOnce()
    {
        // Arrange: a client whose UpdateItem calls fail (HTTP 500) from the 4th on; one write at a time.
        const int k = 3;
        using var faulty = new FaultInjectingHandler((operation, count) => operation == "UpdateItem" && count > k ? FaultInjectingHandler.ServerError : null);
        using var faultyClient = _table.CreateClient(faulty);
        var failing = new DynamoDbAggregateStore(faultyClient, _table.TableName, retry: FastRetry(maxAttempts: 3), maxParallelRequests: 1);
        var records = Enumerable.Range(0, 50).Select(i => StoreTestData.Invocation(Base.AddMinutes(i % 15), principal: "p" + (i % 5), cost: 0.0123m)).ToList();
        var batch = AggregateBuilder.Build("mid-batch-failure", records, []);

        // Act
        var failure = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => failing.ApplyBatchAsync(batch));
        var redelivery = await CreateStore().ApplyBatchAsync(batch);

        // Assert: k items were written before the failure; the redelivery skips exactly those.
        Assert.Equal(500, (int)failure.StatusCode);
        Assert.Equal(k, redelivery.AlreadyApplied);
        Assert.Equal(batch.ItemCount - k, redelivery.Applied);
        var store = CreateStore();
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, Base, Base.AddHours(1));
        Assert.Equal(50, total[CounterNames.Requests]);
        Assert.Equal(50 * 12_300, total[CounterNames.CostMicros]);
        var principals = await store.SumByPrefixAsync(AggregateKeys.PrincipalPrefix, Granularity.Fine, Base, Base.AddHours(1));
        Assert.All(principals.Values, counters => Assert.Equal(10, counters[CounterNames.Requests]));
    }

    [Fact]
    public async Task ApplyBatchAsync_WhenThrottledAndFailingTransiently_ShouldRetryAndCountOnce()
    {
        // Arrange: the 1st UpdateItem is throttled, the 2nd gets a 500, then everything passes.
        using var flaky = new FaultInjectingHandler((operation, count) => operation != "UpdateItem" ? null : count switch
        {
            1 => FaultInjectingHandler.Throttled,
            2 => FaultInjectingHandler.ServerError,
            _ => null,
        });
        using var client = _table.CreateClient(flaky);
        var retry = FastRetry(maxAttempts: 4);
        var store = new DynamoDbAggregateStore(client, _table.TableName, retry: retry, maxParallelRequests: 1);
        var batch = AggregateBuilder.Build("flaky", Enumerable.Range(0, 10).Select(i => StoreTestData.Invocation(Base.AddMinutes(i))), []);

        // Act
        var result = await store.ApplyBatchAsync(batch);

        // Assert
        Assert.Equal(2, retry.Retries);
        Assert.Equal(batch.ItemCount, result.Applied);
        Assert.Equal(10, (await store.SumAsync(AggregateKeys.Total, Granularity.Fine, Base, Base.AddHours(1)))[CounterNames.Requests]);
    }

    [Fact]
    public async Task ApplyBatchAsync_WhenThrottlingNeverEnds_ShouldGiveUpAfterTheBoundedAttemptsAndThrow()
    {
        // Arrange
        using var throttled = new FaultInjectingHandler((operation, _) => operation == "UpdateItem" ? FaultInjectingHandler.Throttled : null);
        using var client = _table.CreateClient(throttled);
        var store = new DynamoDbAggregateStore(client, _table.TableName, retry: FastRetry(maxAttempts: 5), maxParallelRequests: 1);
        var batch = AggregateBuilder.Build("throttled", [StoreTestData.Invocation(Base)], []);

        // Act
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => store.ApplyBatchAsync(batch));

        // Assert: exactly MaxAttempts tries of the first item, then the exception escaped.
        Assert.Equal(5, throttled.Count("UpdateItem"));
    }

    [Fact]
    public async Task ApplyBatchAsync_AtRealisticCardinality_ShouldSendOneUpdateItemPerDistinctBucketAndKey()
    {
        // Arrange: 1,000 calls over 10 minutes from 40 principals, 6 models, 4 teams; 300 agent spans.
        using var counting = new FaultInjectingHandler((_, _) => null);
        using var client = _table.CreateClient(counting);
        var store = new DynamoDbAggregateStore(client, _table.TableName, retry: FastRetry());
        var random = new Random(7);
        var models = new[] { StoreTestData.Sonnet, StoreTestData.Haiku, "amazon.nova-pro-v1:0", "meta.llama3-70b-instruct-v1:0", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "cohere.command-r-v1:0" };
        var invocations = Enumerable.Range(0, 1000).Select(i => StoreTestData.Invocation(
            Base.AddSeconds(random.Next(600)),
            model: models[random.Next(models.Length)],
            principal: "role-" + random.Next(40),
            latencyMs: 200 + random.Next(3000),
            metadata: new Dictionary<string, string> { ["team"] = "team-" + random.Next(4) })).ToList();
        var spans = Enumerable.Range(0, 300).Select(i => StoreTestData.Span(
            Base.AddSeconds(random.Next(600)),
            (SpanClass)(1 + (i % 3)),
            model: "gpt-4o",
            tool: "tool-" + (i % 5),
            sessionId: "session-" + (i % 12),
            traceId: "trace-" + (i % 30))).ToList();
        var expectedPairs = new HashSet<(DateTimeOffset, string)>();
        foreach (var invocation in invocations)
        {
            var bucket = Buckets.StartOf(invocation.Record.Timestamp, Granularity.Fine);
            foreach (var key in new[] { "total", "model#" + invocation.Record.ModelId, "principal#" + invocation.Record.Principal, "team#" + invocation.Record.RequestMetadata!["team"] })
            {
                expectedPairs.Add((bucket, key));
            }
        }

        foreach (var priced in spans)
        {
            var span = priced.Span;
            var bucket = Buckets.StartOf(span.End, Granularity.Fine);
            expectedPairs.UnionWith(new[] { "total", "svc#travel-agent", "env#prod", "session#" + span.SessionId, "trace#" + span.TraceId, "component#" + SpanComponents.Of(span) }.Select(key => (bucket, key)));
            if (span.Class == SpanClass.ModelCall)
            {
                expectedPairs.Add((bucket, "spanmodel#gpt-4o"));
            }

            if (span.Class == SpanClass.Tool)
            {
                expectedPairs.Add((bucket, "tool#" + span.ToolName));
            }
        }

        // Act (limits above this cardinality: no value is folded into "other")
        var batch = AggregateBuilder.Build("cardinality", invocations, spans, CardinalityLimits.Default with { Principal = 40 });
        var result = await store.ApplyBatchAsync(batch);

        // Assert: one UpdateItem per pair, and one hour mark (the records span 10 minutes of one hour).
        Assert.Equal(expectedPairs.Count, batch.ItemCount);
        Assert.Equal(expectedPairs.Count, result.Requests);
        Assert.Equal(expectedPairs.Count + 1, counting.Count("UpdateItem"));
    }

    [Fact]
    public async Task StoredItems_WhenWritten_ShouldHaveExpiresAtAndTheBatchMarker()
    {
        // Arrange
        var store = CreateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build("raw-item", [StoreTestData.Invocation(Base.AddMinutes(7))], []));
        await new AggregateMaintenance(store, new FixedTimeProvider(Base.AddHours(1)), baselines: BaselineSettings.Default with { ProfileWeeks = 1, HistoryHorizonDays = 7 })
            .UpdateBaselinesAsync(DateOnly.FromDateTime(Base.UtcDateTime));

        // Act
        var fine = await GetRawAsync(TableLayout.AggregatePartition(Granularity.Fine, Base.AddMinutes(5)), AggregateKeys.Total);
        var baseline = await GetRawAsync(TableLayout.BaselinePartition(DateOnly.FromDateTime(Base.UtcDateTime)), AggregateKeys.Total);

        // Assert
        Assert.Equal(Base.AddMinutes(10).AddDays(3).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), fine["expiresAt"].N);
        Assert.Equal([DynamoDbAggregateStore.MarkerOf("raw-item")], fine["batches"].SS);
        Assert.Equal("1", fine["requests"].N);
        Assert.Equal(Base.AddDays(36).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), baseline["expiresAt"].N);
        Assert.True(baseline["warmingUp"].BOOL);
    }

    [Fact]
    public async Task ApplyBatchAsync_WhenAnItemHasTooManyCountersForOneExpression_ShouldSplitItAndStayExactlyOnce()
    {
        // Arrange: 900 distinct latency bins in one item.
        var store = new DynamoDbAggregateStore(_table.Client, _table.TableName, retry: FastRetry());
        var records = Enumerable.Range(0, 900).Select(i => StoreTestData.Invocation(Base.AddSeconds(i % 60), latencyMs: Math.Pow(1.02, i), principal: "wide")).ToList();
        var batch = AggregateBuilder.Build("wide-item", records, []);
        var updates = store.BuildUpdates(Assert.Single(batch.Deltas, d => d.Key == AggregateKeys.Total), DynamoDbAggregateStore.MarkerOf(batch.BatchId)).ToList();

        // Act
        var first = await store.ApplyBatchAsync(batch);
        var again = await store.ApplyBatchAsync(batch);

        // Assert
        Assert.True(updates.Count > 1);
        Assert.All(updates, update => Assert.True(update.UpdateExpression.Length <= 4096));
        Assert.Equal(first.Requests, again.AlreadyApplied);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, Base, Base.AddMinutes(5));
        Assert.Equal(900, total.Histogram(HistogramFamily.Latency).Count);
        Assert.Equal(900, total[CounterNames.Requests]);
    }

    [Fact]
    public async Task SdkDefaultConfig_WhenAwsEndpointUrlDynamoDbIsSet_ShouldReachThatEndpoint()
    {
        // Arrange: no ServiceURL given — AWSSDK 4.1 must pick AWS_ENDPOINT_URL_DYNAMODB up itself.
        using var client = new AmazonDynamoDBClient(new AmazonDynamoDBConfig { RegionEndpoint = Amazon.RegionEndpoint.USEast1 });

        // Act
        var tables = await client.ListTablesAsync(new ListTablesRequest());

        // Assert
        Assert.Contains(_table.TableName, tables.TableNames);
    }

    [Fact]
    public async Task FromEnvironment_WhenTableAndEndpointAreSet_ShouldWriteToThatTable()
    {
        // Arrange
        var variables = new Dictionary<string, string> { ["GENAIOBS_TABLE_NAME"] = _table.TableName, ["AWS_ENDPOINT_URL_DYNAMODB"] = _table.Endpoint, ["AWS_REGION"] = "us-east-1" };
        var store = DynamoDbAggregateStore.FromEnvironment(name => variables.GetValueOrDefault(name));

        // Act
        await store!.ApplyBatchAsync(AggregateBuilder.Build("from-environment", [StoreTestData.Invocation(Base)], []));

        // Assert
        Assert.Equal(1, (await CreateStore().SumAsync(AggregateKeys.Total, Granularity.Fine, Base, Base.AddHours(1)))[CounterNames.Requests]);
        Assert.Null(DynamoDbAggregateStore.FromEnvironment(_ => null));
    }

    private async Task<Dictionary<string, AttributeValue>> GetRawAsync(string partition, string sortKey)
    {
        var response = await _table.Client.GetItemAsync(new GetItemRequest
        {
            TableName = _table.TableName,
            ConsistentRead = true,
            Key = TableLayout.Key(partition, sortKey),
        });
        return response.Item;
    }

    private static DynamoDbRetryPolicy FastRetry(int maxAttempts = 6) => new(maxAttempts, TimeSpan.Zero, TimeSpan.Zero);
}
