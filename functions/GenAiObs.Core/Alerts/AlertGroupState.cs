namespace GenAiObs.Core.Alerts;

/// <summary>
/// The persisted state of one alert group (one receiver + one set of group labels): the
/// alerts it holds (firing, and resolved ones not yet notified), its flush timer, and the
/// notification log entry Alertmanager keeps per group (what was last notified, and when).
/// A group with no alerts is closed; the next alert for it opens a fresh group.
/// </summary>
public sealed record AlertGroupState
{
    public required string Receiver { get; init; }

    /// <summary>The group fingerprint (see <see cref="AlertGroupKeys.GroupKey"/>); also PagerDuty's dedup_key.</summary>
    public required string GroupKey { get; init; }

    public required LabelSet GroupLabels { get; init; }

    public required TimeSpan GroupWait { get; init; }

    public required TimeSpan GroupInterval { get; init; }

    public required TimeSpan RepeatInterval { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>False until the first flush (the one that waits <c>group_wait</c>).</summary>
    public bool HasFlushed { get; init; }

    /// <summary>When the group is next due for a flush.</summary>
    public required DateTimeOffset NextFlushAt { get; init; }

    public IReadOnlyList<Alert> Alerts { get; init; } = [];

    /// <summary>When a notification about this group was last accepted; null if never.</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>Fingerprints of the alerts that were firing in the last notification (sorted).</summary>
    public IReadOnlyList<string> NotifiedFiring { get; init; } = [];

    /// <summary>Fingerprints of the alerts that were resolved in the last notification (sorted).</summary>
    public IReadOnlyList<string> NotifiedResolved { get; init; } = [];

    public string GroupId => AlertGroupKeys.GroupId(Receiver, GroupKey);

    public bool IsClosed => Alerts.Count == 0;
}
