namespace GenAiObs.Core.Aggregation;

/// <summary>
/// A store that sums its own items: what <see cref="AggregateQueries.SumByKey"/> gives for the
/// items <see cref="IAggregateStore.GetItemsAsync"/> or <see cref="IAggregateStore.GetSeriesAsync"/>
/// would return, without making a bag of counters for every item first.
/// <see cref="InMemoryAggregateStore"/> holds its counters packed: unpacking each item into a new
/// bag and then merging it into the sum was most of the allocation, and so of the garbage
/// collection, of replay's alert simulation (issue #13).
/// </summary>
internal interface IAggregateSums
{
    /// <summary>
    /// Adds, per key, the items of one key (<paramref name="prefix"/> false) or of every key starting
    /// with <paramref name="keyOrPrefix"/> with bucket starts in [from, to) to <paramref name="sums"/>,
    /// in bucket order: a key not in <paramref name="sums"/> yet gets a new bag of its first item's
    /// counters (zeros dropped), later items are merged into it.
    /// </summary>
    void AddSums(Dictionary<string, AggregateCounters> sums, string keyOrPrefix, bool prefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to);
}
