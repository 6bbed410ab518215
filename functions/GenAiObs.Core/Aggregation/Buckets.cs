using System.Globalization;

namespace GenAiObs.Core.Aggregation;

/// <summary>Bucket arithmetic: every bucket is identified by its UTC start.</summary>
public static class Buckets
{
    /// <summary>Width of a fine bucket.</summary>
    public static readonly TimeSpan FineWidth = TimeSpan.FromMinutes(5);

    public static TimeSpan Width(Granularity granularity) => granularity switch
    {
        Granularity.Fine => FineWidth,
        Granularity.Hourly => TimeSpan.FromHours(1),
        Granularity.Daily => TimeSpan.FromDays(1),
        _ => throw new ArgumentOutOfRangeException(nameof(granularity)),
    };

    /// <summary>The start (UTC) of the bucket holding <paramref name="time"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset time, Granularity granularity)
    {
        var ticks = time.UtcTicks;
        var width = Width(granularity).Ticks;
        return new DateTimeOffset(ticks - (ticks % width), TimeSpan.Zero);
    }

    /// <summary>
    /// The bucket starts of one granularity that lie in [<paramref name="from"/>, <paramref name="to"/>):
    /// a bucket belongs to a range when its start does.
    /// </summary>
    public static IEnumerable<DateTimeOffset> StartsIn(DateTimeOffset from, DateTimeOffset to, Granularity granularity)
    {
        var first = StartOf(from, granularity);
        if (first < from)
        {
            first = Processing.SaturatingTime.Add(first, Width(granularity));
        }

        for (var start = first; start < to; start = Processing.SaturatingTime.Add(start, Width(granularity)))
        {
            yield return start;
            if (start == DateTimeOffset.MaxValue)
            {
                yield break;
            }
        }
    }

    /// <summary>A sortable, compact bucket label: <c>2026-11-05T10:05</c>, <c>2026-11-05T10</c>, <c>2026-11-05</c>.</summary>
    public static string Label(DateTimeOffset bucketStart, Granularity granularity) =>
        bucketStart.UtcDateTime.ToString(LabelFormat(granularity), CultureInfo.InvariantCulture);

    /// <summary>Reads a <see cref="Label"/> of <paramref name="granularity"/> back into the bucket start.</summary>
    public static bool TryParseLabel(ReadOnlySpan<char> label, Granularity granularity, out DateTimeOffset bucketStart)
    {
        if (DateTime.TryParseExact(label, LabelFormat(granularity), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start))
        {
            bucketStart = new DateTimeOffset(start, TimeSpan.Zero);
            return true;
        }

        bucketStart = default;
        return false;
    }

    private static string LabelFormat(Granularity granularity) => granularity switch
    {
        Granularity.Fine => "yyyy-MM-dd'T'HH:mm",
        Granularity.Hourly => "yyyy-MM-dd'T'HH",
        Granularity.Daily => "yyyy-MM-dd",
        _ => throw new ArgumentOutOfRangeException(nameof(granularity)),
    };

    /// <summary>The granularity a rollup of <paramref name="target"/> is computed from.</summary>
    public static Granularity SourceOf(Granularity target) => target switch
    {
        Granularity.Hourly => Granularity.Fine,
        Granularity.Daily => Granularity.Hourly,
        _ => throw new ArgumentOutOfRangeException(nameof(target), "Only hourly and daily items are rollups."),
    };
}
