namespace GenAiObs.Core.Alerts;

/// <summary>
/// One notification about one alert group for one receiver: every alert of the group at the
/// flush (firing ones and those resolved since the last notification).
/// </summary>
public sealed record AlertNotification
{
    /// <summary>Deterministic: <c>{groupKey}-{unix ms of the flush}</c>, so a retried send has the same id.</summary>
    public required string Id { get; init; }

    public required string Receiver { get; init; }

    public required string GroupKey { get; init; }

    public required LabelSet GroupLabels { get; init; }

    /// <summary>Firing while any alert of the group fires; resolved when all have cleared.</summary>
    public required AlertStatus Status { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset At { get; init; }

    public required IReadOnlyList<Alert> Alerts { get; init; }

    /// <summary>Alerts left out to fit a size limit (the message says so).</summary>
    public int OmittedAlerts { get; init; }

    /// <summary>A test notification sent by <c>genaiobs notify-test</c>.</summary>
    public bool IsTest { get; init; }

    public int FiringCount => Alerts.Count(a => a.Status == AlertStatus.Firing);

    public int ResolvedCount => Alerts.Count - FiringCount;

    /// <summary>The most urgent severity among the firing alerts (among all when none fires).</summary>
    public AlertSeverity Severity
    {
        get
        {
            var relevant = Alerts.Where(a => a.Status == AlertStatus.Firing).ToList();
            if (relevant.Count == 0)
            {
                relevant = [.. Alerts];
            }

            return relevant.Count == 0 ? AlertSeverity.Info : relevant.Min(a => a.Severity);
        }
    }

    /// <summary>The alertname shared by the group, or the first one's name followed by "+N" when they differ.</summary>
    public string AlertName
    {
        get
        {
            var names = Alerts.Select(a => a.AlertName).Distinct(StringComparer.Ordinal).ToList();
            if (GroupLabels.Get(AlertLabels.AlertName) is { } grouped)
            {
                return grouped;
            }

            return names.Count switch
            {
                0 => "none",
                1 => names[0],
                _ => $"{names[0]}+{names.Count - 1}",
            };
        }
    }

    /// <summary>Labels every alert of the notification shares.</summary>
    public LabelSet CommonLabels => Common(Alerts.Select(a => a.Labels));

    /// <summary>Annotations every alert of the notification shares.</summary>
    public LabelSet CommonAnnotations => Common(Alerts.Select(a => a.Annotations));

    private static LabelSet Common(IEnumerable<LabelSet> sets)
    {
        LabelSet? common = null;
        foreach (var set in sets)
        {
            common = common is null
                ? set
                : LabelSet.From(common.Where(p => string.Equals(set.Get(p.Key), p.Value, StringComparison.Ordinal)));
        }

        return common ?? LabelSet.Empty;
    }
}

/// <summary>The decision for one group at one evaluation.</summary>
public sealed record GroupPlan(string GroupId, AlertGroupState? Previous, AlertGroupState Next, AlertNotification? Notification)
{
    /// <summary>The time intervals that held back a notification due at this flush (empty when none was held back).</summary>
    public IReadOnlyList<string> MutedBy { get; init; } = [];
}

/// <summary>The planner's output: per-group decisions (sorted by group id) and the next due time.</summary>
public sealed record NotificationPlan(IReadOnlyList<GroupPlan> Groups, DateTimeOffset? NextDueAt)
{
    public IEnumerable<AlertNotification> Notifications => Groups.Where(g => g.Notification is not null).Select(g => g.Notification!);

    /// <summary>Groups whose due notification a mute or active time interval held back.</summary>
    public int Muted => Groups.Count(g => g.MutedBy.Count > 0);
}
