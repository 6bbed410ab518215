using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// One scheduled evaluation: bring rollups and baselines up to date (the store's maintenance),
/// evaluate the rules against the aggregates at <c>now</c>, then hand the alerts to the
/// Alertmanager-style dispatcher (group wait, group interval, repeat, resolve; claim before
/// publish, confirm after) and the one-shot notices (budget, digest, weekly report) to the
/// once-only path. The rules are the pure part; this class only wires the ports together.
/// </summary>
public sealed class AlertEvaluator
{
    private readonly IAggregateStore _store;
    private readonly AggregateStoreReader _reader;
    private readonly RuleEvaluator _rules;
    private readonly RoutingTree _routing;
    private readonly IAlertStateStore _states;
    private readonly IAlertPublisher _publisher;
    private readonly AlertDispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly EvaluatorOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly AggregateMaintenance _maintenance;
    private readonly Func<IAggregateStore, IAggregateStore>? _readView;

    /// <param name="store">The aggregates.</param>
    /// <param name="rules">The rules with their settings.</param>
    /// <param name="routing">The routing tree.</param>
    /// <param name="states">Alert-group and one-shot state (conditional writes).</param>
    /// <param name="publisher">Where notifications go.</param>
    /// <param name="time">The clock (in replay, a simulated clock that waits by advancing).</param>
    /// <param name="options">Tunables.</param>
    /// <param name="delay">How to wait for a follow-up; defaults to a timer on <paramref name="time"/>. Replay advances its clock instead.</param>
    /// <param name="retention">Retention the store's rollups respect.</param>
    /// <param name="baselines">Baseline maths settings.</param>
    /// <param name="readView">
    /// What the rules read, made fresh for each run from the store (after its maintenance): deferred
    /// writes read through the deltas not rolled up yet (<see cref="PendingDeltaAggregateReader"/>);
    /// null reads the store itself.
    /// </param>
    public AlertEvaluator(
        IAggregateStore store,
        RuleEvaluator rules,
        RoutingTree routing,
        IAlertStateStore states,
        IAlertPublisher publisher,
        TimeProvider time,
        EvaluatorOptions? options = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        AggregateRetention? retention = null,
        BaselineSettings? baselines = null,
        Func<IAggregateStore, IAggregateStore>? readView = null)
    {
        _store = store;
        _reader = new AggregateStoreReader(store);
        _rules = rules;
        _routing = routing;
        _states = states;
        _publisher = publisher;
        _time = time;
        _options = options ?? new EvaluatorOptions();
        _dispatcher = new AlertDispatcher(states, publisher, _options.Dispatcher, time);
        _delay = delay ?? ((wait, cancellationToken) => Task.Delay(wait, time, cancellationToken));
        _readView = readView;

        // One maintenance for every run: it remembers which rollups are current (see IAggregateVersions).
        _maintenance = new AggregateMaintenance(store, time, retention ?? AggregateRetention.Default, baselines ?? BaselineSettings.Default, _options.Maintenance);
    }

    public async Task<EvaluationResult> EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var maintained = await _maintenance.MaintainAsync(_options.LateHours, cancellationToken).ConfigureAwait(false);

        // Hours still marked have no current rollup: the reader takes them from the finer items.
        var reader = _readView is null ? _reader.After(maintained.MarkedHours) : new AggregateStoreReader(_readView(_store), maintained.MarkedHours);
        var alerts = await _rules.EvaluateAsync(reader, now, cancellationToken).ConfigureAwait(false);
        var regular = alerts.Where(alert => !alert.OneShot).Select(alert => alert.ToAlert(now)).ToList();
        var oneShots = alerts.Where(alert => alert.OneShot).Select(alert => alert.ToAlert(now)).ToList();

        var sent = new List<(AlertNotification, PublishReceipt)>();
        var failed = new List<DispatchFailure>();
        var conflicts = 0;
        var muted = 0;
        var unreleased = 0;

        var dispatch = await _dispatcher.DispatchAsync(regular, _routing, now, cancellationToken).ConfigureAwait(false);
        Collect(dispatch);
        Collect(await DispatchOneShotsAsync(oneShots, now, cancellationToken).ConfigureAwait(false));

        if (_options.FollowUpWithin > TimeSpan.Zero && dispatch.NextDueAt is { } due && due > now && due - now <= _options.FollowUpWithin)
        {
            // The same alerts, flushed when their group_wait has passed (the rules are not
            // re-evaluated: their windows end on the same 5-minute boundary).
            await _delay(due - now, cancellationToken).ConfigureAwait(false);
            var later = _time.GetUtcNow();
            Collect(await _dispatcher.DispatchAsync(regular, _routing, later, cancellationToken).ConfigureAwait(false));
        }

        return new EvaluationResult(now, alerts, sent, failed, conflicts) { Muted = muted, Unreleased = unreleased };

        void Collect(DispatchResult result)
        {
            sent.AddRange(result.Sent);
            failed.AddRange(result.Failed);
            conflicts += result.Conflicts;
            muted += result.Muted;
            unreleased += result.Unreleased;
        }
    }

    /// <summary>Claims, publishes and confirms each one-shot notice not yet sent (or being sent by another run).</summary>
    private async Task<DispatchResult> DispatchOneShotsAsync(IReadOnlyCollection<Alert> oneShots, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sent = new List<(AlertNotification, PublishReceipt)>();
        var failed = new List<DispatchFailure>();
        if (oneShots.Count == 0)
        {
            return new DispatchResult(sent, failed, 0, 0, null);
        }

        var stored = (await _states.LoadAsync(cancellationToken).ConfigureAwait(false))
            .Where(group => OneShotPlanner.IsOneShotGroup(group.GroupId))
            .ToDictionary(group => group.GroupId, StringComparer.Ordinal);
        var loadedAt = AlertDispatcher.ClockAtLeast(_time, now);
        var handled = stored.Values
            .Where(group => group.State is not null || group.Pending is { } pending && pending.LeaseUntil > loadedAt)
            .Select(group => group.GroupId)
            .ToHashSet(StringComparer.Ordinal);

        var conflicts = 0;
        var unreleased = 0;
        var expiresAt = now + _options.OneShotRetention;
        foreach (var plan in OneShotPlanner.Plan(oneShots, handled, _routing, now))
        {
            var version = stored.TryGetValue(plan.GroupId, out var current) ? current.Version : 0;
            var notification = plan.Notification;
            var claimed = await _states.TryClaimAsync(plan.GroupId, version, new PendingNotification(notification.Id, AlertDispatcher.ClockAtLeast(_time, now) + _options.Dispatcher.ClaimLease), expiresAt, cancellationToken).ConfigureAwait(false);
            if (claimed is not { } claimedVersion)
            {
                conflicts++;
                continue;
            }

            PublishReceipt receipt;
            try
            {
                receipt = await _publisher.PublishAsync(notification, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed.Add(new DispatchFailure(notification.Id, notification.Receiver, ex.GetType().Name));
                if (!await AlertDispatcher.ReleaseBestEffortAsync(_states, plan.GroupId, claimedVersion, notification.Id).ConfigureAwait(false))
                {
                    unreleased++;
                }

                continue;
            }

            if (!await _states.TryConfirmAsync(plan.GroupId, claimedVersion, notification.Id, plan.State, expiresAt, cancellationToken).ConfigureAwait(false))
            {
                conflicts++;
            }

            sent.Add((notification, receipt));
        }

        return new DispatchResult(sent, failed, conflicts, 0, null) { Unreleased = unreleased };
    }
}
