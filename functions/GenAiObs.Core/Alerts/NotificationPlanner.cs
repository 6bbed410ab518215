namespace GenAiObs.Core.Alerts;

/// <summary>
/// Alertmanager's grouping and notification lifecycle as a pure function of
/// (alerts firing now, persisted group states, routing, now) → (notifications, new states).
/// <list type="bullet">
/// <item>Each alert is routed; every matched route puts it in the group (receiver, group labels).</item>
/// <item>A new group flushes first <c>group_wait</c> after it was created — at once when one of
/// its alerts started more than <c>group_wait</c> ago — then every <c>group_interval</c>.</item>
/// <item>At a flush the group is notified when it has firing alerts not in the last notification,
/// alerts resolved since, all its alerts resolved (exactly one resolved notification, after
/// which the group closes), or, with nothing changed, when <c>repeat_interval</c> has passed
/// since the last notification (so, as in Alertmanager, repeats land on the first flush after it).</item>
/// <item>An alert that resolves and fires again between two flushes changes nothing (flapping
/// is absorbed); resolved alerts leave the group once a flush has covered them.</item>
/// <item>A flush that would notify while the group's route is muted by its time intervals
/// (<c>mute_time_intervals</c>, or outside its <c>active_time_intervals</c>) sends nothing and
/// records nothing as notified, as Alertmanager's time stages do at send time: the group keeps
/// flushing and notifies at the first flush after the mute ends (<see cref="GroupPlan.MutedBy"/> says why).</item>
/// </list>
/// The evaluation at <c>now</c> is the only clock tick, so a flush due between two evaluations
/// happens at the next one; <see cref="NotificationPlan.NextDueAt"/> tells the caller when the
/// earliest group is due. Planning again with the returned states and the same <c>now</c>
/// produces no notifications (idempotent); the same inputs always give the same plan.
/// </summary>
public static class NotificationPlanner
{
    public static NotificationPlan Plan(
        IReadOnlyCollection<Alert> firing,
        IReadOnlyCollection<AlertGroupState> states,
        RoutingTree routing,
        DateTimeOffset now)
    {
        var incoming = RouteAlerts(firing, routing, now);
        var byId = new Dictionary<string, AlertGroupState>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            byId[state.GroupId] = state;
        }

        var ids = new SortedSet<string>(incoming.Keys, StringComparer.Ordinal);
        foreach (var state in states)
        {
            if (!state.IsClosed)
            {
                ids.Add(state.GroupId);
            }
        }

        var plans = new List<GroupPlan>(ids.Count);
        DateTimeOffset? nextDue = null;
        foreach (var id in ids)
        {
            byId.TryGetValue(id, out var previous);
            incoming.TryGetValue(id, out var group);
            var route = group?.Route ?? FindRoute(previous!, routing);
            var plan = PlanGroup(id, previous, group, route, routing, now);
            plans.Add(plan);
            if (!plan.Next.IsClosed && (nextDue is null || plan.Next.NextFlushAt < nextDue))
            {
                nextDue = plan.Next.NextFlushAt;
            }
        }

