namespace GenAiObs.Core.Quality;

/// <summary>The join index in memory (<c>replay</c> and tests), with the same per-delivery idempotence as the DynamoDB one.</summary>
public sealed class InMemoryRequestIndex : IRequestIndex
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public Task PutAsync(string batchId, IReadOnlyList<IndexedRequest> entries, CancellationToken cancellationToken = default)
    {
        foreach (var entry in entries)
        {
            if (!_entries.TryGetValue(entry.Id, out var existing))
            {
                existing = new Entry(entry);
                _entries[entry.Id] = existing;
            }

            // A tag the entry has is kept and a tag it lacks is filled in by any later write that
            // carries it, as the DynamoDB index's if_not_exists does, whatever the writes' times.
            existing.CostByBatch[batchId] = entry.CostMicros;
            existing.Latest = existing.Latest with
            {
                At = entry.At > existing.Latest.At ? entry.At : existing.Latest.At,
                Feature = existing.Latest.Feature ?? entry.Feature,
                Variant = existing.Latest.Variant ?? entry.Variant,
            };
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, IndexedRequest>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, IndexedRequest>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (_entries.TryGetValue(id, out var entry))
            {
                found[id] = entry.Latest with { CostMicros = entry.CostByBatch.Values.Sum() };
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, IndexedRequest>>(found);
    }

    private sealed class Entry(IndexedRequest first)
    {
        public IndexedRequest Latest { get; set; } = first;

        public Dictionary<string, long> CostByBatch { get; } = new(StringComparer.Ordinal);
    }
}
