using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Turns a batch's priced records into coalesced deltas: every record adds its counters to the
/// fine bucket of its event time under each of its dimension keys, and all additions to the same
/// (bucket, key) become one delta — one write per distinct pair, however many records.
/// </summary>
public static class AggregateBuilder
{
    /// <summary>Longest dimension value kept in a key (DynamoDB sort keys are ≤ 1,024 UTF-8 bytes: 200 chars × 4 bytes + prefix fits).</summary>
    public const int MaxKeyValueLength = 200;

    /// <summary>
    /// The deltas of one processed delivery (its <see cref="BatchResult.BatchId"/> makes applying them
    /// exactly-once), with the capped dimensions folded per bucket to their top values by cost
    /// (<paramref name="limits"/>, default <see cref="CardinalityLimits.Default"/>).
    /// </summary>
    public static AggregateBatch Build(BatchResult result, CardinalityLimits? limits = null) => Build(result.BatchId, result.Invocations, result.Spans, limits, result.Origin);

    /// <param name="batchId">The id that makes applying the batch exactly-once.</param>
    /// <param name="invocations">Priced invocation records.</param>
    /// <param name="spans">Priced spans.</param>
    /// <param name="limits">Top values kept per capped dimension.</param>
    /// <param name="origin">
    /// The source of a delivery that came through a central stream: every record is then also counted
    /// under <c>account#</c> and <c>region#</c> (the payload owner and the stream record's region,
    /// else the invocation record's own <c>accountId</c>/<c>region</c>); null adds neither.
    /// </param>
    public static AggregateBatch Build(string batchId, IEnumerable<PricedInvocation> invocations, IEnumerable<PricedSpan> spans, CardinalityLimits? limits = null, DeliveryOrigin? origin = null)
    {
        var invocationList = invocations as IReadOnlyList<PricedInvocation> ?? [.. invocations];
        var spanList = spans as IReadOnlyList<PricedSpan> ?? [.. spans];

        // Counters accumulate in fixed slots (one per counter name of the batch) and keys are small
        // integers: a record's additions are array adds, not dictionary updates. Each (bucket, key)
        // becomes one AggregateCounters at the end, its counters in first-added order. Measured
        // (slots, key ids and the last-pair shortcut together): aggregate stage 1.45 → 1.1 µs per
        // Converse record, 1.54 → 1.0 µs per span (tests/GenAiObs.Benchmarks/RESULTS.md, "Second pass").
        var names = new NameCache();
        var folded = FoldedKeys(invocationList, spanList, origin, names, limits ?? CardinalityLimits.Default);
        var deltas = new Dictionary<(DateTimeOffset Bucket, int Key), Accumulator>();
        var lastBucket = DateTimeOffset.MinValue;
        var lastKey = -1;
        Accumulator? last = null;

        Accumulator At(DateTimeOffset bucket, int key)
        {
            if (folded is not null && folded.TryGetValue((bucket, key), out var other))
            {
                key = other;
            }

            if (last is not null && key == lastKey && bucket == lastBucket)
            {
                return last;
            }

            if (!deltas.TryGetValue((bucket, key), out var accumulator))
            {
                accumulator = new Accumulator();
                deltas[(bucket, key)] = accumulator;
            }

            (lastBucket, lastKey, last) = (bucket, key, accumulator);
            return accumulator;
        }

        // Keys and counter names repeat from record to record: built once per batch, not per record
        // (measured with the contribution below: 1.4 KB → 0.6 KB allocated per record, RESULTS.md).
        var keys = new List<int>(8);
        var contribution = new List<(int Slot, long Value)>(16);
        foreach (var invocation in invocationList)
        {
            var bucket = Buckets.StartOf(invocation.Record.Timestamp, Granularity.Fine);
            InvocationKeys(invocation.Record, origin, keys, names);

            // What the record adds is the same under each of its keys: worked out once.
            InvocationContribution(invocation, names, contribution);
            foreach (var key in keys)
            {
                var counters = At(bucket, key);
                foreach (var (slot, value) in contribution)
                {
                    counters.Add(slot, value);
                }
            }
        }

        var spanKeys = new List<(int Key, bool WithHistogram)>(8);
        foreach (var priced in spanList)
        {
            var span = priced.Span;
            var bucket = Buckets.StartOf(span.End, Granularity.Fine);
            SpanKeys(span, origin, spanKeys, names);
            foreach (var (key, withHistogram) in spanKeys)
            {
                AddSpan(At(bucket, key), priced, withHistogram, names);
            }

            var trace = At(bucket, names.Key(AggregateKeys.TracePrefix, span.TraceId));
            trace.Add(NameCache.SpansSlot, 1);
            trace.Add(NameCache.SpanErrorsSlot, span.IsError ? 1 : 0);
        }

        var ordered = new List<AggregateDelta>(deltas.Count);
        foreach (var ((bucket, key), accumulator) in deltas)
        {
            if (!accumulator.IsEmpty)
            {
                ordered.Add(new AggregateDelta(bucket, names.KeyName(key), accumulator.ToCounters(names)));
            }
        }

        ordered.Sort(static (a, b) =>
        {
            var byBucket = a.BucketStart.CompareTo(b.BucketStart);
            return byBucket != 0 ? byBucket : string.CompareOrdinal(a.Key, b.Key);
        });
        return new AggregateBatch(batchId, ordered);
    }

