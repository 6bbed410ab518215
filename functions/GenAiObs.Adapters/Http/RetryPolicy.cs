using System.Globalization;
using System.Net.Http.Headers;

namespace GenAiObs.Adapters.Http;

/// <summary>
/// Bounded retries with exponential backoff (no jitter: each caller retries one request, so
/// there is no herd to spread, and fixed waits keep tests exact). A server's Retry-After is
/// honoured up to <see cref="MaxRetryAfter"/> so a Lambda never waits past its timeout.
/// </summary>
public sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(20);

    public static RetryPolicy Default { get; } = new();

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based).</summary>
    public TimeSpan Backoff(int retry)
    {
        var factor = Math.Pow(2, Math.Min(retry - 1, 20));
        var delay = TimeSpan.FromMilliseconds(BaseDelay.TotalMilliseconds * factor);
        return delay < MaxDelay ? delay : MaxDelay;
    }

    /// <summary>The wait for a Retry-After header (delta seconds or HTTP date), bounded; null when absent or unreadable.</summary>
    public TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        TimeSpan? wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };
        if (wait is null)
        {
            return null;
        }

        if (wait < TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    public static DelayAsync DelayWith(TimeProvider time) => (delay, ct) => Task.Delay(delay, time, ct);

    internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
