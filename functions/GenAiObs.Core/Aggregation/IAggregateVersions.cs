namespace GenAiObs.Core.Aggregation;

/// <summary>
/// An optional capability of an <see cref="IAggregateStore"/>: a version of a range of buckets that
/// grows whenever an item in it is written or deleted, so <see cref="AggregateMaintenance"/> can
/// skip recomputing a rollup whose sources and target have not changed since it last computed it
/// (the recomputation would find every item equal and write nothing). The in-memory store has it —
/// replay's alert simulation rolls up the current hour and day at every 5-minute evaluation, and
/// reading every key of 12 fine or 24 hourly buckets each time was three quarters of its cost.
/// The DynamoDB store does not: a version there would cost a read per bucket, as much as the rollup's own query.
/// </summary>
public interface IAggregateVersions
{
    /// <summary>
    /// A number that grows whenever an item of <paramref name="granularity"/> whose bucket starts in
    /// [<paramref name="from"/>, <paramref name="to"/>) is written or deleted: equal numbers mean
    /// nothing in the range changed in between.
    /// </summary>
    long VersionOf(Granularity granularity, DateTimeOffset from, DateTimeOffset to);
}
