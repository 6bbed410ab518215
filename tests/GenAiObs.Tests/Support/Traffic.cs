using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;

namespace GenAiObs.Tests.Rules;

/// <summary>Realistic invocation records pushed through the same aggregate builder as the Lambdas.</summary>
internal sealed class Traffic
{
    private readonly List<PricedInvocation> _invocations = [];
    private int _sequence;

    /// <summary>Every 5 minutes in [from, to): <paramref name="perBucket"/> invocations of a model.</summary>
    public Traffic Steady(DateTimeOffset from, DateTimeOffset to, int perBucket, string model = "anthropic.claude-sonnet", bool failing = false, decimal costUsd = 0.10m, double latencyMs = 500)
    {
        for (var bucket = from; bucket < to; bucket += Buckets.FineWidth)
        {
            for (var i = 0; i < perBucket; i++)
            {
                var id = _sequence++;
                var record = new InvocationRecord
                {
                    EventId = "evt-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Timestamp = bucket.AddSeconds(i % 300),
                    Operation = "Converse",
                    ModelId = model,
                    Principal = "arn:aws:iam::123456789012:role/" + (i % 2 == 0 ? "chat-app" : "batch-job"),
                    InputTokens = failing ? 0 : 1_000,
                    OutputTokens = failing ? 0 : 200,
                    StopReason = failing ? StopReasons.Unknown : StopReasons.EndTurn,
                    LatencyMs = failing ? null : latencyMs,
                    ErrorCode = failing ? "ServiceUnavailableException" : null,
                };
                _invocations.Add(new PricedInvocation(record, failing ? 0m : costUsd, Priced: true, PriceKey: model));
            }
        }

        return this;
    }

    /// <summary>The records as one delivery per 5-minute bucket (what deferred-mode processors would leave as deltas).</summary>
    public IReadOnlyList<AggregateBatch> Deliveries() =>
        [.. _invocations
            .GroupBy(invocation => Buckets.StartOf(invocation.Record.Timestamp, Granularity.Fine))
            .Select(bucket => AggregateBuilder.Build("delivery-" + Buckets.Label(bucket.Key, Granularity.Fine), bucket, []))];

    public async Task<InMemoryAggregateStore> StoreAsync()
    {
        var store = new InMemoryAggregateStore();
        foreach (var chunk in _invocations.Chunk(2_000).Select((records, index) => (records, index)))
        {
            var batch = AggregateBuilder.Build("batch-" + chunk.index.ToString(System.Globalization.CultureInfo.InvariantCulture), chunk.records, []);
            await store.ApplyBatchAsync(batch);
        }

        return store;
    }
}