    /// <summary>
    /// The first of Build's two passes: which (bucket, key) pairs fold into their dimension's
    /// <c>other</c> key, and the id of that key; null when nothing exceeds its limit. It ranks
    /// exactly as <see cref="AggregateKeyFolding"/> ranks built counters — per bucket and capped
    /// key prefix over its limit, the top values by cost (invocation plus span cost), then by
    /// requests plus spans, then by name — but from a running (cost, count) tally per key, so a
    /// value that folds away never gets counters of its own. Measured on the records of the
    /// benchmark program's <c>reliability</c> mode (100,000 records, each with its own team,
    /// application, environment and principal), building alone: 5.3 KB per record and 12× the
    /// one-value time when every value got counters and was folded afterwards; 3.2 KB and 4.5×
    /// this way (tests/GenAiObs.Benchmarks/RESULTS.md, section 9).
    /// </summary>
    private static Dictionary<(DateTimeOffset Bucket, int Key), int>? FoldedKeys(IReadOnlyList<PricedInvocation> invocations, IReadOnlyList<PricedSpan> spans, DeliveryOrigin? origin, NameCache names, CardinalityLimits limits)
    {
        var tally = new Dictionary<(DateTimeOffset Bucket, int Key), (long Weight, long Count)>();
        void Tally(DateTimeOffset bucket, int key, long weight)
        {
            if (names.CappedPrefix(key, limits) is not null)
            {
                ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(tally, (bucket, key), out _);
                entry = (entry.Weight + weight, entry.Count + 1);
            }
        }

        // Every record adds one request (or span) and its cost to each of its keys.
        var keys = new List<int>(8);
        foreach (var invocation in invocations)
        {
            var bucket = Buckets.StartOf(invocation.Record.Timestamp, Granularity.Fine);
            var weight = AggregateCounters.ToMicros(invocation.CostUsd);
            InvocationKeys(invocation.Record, origin, keys, names);
            foreach (var key in keys)
            {
                Tally(bucket, key, weight);
            }
        }

        var spanKeys = new List<(int Key, bool WithHistogram)>(8);
        foreach (var priced in spans)
        {
            var bucket = Buckets.StartOf(priced.Span.End, Granularity.Fine);
            var weight = priced.Span.Class == SpanClass.ModelCall ? AggregateCounters.ToMicros(priced.CostUsd) : 0;
            SpanKeys(priced.Span, origin, spanKeys, names);
            foreach (var (key, _) in spanKeys)
            {
                Tally(bucket, key, weight);
            }
        }

        var groups = new Dictionary<(DateTimeOffset Bucket, string Prefix), List<int>>();
        foreach (var (bucket, key) in tally.Keys)
        {
            ref var group = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, (bucket, names.CappedPrefix(key, limits)!), out _);
            (group ??= []).Add(key);
        }

