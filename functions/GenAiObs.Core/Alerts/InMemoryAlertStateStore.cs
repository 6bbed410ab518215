namespace GenAiObs.Core.Alerts;

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
