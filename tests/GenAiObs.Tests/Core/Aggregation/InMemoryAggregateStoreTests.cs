using GenAiObs.Core.Aggregation;

namespace GenAiObs.Tests.Store;

public sealed class InMemoryAggregateStoreTests : AggregateStoreContractTests
{
    protected override DateTimeOffset Base { get; } = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    protected override IAggregateStore CreateStore(AggregateRetention? retention = null) => new InMemoryAggregateStore(retention);
}
