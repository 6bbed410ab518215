using GenAiObs.Core.Processing;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// How long each kind of item is kept. Every stored item carries an <c>expiresAt</c> (epoch
/// seconds) = end of its bucket + its retention, so DynamoDB TTL removes it without a job.
/// </summary>
public sealed record AggregateRetention
{
    public TimeSpan Fine { get; init; } = TimeSpan.FromDays(3);
    public TimeSpan Hourly { get; init; } = TimeSpan.FromDays(35);
    public TimeSpan Daily { get; init; } = TimeSpan.FromDays(400);

    /// <summary>Session and trace keys (fine buckets only).</summary>
    public TimeSpan ShortLived { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Baseline items (one per key and day).</summary>
    public TimeSpan Baseline { get; init; } = TimeSpan.FromDays(35);

    public static AggregateRetention Default { get; } = new();

    public TimeSpan For(Granularity granularity, string key) => granularity switch
    {
        Granularity.Fine => AggregateKeys.IsShortLived(key) ? ShortLived : Fine,
        Granularity.Hourly => Hourly,
        Granularity.Daily => Daily,
        _ => throw new ArgumentOutOfRangeException(nameof(granularity)),
    };

    /// <summary>The TTL (epoch seconds) of an aggregate item: bucket end + retention.</summary>
    public long ExpiresAt(Granularity granularity, DateTimeOffset bucketStart, string key) =>
        SaturatingTime.UnixSeconds(SaturatingTime.Add(bucketStart, Buckets.Width(granularity)), For(granularity, key));

    /// <summary>The TTL (epoch seconds) of a baseline item: end of its day + baseline retention.</summary>
    public long BaselineExpiresAt(DateOnly day) =>
        SaturatingTime.UnixSeconds(SaturatingTime.Add(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), TimeSpan.FromDays(1)), Baseline);
}
