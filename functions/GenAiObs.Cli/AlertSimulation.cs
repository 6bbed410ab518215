using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Processing;

namespace GenAiObs.Cli;

/// <summary>
/// The alerts <c>replay</c> reports: the scheduled evaluator run at the 5-minute boundaries of
/// the replayed event-time range that follow data within the rules' reach (stretches with no data
/// for longer than the longest rule window are skipped, so the cost follows the buckets that hold
/// data, not the time span), against the store replay filled, with an in-memory alert-state
/// store and a publisher that only records. Everything else — maintenance, rules, routing, group
/// wait and its follow-up, repeat and resolve, one-shot notices — is the Lambda's own code, on a
/// simulated clock that waits by moving forward.
/// </summary>
public static class AlertSimulation
{
    /// <summary>
    /// Evaluates at the boundaries from the first after <paramref name="from"/> through the first
    /// after <paramref name="to"/> that follow a 5-minute bucket holding data by at most the
    /// rules' reach (<see cref="Reach"/>), and returns one entry per notification that would have
    /// been sent, in send order.
    /// </summary>
    /// <param name="store">The store replay filled (rollups and baselines are written to it, as the evaluator would).</param>
    /// <param name="from">The earliest event time replayed.</param>
    /// <param name="to">The latest event time replayed.</param>
    /// <param name="settings">Rule settings and routing (<see cref="EvaluatorSettings.FromVariables"/>).</param>
    /// <param name="options">Evaluator tunables; the Lambda's defaults when null.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    public static async Task<IReadOnlyList<SimulatedNotification>> RunAsync(
        IAggregateStore store,
        DateTimeOffset from,
        DateTimeOffset to,
        EvaluatorSettings settings,
        EvaluatorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (to < from)
        {
            return [];
        }

        var buckets = await store.GetSeriesAsync(AggregateKeys.Total, Granularity.Fine, Buckets.StartOf(from, Granularity.Fine), SaturatingTime.Add(Buckets.StartOf(to, Granularity.Fine), Buckets.FineWidth), cancellationToken).ConfigureAwait(false);
        return await RunAsync(store, [.. buckets.Select(item => item.BucketStart)], settings, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunAsync(IAggregateStore, DateTimeOffset, DateTimeOffset, EvaluatorSettings, EvaluatorOptions?, CancellationToken)"/>, given the 5-minute buckets that hold data.</summary>
    public static async Task<IReadOnlyList<SimulatedNotification>> RunAsync(
        IAggregateStore store,
        IReadOnlyCollection<DateTimeOffset> dataBuckets,
        EvaluatorSettings settings,
        EvaluatorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var times = EvaluationTimes(dataBuckets, Reach(settings.Rules));
        if (times.Count == 0)
        {
            return [];
        }

        var clock = new SimulatedClock(times[0]);
        var publisher = new RecordingAlertPublisher();
        var evaluator = new AlertEvaluator(
            store,
            new RuleEvaluator(settings.Rules),
            settings.Routing,
            new InMemoryAlertStateStore(),
            publisher,
            clock,
            options,
            delay: (wait, _) =>
            {
                clock.Advance(wait);
                return Task.CompletedTask;
            });

        foreach (var at in times)
        {
            clock.Set(at);
            await evaluator.EvaluateAsync(cancellationToken).ConfigureAwait(false);
        }

        return [.. publisher.Notifications.Select(SimulatedNotification.From)];
    }

    /// <summary>
    /// How long after a bucket with data the rules can still react to it: the longest rule window,
    /// at least a day (the daily rules), plus an hour for group intervals and resolves.
    /// </summary>
    public static TimeSpan Reach(RuleSettings rules)
    {
        var longest = RuleCatalog.All.Select(definition => rules.For(definition.Id).Window).DefaultIfEmpty(TimeSpan.Zero).Max();
        return (longest > TimeSpan.FromDays(1) ? longest : TimeSpan.FromDays(1)) + TimeSpan.FromHours(1);
    }

    /// <summary>
    /// The boundaries from the first after the earliest bucket through the first after the latest
    /// one, keeping only those within <paramref name="reach"/> after some bucket: contiguous data
    /// gives every boundary; a gap longer than the reach is skipped.
    /// </summary>
    public static List<DateTimeOffset> EvaluationTimes(IReadOnlyCollection<DateTimeOffset> dataBuckets, TimeSpan reach)
    {
        var times = new List<DateTimeOffset>();
        if (dataBuckets.Count == 0)
        {
            return times;
        }

        var buckets = dataBuckets.Select(b => Buckets.StartOf(b, Granularity.Fine)).Distinct().Order().ToList();
        var last = SaturatingTime.Add(buckets[^1], Buckets.FineWidth);
        var next = DateTimeOffset.MinValue;
        foreach (var bucket in buckets)
        {
            var first = SaturatingTime.Add(bucket, Buckets.FineWidth);
            var until = SaturatingTime.Add(bucket, reach);
            until = until < last ? until : last;
            for (var at = first > next ? first : next; at <= until; at = SaturatingTime.Add(at, Buckets.FineWidth))
            {
                times.Add(at);
                next = SaturatingTime.Add(at, Buckets.FineWidth);
                if (at == DateTimeOffset.MaxValue)
                {
                    break;
                }
            }
        }

        return times;
    }

    /// <summary>A publisher that accepts and records every notification.</summary>
    private sealed class RecordingAlertPublisher : IAlertPublisher
    {
        private readonly List<AlertNotification> _notifications = [];

        public IReadOnlyList<AlertNotification> Notifications => _notifications;

        public Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            _notifications.Add(notification);
            return Task.FromResult(new PublishReceipt("simulated-" + _notifications.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
