using System.Collections.Concurrent;

namespace GenAiObs.Functions.Notifier;

/// <summary>
/// <see cref="IResolveLedger"/> for one sandbox's life. Lambda routes an SNS event's retries and
/// redrives to any sandbox, so this protects within a warm sandbox; across sandboxes the age
/// bound (<see cref="NotifierSettings.MaxNotificationAge"/>) is the guard. Bounded: the oldest
/// entries are dropped beyond <see cref="MaxEntries"/>.
/// </summary>
public sealed class InMemoryResolveLedger : IResolveLedger
{
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _resolved = new(StringComparer.Ordinal);

    public Task<DateTimeOffset?> LastResolvedAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_resolved.TryGetValue(key, out var at) ? at : (DateTimeOffset?)null);

    public Task RecordResolvedAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _resolved.AddOrUpdate(key, at, (_, existing) => at > existing ? at : existing);
        if (_resolved.Count > MaxEntries)
        {
            foreach (var oldest in _resolved.OrderBy(p => p.Value).Take(_resolved.Count - MaxEntries).ToList())
            {
                _resolved.TryRemove(oldest);
            }
        }

        return Task.CompletedTask;
    }
}
