using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Alerts;

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

/// <summary>In-memory <see cref="IAlertStateStore"/> with the same conditional semantics (CLI replay, tests).</summary>
public sealed class InMemoryAlertStateStore : IAlertStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Version, string? StateJson, PendingNotification? Pending, DateTimeOffset ExpiresAt)> _items = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<StoredAlertGroup>> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // States are kept serialized so a caller can never mutate what is stored.
            IReadOnlyList<StoredAlertGroup> groups = [.. _items
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new StoredAlertGroup(p.Key, p.Value.Version, p.Value.StateJson is null ? null : AlertJson.DeserializeState(p.Value.StateJson), p.Value.Pending))];
            return Task.FromResult(groups);
        }
    }

    public Task<bool> TrySaveAsync(string groupId, long expectedVersion, AlertGroupState state, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (CurrentVersion(groupId) != expectedVersion)
            {
                return Task.FromResult(false);
            }

            _items[groupId] = (expectedVersion + 1, AlertJson.SerializeState(state), null, expiresAt);
            return Task.FromResult(true);
        }
    }

    public Task<long?> TryClaimAsync(string groupId, long expectedVersion, PendingNotification pending, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (CurrentVersion(groupId) != expectedVersion)
            {
                return Task.FromResult<long?>(null);
            }

            var stateJson = _items.TryGetValue(groupId, out var item) ? item.StateJson : null;
            _items[groupId] = (expectedVersion + 1, stateJson, pending, expiresAt);
            return Task.FromResult<long?>(expectedVersion + 1);
        }
    }

    public Task<bool> TryConfirmAsync(string groupId, long claimedVersion, string notificationId, AlertGroupState state, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(groupId, out var item) || item.Version != claimedVersion || item.Pending?.NotificationId != notificationId)
            {
                return Task.FromResult(false);
            }

            _items[groupId] = (claimedVersion + 1, AlertJson.SerializeState(state), null, expiresAt);
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryReleaseAsync(string groupId, long claimedVersion, string notificationId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(groupId, out var item) || item.Version != claimedVersion || item.Pending?.NotificationId != notificationId)
            {
                return Task.FromResult(false);
            }

            _items[groupId] = (claimedVersion + 1, item.StateJson, null, item.ExpiresAt);
            return Task.FromResult(true);
        }
    }

    private long CurrentVersion(string groupId) => _items.TryGetValue(groupId, out var item) ? item.Version : 0;
}
