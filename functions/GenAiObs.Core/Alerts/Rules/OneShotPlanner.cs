namespace GenAiObs.Core.Alerts.Rules;

/// <summary>A one-shot notice to send now, with the state that records it as sent.</summary>
/// <param name="GroupId">The state-store id recording it (<c>oneshot:&lt;receiver&gt;#&lt;alert fingerprint&gt;</c>).</param>
/// <param name="Notification">The notification (status firing, one alert).</param>
/// <param name="State">A closed group state whose notification log names the alert: stored on confirm, never planned again.</param>
public sealed record OneShotPlan(string GroupId, AlertNotification Notification, AlertGroupState State);

/// <summary>
/// The lifecycle of one-shot notices (budget thresholds, the daily digest, the weekly report).
/// Their rules keep raising them for the rest of their period, with the period in the labels;
/// each (receiver, alert) is notified exactly once, at the first evaluation that sees it: no
/// group wait (they are reports, not incidents), no repeat, no resolved notification. What has
/// been sent is kept in the alert-state store under ids that never collide with a group's
/// (<c>receiver#groupKey</c>), stored as closed groups so the Alertmanager planner ignores them.
/// A route muted by its time intervals at <c>now</c> sends nothing; as the rule keeps raising
/// the notice, it goes out at the first evaluation after the mute ends.
/// </summary>
public static class OneShotPlanner
{
    public const string GroupIdPrefix = "oneshot:";

    public static string GroupIdOf(string receiver, Alert alert) => GroupIdPrefix + receiver + "#" + alert.Fingerprint;

    public static bool IsOneShotGroup(string groupId) => groupId.StartsWith(GroupIdPrefix, StringComparison.Ordinal);

    /// <summary>The notices still to send: every routed (receiver, alert) whose id is not in <paramref name="handled"/> (sent, or claimed by a live evaluator).</summary>
    public static IReadOnlyList<OneShotPlan> Plan(IReadOnlyCollection<Alert> alerts, IReadOnlySet<string> handled, RoutingTree routing, DateTimeOffset now)
    {
        var plans = new SortedDictionary<string, OneShotPlan>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            foreach (var route in routing.Match(alert.Labels))
            {
                var id = GroupIdOf(route.Receiver, alert);
                if (handled.Contains(id) || plans.ContainsKey(id) || routing.MutedBy(route, now).Count > 0)
                {
                    continue;
                }

                var groupLabels = route.GroupLabels(alert.Labels);
                var groupKey = AlertGroupKeys.GroupKey(route.Receiver, groupLabels);
                var notification = new AlertNotification
                {
                    // Stable across retries: the same notice always has the same id.
                    Id = $"{groupKey}-{alert.Fingerprint}",
                    Receiver = route.Receiver,
                    GroupKey = groupKey,
                    GroupLabels = groupLabels,
                    Status = AlertStatus.Firing,
                    Reason = NotifyReasons.FirstNotification,
                    At = now,
                    Alerts = [alert],
                };
                var state = new AlertGroupState
                {
                    Receiver = route.Receiver,
                    GroupKey = groupKey,
                    GroupLabels = groupLabels,
                    GroupWait = route.GroupWait,
                    GroupInterval = route.GroupInterval,
                    RepeatInterval = route.RepeatInterval,
                    CreatedAt = now,
                    NextFlushAt = now,
                    Alerts = [],
                    LastNotifiedAt = now,
                    NotifiedFiring = [alert.Fingerprint],
                };
                plans[id] = new OneShotPlan(id, notification, state);
            }
        }

        return [.. plans.Values];
    }
}
