using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>The invocation-log function with GENAIOBS_TABLE_NAME set writes aggregates to dynalite, exactly once per delivery.</summary>
[Trait("Category", "Integration")]
public sealed class StoreFunctionWiringTests(DynaliteTableFixture table) : IClassFixture<DynaliteTableFixture>
{
    private static readonly InvocationContext Context = new("req-store", DateTimeOffset.MaxValue, null, null);

    [Fact]
    public async Task HandleAsync_WhenTheSameDeliveryArrivesTwice_ShouldAggregateItOnce()
    {
        // Arrange
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.InvocationLogs },
            { EnvironmentVariables.MaxEventAgeHours, "1000000" },
            { EnvironmentVariables.TableName, table.TableName },
            { EnvironmentVariables.EndpointUrlDynamoDb, table.Endpoint },
            { EnvironmentVariables.Region, "us-east-1" },
        };
        var host = HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System);
        var body = Event();

        // Act
        using var first = JsonDocument.Parse(await host.Function.HandleAsync(body, Context, CancellationToken.None));
        using var second = JsonDocument.Parse(await host.Function.HandleAsync(body, Context, CancellationToken.None));

        // Assert
        Assert.True(first.RootElement.GetProperty("aggregateItemsWritten").GetInt32() > 0);
        Assert.Equal(0, second.RootElement.GetProperty("aggregateItemsWritten").GetInt32());
        Assert.Equal(first.RootElement.GetProperty("aggregateItemsWritten").GetInt32(), second.RootElement.GetProperty("aggregateItemsAlreadyApplied").GetInt32());
        var store = new DynamoDbAggregateStore(table.Client, table.TableName);
        var hour = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var total = await store.SumAsync(AggregateKeys.Total, Granularity.Fine, hour, hour.AddHours(1));
        Assert.Equal(3, total[CounterNames.Requests]);
        var models = await store.SumByPrefixAsync(AggregateKeys.ModelPrefix, Granularity.Fine, hour, hour.AddHours(1));
        Assert.Equal(2, models[AggregateKeys.Model("us.anthropic.claude-sonnet-4-5-20250929-v1:0")][CounterNames.Requests]);
    }

    private static byte[] Event() => TestEvents.SubscriptionEvent(TestEvents.RuntimeFixture("invocation-logs.data-message.json"));
}
