using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Cli;

/// <summary>
/// The alerts <c>replay</c> reports: the scheduled evaluator run at every 5-minute boundary of
/// the replayed event-time range, against the store replay filled, with an in-memory alert-state
/// store and a publisher that only records. Everything else — maintenance, rules, routing, group
/// wait and its follow-up, repeat and resolve, one-shot notices — is the Lambda's own code, on a
/// simulated clock that waits by moving forward.
/// </summary>
public static class AlertSimulation
{
    /// <summary>
    /// Evaluates at each boundary from the first after <paramref name="from"/> through the first
    /// after <paramref name="to"/> (so every bucket holding data is complete at some evaluation)
    /// and returns one entry per notification that would have been sent, in send order.
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

        var first = Buckets.StartOf(from, Granularity.Fine) + Buckets.FineWidth;
        var last = Buckets.StartOf(to, Granularity.Fine) + Buckets.FineWidth;
        var clock = new SimulatedClock(first);
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

        for (var at = first; at <= last; at += Buckets.FineWidth)
        {
            clock.Set(at);
            await evaluator.EvaluateAsync(cancellationToken).ConfigureAwait(false);
        }

        return [.. publisher.Notifications.Select(SimulatedNotification.From)];
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
