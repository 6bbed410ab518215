namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The aggregate store held in memory: the CLI's default and the reference the DynamoDB store
/// is tested against (same contract suite). Thread-safe; exactly-once per (batch id, item) like
/// the DynamoDB store. Items carry their TTL but are not evicted (replayed logs are often older
/// than any retention). Every write stamps its bucket with a new version
/// (<see cref="IAggregateVersions"/>), so maintenance skips rollups whose inputs are unchanged.
/// Counters are held packed (<see cref="PackedCounters"/>) and unpacked into a new
/// <see cref="AggregateCounters"/> on every read.
/// </summary>
public sealed class InMemoryAggregateStore : IAggregateStore, IAggregateVersions, IAggregateSums
{
    private readonly object _gate = new();
    private readonly AggregateRetention _retention;
    private readonly Dictionary<(Granularity Granularity, DateTimeOffset Bucket), BucketItems> _buckets = [];
    private readonly Dictionary<(DateOnly Day, string Key), Baseline> _baselines = [];
    private readonly Dictionary<string, DateTimeOffset> _watermarks = new(StringComparer.Ordinal);
    private readonly SortedDictionary<DateTimeOffset, long> _marks = [];
    private readonly PackedCounters _packed = new();
    private long _version;

    public InMemoryAggregateStore(AggregateRetention? retention = null)
    {
        _retention = retention ?? AggregateRetention.Default;
    }

    /// <summary>In memory a window is applied as a batch: its per-item markers already make it exactly-once.</summary>
    public Task<ApplyResult> ApplyWindowAsync(DateTimeOffset window, AggregateBatch merged, CancellationToken cancellationToken = default) =>
        ApplyBatchAsync(merged, cancellationToken);

    public Task<ApplyResult> ApplyBatchAsync(AggregateBatch batch, CancellationToken cancellationToken = default)
    {
        int applied = 0, skipped = 0;
        lock (_gate)
        {
            foreach (var delta in batch.Deltas)
            {
                var items = BucketOf(Granularity.Fine, delta.BucketStart);
                if (!items.TryGetValue(delta.Key, out var entry))
                {
                    entry = new Entry(PackedCounters.Empty, _retention.ExpiresAt(Granularity.Fine, delta.BucketStart, delta.Key));
                    items[delta.Key] = entry;
                }

                if (entry.AddBatch(batch.BatchId))
                {
                    entry.Counters = _packed.Merge(entry.Counters, delta.Counters);
                    items.Version = ++_version;
                    applied++;
                }
                else
                {
                    skipped++;
                }
            }

            foreach (var hour in batch.Hours)
            {
                _marks[hour] = _marks.GetValueOrDefault(hour) + 1;
            }
        }

        return Task.FromResult(new ApplyResult(applied, skipped, batch.Deltas.Count));
    }

    public Task<IReadOnlyList<AggregateItem>> GetSeriesAsync(string key, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var series = new List<AggregateItem>();
        lock (_gate)
        {
            foreach (var start in Buckets.StartsIn(from, to, granularity))
            {
                if (_buckets.TryGetValue((granularity, start), out var items) && items.TryGetValue(key, out var entry))
                {
                    series.Add(new AggregateItem(granularity, start, key, _packed.Unpack(entry.Counters), entry.ExpiresAt));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<AggregateItem>>(series);
    }

    public Task<IReadOnlyList<AggregateItem>> GetItemsAsync(string keyPrefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var found = new List<AggregateItem>();
        lock (_gate)
        {
            foreach (var start in Buckets.StartsIn(from, to, granularity))
            {
                if (!_buckets.TryGetValue((granularity, start), out var items))
                {
                    continue;
                }

                foreach (var (key, entry) in items.WithPrefix(keyPrefix))
                {
                    found.Add(new AggregateItem(granularity, start, key, _packed.Unpack(entry.Counters), entry.ExpiresAt));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<AggregateItem>>(found);
    }

    void IAggregateSums.AddSums(Dictionary<string, AggregateCounters> sums, string keyOrPrefix, bool prefix, Granularity granularity, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            foreach (var start in Buckets.StartsIn(from, to, granularity))
            {
                if (!_buckets.TryGetValue((granularity, start), out var items))
                {
                    continue;
                }

                if (!prefix)
                {
                    if (items.TryGetValue(keyOrPrefix, out var entry))
                    {
                        Add(keyOrPrefix, entry);
                    }

                    continue;
                }

                foreach (var (key, entry) in items.WithPrefix(keyOrPrefix))
                {
                    Add(key, entry);
                }
            }
        }

        void Add(string key, Entry entry)
        {
            if (sums.TryGetValue(key, out var sum))
            {
                _packed.AddTo(entry.Counters, sum);
            }
            else
            {
                sums[key] = _packed.Unpack(entry.Counters);
            }
        }
    }

    public Task<int> PutRollupAsync(Granularity granularity, DateTimeOffset bucketStart, IReadOnlyDictionary<string, AggregateCounters> items, CancellationToken cancellationToken = default)
    {
        if (granularity == Granularity.Fine)
        {
            throw new ArgumentOutOfRangeException(nameof(granularity), "Fine items are written by ApplyBatchAsync only.");
        }

        var start = Buckets.StartOf(bucketStart, granularity);
        var changed = 0;
        lock (_gate)
        {
            var bucket = BucketOf(granularity, start);
            foreach (var (key, counters) in items)
            {
                if (bucket.TryGetValue(key, out var existing) && _packed.Unpack(existing.Counters).ContentEquals(counters))
                {
                    continue;
                }

                bucket[key] = new Entry(_packed.Merge(PackedCounters.Empty, counters), _retention.ExpiresAt(granularity, start, key));
                changed++;
            }

            foreach (var stale in bucket.Keys.Where(key => !items.ContainsKey(key)).ToList())
            {
                bucket.Remove(stale);
                changed++;
            }

            if (changed > 0)
            {
                bucket.Version = ++_version;
            }
        }

        return Task.FromResult(changed);
    }

    public long VersionOf(Granularity granularity, DateTimeOffset from, DateTimeOffset to)
    {
        long version = 0;
        lock (_gate)
        {
            foreach (var start in Buckets.StartsIn(from, to, granularity))
            {
                if (_buckets.TryGetValue((granularity, start), out var items) && items.Version > version)
                {
                    version = items.Version;
                }
            }
        }

        // Every write takes a version above all earlier ones, so the largest in the range changes
        // whenever any bucket of it does (buckets are never removed, only their items).
        return version;
    }

    public Task<Baseline?> GetBaselineAsync(string key, DateOnly day, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_baselines.TryGetValue((day, key), out var baseline) ? baseline : null);
        }
    }

    public Task PutBaselinesAsync(IReadOnlyList<Baseline> baselines, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var baseline in baselines)
            {
                _baselines[(baseline.Day, baseline.Key)] = baseline;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<HourMark>> GetMarkedHoursAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<HourMark>>([.. _marks.Select(pair => new HourMark(pair.Key, pair.Value))]);
        }
    }

    public Task<bool> ClearHourMarkAsync(HourMark mark, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_marks.TryGetValue(mark.Hour, out var version) && version == mark.Version && _marks.Remove(mark.Hour));
        }
    }