        return new NotificationPlan(plans, nextDue);
    }

    private sealed class IncomingGroup(Route route, LabelSet groupLabels)
    {
        public Route Route { get; } = route;
        public LabelSet GroupLabels { get; } = groupLabels;
        public Dictionary<string, Alert> Alerts { get; } = new(StringComparer.Ordinal);
    }

    private static Dictionary<string, IncomingGroup> RouteAlerts(IReadOnlyCollection<Alert> firing, RoutingTree routing, DateTimeOffset now)
    {
        var groups = new Dictionary<string, IncomingGroup>(StringComparer.Ordinal);
        foreach (var alert in firing)
        {
            if (alert.EndsAt is { } endsAt && endsAt <= now)
            {
                continue;
            }

            foreach (var route in routing.Match(alert.Labels))
            {
                var groupLabels = route.GroupLabels(alert.Labels);
                var id = AlertGroupKeys.GroupId(route.Receiver, AlertGroupKeys.GroupKey(route.Receiver, groupLabels));
                if (!groups.TryGetValue(id, out var group))
                {
                    // Two routes reaching the same receiver with the same group labels share one
                    // group (one incident, one message); the first route's timings apply.
                    group = new IncomingGroup(route, groupLabels);
                    groups[id] = group;
                }

                // The same alert given twice: keep the earlier start.
                if (!group.Alerts.TryGetValue(alert.Fingerprint, out var existing) || alert.StartsAt < existing.StartsAt)
                {
                    group.Alerts[alert.Fingerprint] = alert with { EndsAt = null };
                }
            }
        }

        return groups;
    }

    /// <summary>
    /// The route of a group none of whose alerts fire now (so none was routed this time): the
    /// first route that puts one of its held alerts into this group; null when the
    /// configuration changed and no route does any more.
    /// </summary>
    private static Route? FindRoute(AlertGroupState state, RoutingTree routing)
    {
        foreach (var alert in state.Alerts)
        {
            foreach (var route in routing.Match(alert.Labels))
            {
                if (route.Receiver == state.Receiver && AlertGroupKeys.GroupKey(route.Receiver, route.GroupLabels(alert.Labels)) == state.GroupKey)
                {
                    return route;
                }
            }
        }

        return null;
    }

    private static GroupPlan PlanGroup(string id, AlertGroupState? previous, IncomingGroup? incoming, Route? mutingRoute, RoutingTree routing, DateTimeOffset now)
    {
        var open = previous is { IsClosed: false } ? previous : null;
        var route = incoming?.Route;
        var receiver = route?.Receiver ?? previous!.Receiver;
        var groupLabels = incoming?.GroupLabels ?? previous!.GroupLabels;

        var state = open ?? new AlertGroupState
        {
            Receiver = receiver,
            GroupKey = AlertGroupKeys.GroupKey(receiver, groupLabels),
            GroupLabels = groupLabels,
            GroupWait = route!.GroupWait,
            GroupInterval = route.GroupInterval,
            RepeatInterval = route.RepeatInterval,
            CreatedAt = now,
            NextFlushAt = now + route.GroupWait,
            // A closed group keeps its notification log; Alertmanager treats a log entry with
            // no firing alerts like no entry, and so do we (see NeedsUpdate).
            LastNotifiedAt = previous?.LastNotifiedAt,
            NotifiedFiring = previous?.NotifiedFiring ?? [],
            NotifiedResolved = previous?.NotifiedResolved ?? [],
        };

        if (route is not null)
        {
            // The current configuration's timings apply while alerts keep arriving.
            state = state with { GroupWait = route.GroupWait, GroupInterval = route.GroupInterval, RepeatInterval = route.RepeatInterval };
            if (!state.HasFlushed && state.NextFlushAt > state.CreatedAt + route.GroupWait)
            {
                state = state with { NextFlushAt = state.CreatedAt + route.GroupWait };
            }
        }

        var alerts = MergeAlerts(state.Alerts, incoming?.Alerts, now);
        state = state with { Alerts = alerts };

        if (!IsDue(state, now))
        {
            return new GroupPlan(id, previous, state, null);
        }

        var firingSet = alerts.Where(a => a.Status == AlertStatus.Firing).Select(a => a.Fingerprint).Order(StringComparer.Ordinal).ToList();
        var resolvedSet = alerts.Where(a => a.Status == AlertStatus.Resolved).Select(a => a.Fingerprint).Order(StringComparer.Ordinal).ToList();
        var reason = NeedsUpdate(state, firingSet, resolvedSet, now);

        AlertNotification? notification = null;
        IReadOnlyList<string> mutedBy = reason is not null && mutingRoute is not null ? routing.MutedBy(mutingRoute, now) : [];
        if (reason is not null && mutedBy.Count == 0)
        {
            notification = new AlertNotification
            {
                Id = $"{state.GroupKey}-{now.ToUnixTimeMilliseconds()}",
                Receiver = state.Receiver,
                GroupKey = state.GroupKey,
                GroupLabels = state.GroupLabels,
                Status = firingSet.Count > 0 ? AlertStatus.Firing : AlertStatus.Resolved,
                Reason = reason,
                At = now,
                Alerts = alerts,
            };
            state = state with { LastNotifiedAt = now, NotifiedFiring = firingSet, NotifiedResolved = resolvedSet };
        }

        // The flush covered the resolved alerts (notified or not worth notifying): they leave the group.
        var remaining = alerts.Where(a => a.Status == AlertStatus.Firing).ToList();
        state = state with
        {
            Alerts = remaining,
            HasFlushed = remaining.Count > 0,
            NextFlushAt = now + state.GroupInterval,
        };

        return new GroupPlan(id, previous, state, notification) { MutedBy = mutedBy };
    }

    private static List<Alert> MergeAlerts(IReadOnlyList<Alert> held, Dictionary<string, Alert>? incoming, DateTimeOffset now)
    {
        var merged = new Dictionary<string, Alert>(StringComparer.Ordinal);
        foreach (var alert in held)
        {
            if (incoming is not null && incoming.TryGetValue(alert.Fingerprint, out var current))
            {
                // Still (or again) firing: keep the original start while it has fired throughout,
                // and take the latest annotations (the numbers in the text move).
                merged[alert.Fingerprint] = alert.Status == AlertStatus.Firing
                    ? current with { StartsAt = alert.StartsAt < current.StartsAt ? alert.StartsAt : current.StartsAt }
                    : current;
            }
            else
            {
                merged[alert.Fingerprint] = alert.Status == AlertStatus.Firing ? alert with { EndsAt = now } : alert;
            }
        }

        if (incoming is not null)
        {
            foreach (var (fingerprint, alert) in incoming)
            {
                merged.TryAdd(fingerprint, alert);
            }
        }

        // Firing first, then by labels: a stable order for messages and for persisted state.
        return [.. merged.Values
            .OrderBy(a => a.Status)
            .ThenBy(a => a.Labels.ToString(), StringComparer.Ordinal)];
    }

    private static bool IsDue(AlertGroupState state, DateTimeOffset now)
    {
        if (now >= state.NextFlushAt)
        {
            return true;
        }

        // Alertmanager flushes a group that has not flushed yet at once when one of its alerts
        // started more than group_wait ago: the wait has already been served.
        return !state.HasFlushed
            && state.Alerts.Any(a => a.Status == AlertStatus.Firing && a.StartsAt + state.GroupWait < now);
    }

    /// <summary>Alertmanager's DedupStage.needsUpdate with send_resolved on; null means do not notify.</summary>
    private static string? NeedsUpdate(AlertGroupState state, List<string> firing, List<string> resolved, DateTimeOffset now)
    {
        if (state.LastNotifiedAt is not { } lastNotifiedAt)
        {
            return firing.Count > 0 ? NotifyReasons.FirstNotification : null;
        }

        if (!IsSubset(firing, state.NotifiedFiring))
        {
            return state.NotifiedFiring.Count == 0 ? NotifyReasons.FirstNotification : NotifyReasons.NewAlertsInGroup;
        }

        if (firing.Count == 0)
        {
            // Alerts that fired and resolved between two flushes were never told to the
            // receiver, so there is nothing to resolve for it.
            return state.NotifiedFiring.Count > 0 ? NotifyReasons.AllAlertsResolved : null;
        }

        if (!IsSubset(resolved, state.NotifiedResolved))
        {
            return NotifyReasons.NewResolvedAlerts;
        }

        return lastNotifiedAt < now - state.RepeatInterval ? NotifyReasons.RepeatIntervalElapsed : null;
    }

    private static bool IsSubset(List<string> items, IReadOnlyList<string> of)
    {
        if (items.Count == 0)
        {
            return true;
        }

        var set = new HashSet<string>(of, StringComparer.Ordinal);
        return items.All(set.Contains);
    }
}
