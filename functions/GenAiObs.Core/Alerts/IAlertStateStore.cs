namespace GenAiObs.Core.Alerts;

/// <summary>A claimed notification: being published by one evaluator until <see cref="LeaseUntil"/>.</summary>
public sealed record PendingNotification(string NotificationId, DateTimeOffset LeaseUntil);

/// <summary>A stored group: its version (0 = not stored), its confirmed state and any claim on it.</summary>
public sealed record StoredAlertGroup(string GroupId, long Version, AlertGroupState? State, PendingNotification? Pending);

/// <summary>
/// Persistence of alert-group state with optimistic concurrency. Every write names the version
/// it read (0 = the group must not exist yet) and fails — returns false/null — when another
/// evaluator wrote in between, so two evaluators never both send the same notification.
/// Protocol for a notification: <see cref="TryClaimAsync"/> (a lease, state unchanged) →
/// publish → <see cref="TryConfirmAsync"/> (new state, claim removed) or, when the publish
/// failed, <see cref="TryReleaseAsync"/> so the next evaluation plans it again. A claim whose
/// holder died expires with its lease.
/// </summary>
public interface IAlertStateStore
{
    Task<IReadOnlyList<StoredAlertGroup>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Writes a state (no notification involved) and clears any expired claim.</summary>
    Task<bool> TrySaveAsync(string groupId, long expectedVersion, AlertGroupState state, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Claims the right to publish; returns the version the claim wrote, or null when someone else got there first.</summary>
    Task<long?> TryClaimAsync(string groupId, long expectedVersion, PendingNotification pending, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Records the notification as sent: the planned state replaces the stored one and the claim goes.</summary>
    Task<bool> TryConfirmAsync(string groupId, long claimedVersion, string notificationId, AlertGroupState state, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Gives a claim back after a failed publish; the stored state is untouched.</summary>
    Task<bool> TryReleaseAsync(string groupId, long claimedVersion, string notificationId, CancellationToken cancellationToken);
}