        Dictionary<(DateTimeOffset Bucket, int Key), int>? folded = null;
        foreach (var ((bucket, prefix), group) in groups)
        {
            var limit = limits.ForKeyPrefix(prefix)!.Value;
            if (group.Count <= limit)
            {
                continue;
            }

            // TopValues' order on the tallies (whole key names order as their values: one prefix).
            var ranked = group.Select(key =>
            {
                var (weight, count) = tally[(bucket, key)];
                return (Key: key, Weight: AggregateCounters.FromMicros(weight), Count: count, Name: names.KeyName(key));
            }).ToList();
            ranked.Sort(static (a, b) => TopValues.Rank(a.Weight, a.Count, a.Name, b.Weight, b.Count, b.Name));
            var other = names.KeyOf(prefix + TopValues.Other);
            folded ??= [];
            foreach (var (key, _, _, _) in ranked.Skip(limit))
            {
                folded[(bucket, key)] = other;
            }
        }

        return folded;
    }

    /// <summary>The keys a span is counted under (all but its trace), each with whether it carries the duration histogram.</summary>
    private static void SpanKeys(SpanRecord span, DeliveryOrigin? origin, List<(int Key, bool WithHistogram)> keys, NameCache names)
    {
        keys.Clear();
        keys.Add((NameCache.TotalKey, false));
        keys.Add((names.ComponentKey(span), true));
        if (!string.IsNullOrEmpty(span.ServiceName))
        {
            keys.Add((names.Key(AggregateKeys.ServicePrefix, span.ServiceName), true));
        }

        if (!string.IsNullOrEmpty(span.Environment))
        {
            keys.Add((names.Key(AggregateKeys.EnvironmentPrefix, span.Environment), false));
        }

        if (span.Class == SpanClass.ModelCall)
        {
            keys.Add((names.Key(AggregateKeys.SpanModelPrefix, SpanComponents.OrUnknown(span.Model)), true));
        }

        if (span.Class == SpanClass.Tool)
        {
            keys.Add((names.Key(AggregateKeys.ToolPrefix, SpanComponents.OrUnknown(span.ToolName)), true));
        }

        if (span.SessionId is not null)
        {
            keys.Add((names.Key(AggregateKeys.SessionPrefix, span.SessionId), false));
        }

        if (span.Dimensions is { } dimensions)
        {
            var (feature, variant, template) = DimensionKeys(dimensions, names);
            foreach (var key in (ReadOnlySpan<int>)[feature, variant, template])
            {
                if (key >= 0)
                {
                    keys.Add((key, true));
                }
            }
        }

        if (origin?.AccountId is { Length: > 0 } account)
        {
            keys.Add((names.Key(AggregateKeys.AccountPrefix, account), false));
        }

        if (origin?.Region is { Length: > 0 } region)
        {
            keys.Add((names.Key(AggregateKeys.RegionPrefix, region), false));
        }
    }

    /// <summary>An invocation's dimension keys, with the origin keys of a central delivery.</summary>
    private static void InvocationKeys(InvocationRecord record, DeliveryOrigin? origin, List<int> keys, NameCache names)
    {
        InvocationKeys(record, keys, names);
        if (origin is not null)
        {
            AddOriginKey(origin.AccountOf(record), AggregateKeys.AccountPrefix, keys, names);
            AddOriginKey(origin.RegionOf(record), AggregateKeys.RegionPrefix, keys, names);
        }
    }

    private static void InvocationKeys(InvocationRecord record, List<int> keys, NameCache names)
    {
        keys.Clear();
        keys.Add(NameCache.TotalKey);
        keys.Add(names.Key(AggregateKeys.ModelPrefix, record.ModelId));
        keys.Add(names.Key(AggregateKeys.PrincipalPrefix, record.Principal));
        if (record.RequestMetadata is { Count: > 0 } metadata)
        {
            AddMetadataKey(metadata, "team", AggregateKeys.TeamPrefix, keys, names);
            AddMetadataKey(metadata, "application", AggregateKeys.ApplicationPrefix, keys, names);
            AddMetadataKey(metadata, "environment", AggregateKeys.EnvironmentPrefix, keys, names);
        }

        if (record.Dimensions is { } dimensions)
        {
            var (feature, variant, template) = DimensionKeys(dimensions, names);
            foreach (var key in (ReadOnlySpan<int>)[feature, variant, template])
            {
                if (key >= 0)
                {
                    keys.Add(key);
                }
            }
        }
    }

    /// <summary>
    /// The feature, variant (under its feature, else <see cref="RequestDimensions.NoFeature"/>) and
    /// template key ids of a tagged record; -1 for a dimension it lacks.
    /// </summary>
    private static (int Feature, int Variant, int Template) DimensionKeys(RequestDimensions dimensions, NameCache names) =>
        (dimensions.Feature is { } feature ? names.Key(AggregateKeys.FeaturePrefix, feature) : -1,
         dimensions.Variant is { } variant ? names.VariantKey(dimensions.Feature ?? RequestDimensions.NoFeature, variant) : -1,
         dimensions.Template is { } template ? names.Key(AggregateKeys.TemplatePrefix, template) : -1);

    private static void AddOriginKey(string? value, string prefix, List<int> keys, NameCache names)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            keys.Add(names.Key(prefix, value));
        }
    }

    private static void AddMetadataKey(IReadOnlyDictionary<string, string> metadata, string name, string prefix, List<int> keys, NameCache names)
    {
        // requestMetadata keys are caller-chosen; match them case-insensitively (Team, TEAM, team).
        foreach (var (metadataKey, value) in metadata)
        {
            if (string.Equals(metadataKey, name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                keys.Add(names.Key(prefix, value));
                return;
            }
        }
    }

    /// <summary>The non-zero counters one invocation record adds (under each of its keys), as (slot, value).</summary>
    private static void InvocationContribution(PricedInvocation invocation, NameCache names, List<(int Slot, long Value)> contribution)
    {
        contribution.Clear();
        void Add(int slot, long value)
        {
            // Zero adds are dropped (AggregateCounters would drop them too): items never carry empty counters.
            if (value != 0)
            {
                contribution.Add((slot, value));
            }
        }

        var record = invocation.Record;
        Add(NameCache.RequestsSlot, 1);
        Add(NameCache.ErrorsSlot, record.IsError ? 1 : 0);
        Add(NameCache.ThrottlesSlot, record.IsThrottle ? 1 : 0);
        Add(NameCache.InputTokensSlot, record.InputTokens);
        Add(NameCache.OutputTokensSlot, record.OutputTokens);
        Add(NameCache.CacheReadTokensSlot, record.CacheReadTokens);
        Add(NameCache.CacheWriteTokensSlot, record.CacheWriteTokens);
        Add(NameCache.CostMicrosSlot, AggregateCounters.ToMicros(invocation.CostUsd));
        Add(NameCache.UnpricedAnySlot, invocation.Unpriced ? 1 : 0);
        Add(NameCache.NotTokenPricedAnySlot, invocation.NotTokenPriced ? 1 : 0);
        if (record.Dimensions is not null)
        {
            // Tagged requests only: what an A/B comparison of cost per request needs beside the sum.
            Add(NameCache.CostSquareNanosSlot, (long)decimal.Round(invocation.CostUsd * invocation.CostUsd * 1_000_000_000m, 0, MidpointRounding.ToEven));
        }

        if (!record.IsError)
        {
            Add(names.StopReason(record.StopReason), 1);
            Add(NameCache.UnpricedSlot, invocation.Unpriced ? 1 : 0);
            Add(NameCache.NotTokenPricedSlot, invocation.NotTokenPriced ? 1 : 0);
        }

        if (invocation.PerUnit is { } units)
        {
            Add(NameCache.ImagesSlot, units.Unit == "image" ? units.Units : 0);
            Add(NameCache.VideoSecondsSlot, units.Unit == "second" ? units.Units : 0);
            Add(NameCache.PerUnitCostMicrosSlot, AggregateCounters.ToMicros(units.CostUsd));
            Add(NameCache.PerUnitUnpricedSlot, units.Priced ? 0 : 1);
        }

        if (record.LatencyMs is { } latency)
        {
            Add(names.Bin(HistogramFamily.Latency, latency), 1);
        }

        if (record.TimeToFirstTokenMs is { } ttft)
        {
            Add(names.Bin(HistogramFamily.TimeToFirstToken, ttft), 1);
        }
    }

    private static void AddSpan(Accumulator counters, PricedSpan priced, bool withHistogram, NameCache names)
    {
        var span = priced.Span;
        counters.Add(NameCache.SpansSlot, 1);
        counters.Add(NameCache.SpanErrorsSlot, span.IsError ? 1 : 0);
        switch (span.Class)
        {
            case SpanClass.Agent:
                counters.Add(NameCache.AgentsSlot, 1);
                counters.Add(NameCache.AgentErrorsSlot, span.IsError ? 1 : 0);
                break;
            case SpanClass.ModelCall:
                counters.Add(NameCache.ModelCallsSlot, 1);
                counters.Add(NameCache.ModelCallErrorsSlot, span.IsError ? 1 : 0);
                counters.Add(NameCache.SpanInputTokensSlot, span.InputTokens);
                counters.Add(NameCache.SpanOutputTokensSlot, span.OutputTokens);
                counters.Add(NameCache.SpanCacheReadTokensSlot, span.CacheReadTokens);
                counters.Add(NameCache.SpanCacheWriteTokensSlot, span.CacheWriteTokens);
                counters.Add(NameCache.SpanCostMicrosSlot, AggregateCounters.ToMicros(priced.CostUsd));
                counters.Add(NameCache.SpanUnpricedSlot, priced.Unpriced ? 1 : 0);
                foreach (var reason in span.FinishReasons)
                {
                    counters.Add(names.FinishReason(reason), 1);
                }

                break;
            case SpanClass.Tool:
                counters.Add(NameCache.ToolsSlot, 1);
                counters.Add(NameCache.ToolErrorsSlot, span.ToolFailed ? 1 : 0);
                break;
            default:
                break;
        }

        if (withHistogram)
        {
            counters.Add(names.Bin(HistogramFamily.SpanDuration, span.DurationMs), 1);
        }
    }

    private static string Clip(string value) => value.Length > MaxKeyValueLength ? value[..MaxKeyValueLength] : value;

    /// <summary>
    /// The counters of one (bucket, key) while a batch is built: the fixed counters in an array
    /// indexed by slot, the batch's other names (stop reasons, histogram bins — sparse) by slot in a
    /// small map, and the slots in the order they were first added to (so the final bag lists them
    /// in the same order as before).
    /// </summary>
    private sealed class Accumulator
    {
        private readonly long[] _fixed = new long[NameCache.FixedSlots];
        private Dictionary<int, long>? _others;
        private int[] _order = new int[NameCache.FixedSlots];
        private int _fixedTouched;
        private int _count;

        public bool IsEmpty => _count == 0;

        /// <summary>Adds to a slot; zero adds are dropped, as <see cref="AggregateCounters.Add"/> drops them.</summary>
        public void Add(int slot, long value)
        {
            if (value == 0)
            {
                return;
            }

            if (slot < NameCache.FixedSlots)
            {
                var bit = 1 << slot;
                if ((_fixedTouched & bit) == 0)
                {
                    _fixedTouched |= bit;
                    Touch(slot);
                }

                _fixed[slot] += value;
                return;
            }

            _others ??= [];
            ref var existing = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_others, slot, out var exists);
            if (!exists)
            {
                Touch(slot);
            }

            existing += value;
        }

        public AggregateCounters ToCounters(NameCache names)
        {
            var counters = new AggregateCounters(_count);
            for (var i = 0; i < _count; i++)
            {
                var slot = _order[i];
                counters.Add(names.SlotName(slot), slot < NameCache.FixedSlots ? _fixed[slot] : _others![slot]);
            }

            return counters;
        }

        private void Touch(int slot)
        {
            if (_count == _order.Length)
            {
                Array.Resize(ref _order, _count * 2);
            }

            _order[_count++] = slot;
        }
    }

    /// <summary>
    /// Dimension keys and counter names of one batch, each built once (a batch repeats a few dozen
    /// of them thousands of times) and numbered: keys by key id, counter names by slot.
    /// </summary>
    private sealed class NameCache
    {
        public const int TotalKey = 0;

        // The fixed counters, each declared once: its slot is its position in this list (declaration
        // order), so adding one is one line. Static fields initialise in textual order.
        private static readonly List<string> FixedNames = [];

        public static readonly int RequestsSlot = Fixed(CounterNames.Requests);
        public static readonly int ErrorsSlot = Fixed(CounterNames.Errors);
        public static readonly int ThrottlesSlot = Fixed(CounterNames.Throttles);
        public static readonly int InputTokensSlot = Fixed(CounterNames.InputTokens);
        public static readonly int OutputTokensSlot = Fixed(CounterNames.OutputTokens);
        public static readonly int CacheReadTokensSlot = Fixed(CounterNames.CacheReadTokens);
        public static readonly int CacheWriteTokensSlot = Fixed(CounterNames.CacheWriteTokens);
        public static readonly int CostMicrosSlot = Fixed(CounterNames.CostMicros);
        public static readonly int UnpricedSlot = Fixed(CounterNames.Unpriced);
        public static readonly int UnpricedAnySlot = Fixed(CounterNames.UnpricedAny);
        public static readonly int SpansSlot = Fixed(CounterNames.Spans);
        public static readonly int SpanErrorsSlot = Fixed(CounterNames.SpanErrors);
        public static readonly int AgentsSlot = Fixed(CounterNames.Agents);
        public static readonly int AgentErrorsSlot = Fixed(CounterNames.AgentErrors);
        public static readonly int ModelCallsSlot = Fixed(CounterNames.ModelCalls);
        public static readonly int ModelCallErrorsSlot = Fixed(CounterNames.ModelCallErrors);
        public static readonly int ToolsSlot = Fixed(CounterNames.Tools);
        public static readonly int ToolErrorsSlot = Fixed(CounterNames.ToolErrors);
        public static readonly int SpanInputTokensSlot = Fixed(CounterNames.SpanInputTokens);
        public static readonly int SpanOutputTokensSlot = Fixed(CounterNames.SpanOutputTokens);
        public static readonly int SpanCacheReadTokensSlot = Fixed(CounterNames.SpanCacheReadTokens);
        public static readonly int SpanCacheWriteTokensSlot = Fixed(CounterNames.SpanCacheWriteTokens);
        public static readonly int SpanCostMicrosSlot = Fixed(CounterNames.SpanCostMicros);
        public static readonly int SpanUnpricedSlot = Fixed(CounterNames.SpanUnpriced);
        public static readonly int NotTokenPricedSlot = Fixed(CounterNames.NotTokenPriced);
        public static readonly int NotTokenPricedAnySlot = Fixed(CounterNames.NotTokenPricedAny);
        public static readonly int CostSquareNanosSlot = Fixed(CounterNames.CostSquareNanos);
        public static readonly int ImagesSlot = Fixed(CounterNames.Images);
        public static readonly int VideoSecondsSlot = Fixed(CounterNames.VideoSeconds);
        public static readonly int PerUnitCostMicrosSlot = Fixed(CounterNames.PerUnitCostMicros);
        public static readonly int PerUnitUnpricedSlot = Fixed(CounterNames.PerUnitUnpriced);

        /// <summary>Slots below this are the fixed counters above (at most 32: the accumulator tracks them with a bit each).</summary>
        public static readonly int FixedSlots = FixedNames.Count <= 32 ? FixedNames.Count : throw new InvalidOperationException("more than 32 fixed counters");

        private readonly List<string> _slotNames = [.. FixedNames];

        private readonly List<string> _keyNames = [AggregateKeys.Total];
        private readonly List<string?> _cappedPrefixes = [];
        private readonly Dictionary<string, string?> _prefixes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _keyIds = new(StringComparer.Ordinal) { [AggregateKeys.Total] = TotalKey };
        private readonly Dictionary<string, int> _slotIds = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Prefix, string Value), int> _keys = [];
        private readonly Dictionary<(SpanClass Class, string Value), int> _components = [];
        private readonly Dictionary<(string Feature, string Variant), int> _variants = [];
        private readonly Dictionary<string, int> _stopReasons = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _finishReasons = new(StringComparer.Ordinal);
        private readonly Dictionary<(HistogramFamily Family, int Bin), int> _bins = [];

        public string KeyName(int key) => _keyNames[key];

        /// <summary>The id of a whole key name (added when new).</summary>
        public int KeyOf(string name)
        {
            if (!_keyIds.TryGetValue(name, out var key))
            {
                key = _keyNames.Count;
                _keyNames.Add(name);
                _keyIds[name] = key;
            }

            return key;
        }

        /// <summary>The key's prefix (through its first <c>#</c>) when <paramref name="limits"/> caps it, else null; worked out once per key.</summary>
        public string? CappedPrefix(int key, CardinalityLimits limits)
        {
            while (_cappedPrefixes.Count <= key)
            {
                var name = _keyNames[_cappedPrefixes.Count];
                var hash = name.IndexOf('#', StringComparison.Ordinal);
                string? capped = null;
                if (hash >= 0)
                {
                    // Looked up by span: one prefix string per prefix, not one per key.
                    var lookup = _prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
                    if (!lookup.TryGetValue(name.AsSpan(0, hash + 1), out capped))
                    {
                        var prefix = name[..(hash + 1)];
                        capped = limits.ForKeyPrefix(prefix) is not null ? prefix : null;
                        _prefixes[prefix] = capped;
                    }
                }

                _cappedPrefixes.Add(capped);
            }

            return _cappedPrefixes[key];
        }

        /// <summary>The id of the span's component key (<see cref="SpanComponents.Of"/>), without building the name again for agents, models and tools seen before (measured: −66 B per span).</summary>
        public int ComponentKey(SpanRecord span)
        {
            var value = span.Class switch
            {
                SpanClass.Agent => string.Empty,
                SpanClass.ModelCall => span.Model,
                SpanClass.Tool => span.ToolName,
                _ => null,
            };
            if (value is null)
            {
                // Other spans (and a model call without a model): by the name SpanComponents gives.
                return Key(AggregateKeys.ComponentPrefix, SpanComponents.Of(span));
            }

            if (!_components.TryGetValue((span.Class, value), out var key))
            {
                key = Key(AggregateKeys.ComponentPrefix, SpanComponents.Of(span));
                _components[(span.Class, value)] = key;
            }

            return key;
        }

        public string SlotName(int slot) => _slotNames[slot];

        private static int Fixed(string name)
        {
            FixedNames.Add(name);
            return FixedNames.Count - 1;
        }

        /// <summary>The id of <paramref name="prefix"/> + the value clipped to <see cref="MaxKeyValueLength"/>.</summary>
        public int Key(string prefix, string value)
        {
            if (!_keys.TryGetValue((prefix, value), out var key))
            {
                // Two values clipped to the same key share its id.
                key = KeyOf(prefix + Clip(value));
                _keys[(prefix, value)] = key;
            }

            return key;
        }

        /// <summary>The id of a variant key (<see cref="AggregateKeys.Variant"/>), its value built once per (feature, arm).</summary>
        public int VariantKey(string feature, string variant)
        {
            if (!_variants.TryGetValue((feature, variant), out var key))
            {
                key = KeyOf(AggregateKeys.Variant(feature, variant));
                _variants[(feature, variant)] = key;
            }

            return key;
        }

        public int StopReason(string reason) => Cached(_stopReasons, reason, CounterNames.StopReason);

        public int FinishReason(string reason) => Cached(_finishReasons, reason, CounterNames.FinishReason);

        /// <summary>The slot of the histogram bin <paramref name="valueMs"/> falls in.</summary>
        public int Bin(HistogramFamily family, double valueMs)
        {
            var bin = LogHistogram.BinOf(valueMs);
            if (!_bins.TryGetValue((family, bin), out var slot))
            {
                slot = NewSlot(CounterNames.HistogramBin(family, bin));
                _bins[(family, bin)] = slot;
            }

            return slot;
        }

        private int Cached(Dictionary<string, int> cache, string value, Func<string, string> create)
        {
            if (!cache.TryGetValue(value, out var slot))
            {
                slot = NewSlot(create(value));
                cache[value] = slot;
            }

            return slot;
        }

        /// <summary>A slot for a name (the same slot when two values yield one name, e.g. a stop reason spelled like a fixed counter).</summary>
        private int NewSlot(string name)
        {
            if (_slotIds.Count == 0)
            {
                for (var i = 0; i < _slotNames.Count; i++)
                {
                    _slotIds[_slotNames[i]] = i;
                }
            }

            if (!_slotIds.TryGetValue(name, out var slot))
            {
                slot = _slotNames.Count;
                _slotNames.Add(name);
                _slotIds[name] = slot;
            }

            return slot;
        }
    }
}
