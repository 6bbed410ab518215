using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Quality;
using Xunit;

namespace GenAiObs.Tests.Store;

[Trait("Category", "Integration")]
public sealed class DynamoDbRequestIndexTests(DynaliteTableFixture table) : IClassFixture<DynaliteTableFixture>
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetAsync_AfterDeliveriesAndARedelivery_ShouldSumEachDeliveryOnceAndKeepTheFirstTags()
    {
        var index = new DynamoDbRequestIndex(table.Client, table.TableName, QualityAggregation.DefaultWindow);
        var trace = IndexedRequest.ForTrace(Guid.NewGuid().ToString("N"));
        var request = IndexedRequest.ForRequest(Guid.NewGuid().ToString());

        await index.PutAsync("delivery-1", [new IndexedRequest(trace, At, 1_500, "support", "B"), new IndexedRequest(request, At, 42, "summarise", null)]);
        await index.PutAsync("delivery-2", [new IndexedRequest(trace, At.AddMinutes(1), 2_000, null, null)]);
        await index.PutAsync("delivery-2", [new IndexedRequest(trace, At.AddMinutes(1), 2_000, null, null)]);

        var found = await index.GetAsync([trace, request, IndexedRequest.ForRequest("absent")]);

        Assert.Equal(2, found.Count);
        Assert.Equal((3_500L, "support", "B"), (found[trace].CostMicros, found[trace].Feature, found[trace].Variant));
        Assert.Equal(At.AddMinutes(1), found[trace].At);
        Assert.Equal((42L, "summarise", (string?)null), (found[request].CostMicros, found[request].Feature, found[request].Variant));
    }

    [Fact]
    public async Task PutAsync_WhenALaterDeliveryCarriesATagTheEntryLacked_ShouldFillItInWithoutReplacingTheFirst()
    {
        var index = new DynamoDbRequestIndex(table.Client, table.TableName, QualityAggregation.DefaultWindow);
        var trace = IndexedRequest.ForTrace(Guid.NewGuid().ToString("N"));

        await index.PutAsync("delivery-1", [new IndexedRequest(trace, At, 1_000, null, "B")]);
        await index.PutAsync("delivery-2", [new IndexedRequest(trace, At.AddMinutes(1), 500, "support", "A")]);
        await index.PutAsync("delivery-3", [new IndexedRequest(trace, At.AddMinutes(2), 0, "other", null)]);

        var entry = (await index.GetAsync([trace]))[trace];

        Assert.Equal(("support", "B", 1_500L), (entry.Feature, entry.Variant, entry.CostMicros));
    }

    [Fact]
    public async Task GetAsync_WhenMoreThanOneBatchGetOfKeys_ShouldFindEveryEntry()
    {
        var index = new DynamoDbRequestIndex(table.Client, table.TableName, QualityAggregation.DefaultWindow);
        var entries = Enumerable.Range(0, 130).Select(i => new IndexedRequest(IndexedRequest.ForRequest(Guid.NewGuid().ToString()), At, i, "f", null)).ToList();
        await index.PutAsync("many", entries);

        var found = await index.GetAsync(entries.Select(e => e.Id).ToList());

        Assert.Equal(entries.Select(e => (e.Id, e.CostMicros)).Order(), found.Values.Select(e => (e.Id, e.CostMicros)).Order());
    }
}