    public Task<DateTimeOffset?> GetWatermarkAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<DateTimeOffset?>(_watermarks.TryGetValue(name, out var hour) ? hour : null);
        }
    }

    public Task<bool> AdvanceWatermarkAsync(string name, DateTimeOffset hour, CancellationToken cancellationToken = default)
    {
        var start = Buckets.StartOf(hour, Granularity.Hourly);
        lock (_gate)
        {
            if (_watermarks.TryGetValue(name, out var current) && current >= start)
            {
                return Task.FromResult(false);
            }

            _watermarks[name] = start;
            return Task.FromResult(true);
        }
    }

    private BucketItems BucketOf(Granularity granularity, DateTimeOffset start)
    {
        if (!_buckets.TryGetValue((granularity, start), out var items))
        {
            items = new BucketItems();
            _buckets[(granularity, start)] = items;
        }

        return items;
    }

    /// <summary>
    /// One bucket's items by key, with the keys also kept in ordinal order so a prefix query reads
    /// only its own keys. The rules ask for one dimension at a time (<c>model#</c>, <c>session#</c>):
    /// scanning every key of a bucket made each query cost as much as every dimension's values
    /// together (tests/GenAiObs.Benchmarks/RESULTS.md, section 9).
    /// </summary>
    private sealed class BucketItems
    {
        private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);

        public IEnumerable<string> Keys => _keys;

        /// <summary>The store's version at this bucket's last write (0: never written).</summary>
        public long Version { get; set; }

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Entry entry) => _entries.TryGetValue(key, out entry);

        public Entry this[string key]
        {
            set
            {
                _entries[key] = value;
                _keys.Add(key);
            }
        }

        public bool Remove(string key) => _entries.Remove(key) && _keys.Remove(key);

        /// <summary>The items whose keys start with <paramref name="prefix"/>, in ordinal key order ("" for all).</summary>
        public IEnumerable<(string Key, Entry Entry)> WithPrefix(string prefix)
        {
            if (_keys.Count == 0 || string.CompareOrdinal(prefix, _keys.Max) > 0)
            {
                yield break;
            }

            foreach (var key in prefix.Length == 0 ? _keys : _keys.GetViewBetween(prefix, _keys.Max!))
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield break;
                }

                yield return (key, _entries[key]);
            }
        }
    }

    private sealed class Entry(byte[] counters, long expiresAt)
    {
        // Most items are written by one or two batches: the first id is kept inline and a set is
        // made only for more (a set per item was ~2 MB per replayed day of the end-to-end corpus).
        private string? _firstBatch;
        private HashSet<string>? _laterBatches;

        /// <summary>The item's counters in <see cref="PackedCounters"/>' form.</summary>
        public byte[] Counters { get; set; } = counters;
        public long ExpiresAt { get; } = expiresAt;

        /// <summary>Records that <paramref name="batchId"/> was applied to this item; false when it already was.</summary>
        public bool AddBatch(string batchId)
        {
            if (_firstBatch is null)
            {
                _firstBatch = batchId;
                return true;
            }

            if (string.Equals(_firstBatch, batchId, StringComparison.Ordinal))
            {
                return false;
            }

            _laterBatches ??= new HashSet<string>(StringComparer.Ordinal);
            return _laterBatches.Add(batchId);
        }
    }
}
