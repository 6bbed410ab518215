using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// The narrow, read-only view of the aggregates and baselines that rules evaluate against.
/// Time ranges are half-open [from, to) on 5-minute boundaries. Rules never see anything else,
/// so evaluating twice against the same view at the same instant gives the same alerts.
/// </summary>
public interface IAlertDataReader
{
    /// <summary>The sum of one key's counters (histogram bins included) over [from, to); empty when nothing was recorded.</summary>
    Task<AggregateCounters> SumAsync(string key, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Per key starting with <paramref name="keyPrefix"/> with activity in [from, to): the sum of its counters.</summary>
    Task<IReadOnlyDictionary<string, AggregateCounters>> SumByPrefixAsync(string keyPrefix, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>One key's buckets of a granularity starting in [from, to), oldest first; empty buckets are absent.</summary>
    Task<IReadOnlyList<AggregateItem>> SeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>A key's baseline for a UTC day (computed from data before that day), when it exists.</summary>
    Task<Baseline?> BaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default);
}
