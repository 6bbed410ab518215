using GenAiObs.Core.Aggregation;

namespace GenAiObs.Tests.Rules;

/// <summary>
/// A test decorator over an aggregate store: every member passes to <see cref="Inner"/>, and a
/// test's subclass overrides the ones it observes or breaks. It does not pass
/// <see cref="IAggregateVersions"/> on; a subclass that should adds it.
/// </summary>
internal abstract class ForwardingAggregateStore(InMemoryAggregateStore inner) : IAggregateStore
{
    public InMemoryAggregateStore Inner { get; } = inner;

    public virtual Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default) => Inner.ApplyBatchAsync(batch, cancellationToken);

    public virtual Task<ApplyResult> ApplyWindowAsync(DateTimeOffset window, AggregateBatch merged, CancellationToken cancellationToken = default) => Inner.ApplyWindowAsync(window, merged, cancellationToken);

    public Task<IReadOnlyList<HourMark>> GetMarkedHoursAsync(CancellationToken cancellationToken = default) => Inner.GetMarkedHoursAsync(cancellationToken);

    public Task<bool> ClearHourMarkAsync(HourMark mark, CancellationToken cancellationToken = default) => Inner.ClearHourMarkAsync(mark, cancellationToken);

    public virtual Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Inner.GetSeriesAsync(key, granularity, from, to, cancellationToken);

    public virtual Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Inner.GetItemsAsync(keyPrefix, granularity, from, to, cancellationToken);

    public Task<int> PutRollupAsync(Granularity granularity, DateTimeOffset bucketStart, IReadOnlyDictionary<string, AggregateCounters> items, CancellationToken cancellationToken = default) =>
        Inner.PutRollupAsync(granularity, bucketStart, items, cancellationToken);

    public Task<Baseline?> GetBaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default) => Inner.GetBaselineAsync(key, day, cancellationToken);

    public Task PutBaselinesAsync(IReadOnlyList<Baseline> baselines, CancellationToken cancellationToken = default) => Inner.PutBaselinesAsync(baselines, cancellationToken);

    public Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken = default) => Inner.GetWatermarkAsync(name, cancellationToken);

    public Task<bool> AdvanceWatermarkAsync(string name, DateTimeOffset hour, CancellationToken cancellationToken = default) => Inner.AdvanceWatermarkAsync(name, hour, cancellationToken);
}
