namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Where aggregates and baselines live (DynamoDB in Lambda, memory in the CLI). Time ranges are
/// half-open [from, to) over bucket starts: an item belongs to a range when its bucket starts in it.
/// </summary>
public interface IAggregateStore
{
    /// <summary>
    /// Adds a batch's deltas to the fine items, exactly once per (batch id, item): applying the
    /// same batch again — wholly or after a failure part-way — adds nothing twice. Throws when
    /// the store stays unavailable after bounded retries, so the delivery is retried.
    /// </summary>
    Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a deferred window's merged batch (<see cref="DeferredAggregation.Merge"/> under
    /// <see cref="DeferredAggregation.RollupBatchId"/>) to the fine items: readers see the same
    /// counters as after <see cref="ApplyBatchAsync"/>, and the hours it touches are marked, exactly
    /// once per window — applying the same window again, wholly or after a failure part-way, adds
    /// nothing twice. A store may keep the window in fewer items than one per key (the DynamoDB store:
    /// one packed item per fine bucket, <see cref="WindowPacks"/>).
    /// </summary>
    Task<ApplyResult> ApplyWindowAsync(DateTimeOffset window, AggregateBatch merged, CancellationToken cancellationToken = default);

    /// <summary>
    /// The hours whose 5-minute items were written to since maintenance last rolled them up, oldest
    /// first. <see cref="ApplyBatchAsync"/> marks every hour a batch touches after writing its items
    /// (each mark carries a version that every write increments), so a batch arriving hours late
    /// still reaches the hourly and daily rollups.
    /// </summary>
    Task<IReadOnlyList<HourMark>> GetMarkedHoursAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes an hour's mark if it still has the version read; false when a later write marked the
    /// hour again (the mark stays, and the next maintenance run rolls the hour up once more).
    /// </summary>
    Task<bool> ClearHourMarkAsync(HourMark mark, CancellationToken cancellationToken = default);

    /// <summary>The items of one key at one granularity with bucket starts in [from, to), ordered by time; missing buckets are absent.</summary>
    Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Every item whose key starts with <paramref name="keyPrefix"/> ("" for every key) and whose bucket starts in [from, to), in no particular order.</summary>
    Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the rollup items of one hourly or daily bucket with the given counters (whole-item
    /// overwrite, so recomputing gives the same items) and deletes the bucket's items whose key is
    /// no longer among them (a value folded into <c>other</c> since the last rollup would otherwise
    /// be counted twice); returns how many items changed or were deleted.
    /// </summary>
    Task<int> PutRollupAsync(Granularity granularity, DateTimeOffset bucketStart, IReadOnlyDictionary<string, AggregateCounters> items, CancellationToken cancellationToken = default);

    /// <summary>A key's baseline for a day, when it has been computed.</summary>
    Task<Baseline?> GetBaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Stores baselines (whole-item overwrite: idempotent).</summary>
    Task PutBaselinesAsync(IReadOnlyList<Baseline> baselines, CancellationToken cancellationToken = default);

    /// <summary>
    /// The maintenance watermark called <paramref name="name"/>: the start of the last hour whose
    /// rollup a maintenance run has completed, or null when none has run yet.
    /// </summary>
    Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the watermark <paramref name="name"/> forward to <paramref name="hour"/> — never
    /// backwards: a conditional write that leaves a later value in place, so concurrent runs cannot
    /// regress it. Returns true when it moved.
    /// </summary>
    Task<bool> AdvanceWatermarkAsync(string name, DateTimeOffset hour, CancellationToken cancellationToken = default);
}
