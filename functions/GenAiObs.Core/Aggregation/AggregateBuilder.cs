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

    /// <summary>The deltas of one processed delivery (its <see cref="BatchResult.BatchId"/> makes applying them exactly-once).</summary>
    public static AggregateBatch Build(BatchResult result) => Build(result.BatchId, result.Invocations, result.Spans);

    public static AggregateBatch Build(string batchId, IEnumerable<PricedInvocation> invocations, IEnumerable<PricedSpan> spans)
    {
        var deltas = new Dictionary<(DateTimeOffset Bucket, string Key), AggregateCounters>();

        AggregateCounters At(DateTimeOffset bucket, string key)
        {
            if (!deltas.TryGetValue((bucket, key), out var counters))
            {
                counters = new AggregateCounters();
                deltas[(bucket, key)] = counters;
            }

            return counters;
        }

        // Keys and counter names repeat from record to record: built once per batch, not per record.
        var names = new NameCache();
        var keys = new List<string>(8);
        var contribution = new List<KeyValuePair<string, long>>(16);
        foreach (var invocation in invocations)
        {
            var bucket = Buckets.StartOf(invocation.Record.Timestamp, Granularity.Fine);
            InvocationKeys(invocation.Record, keys, names);

            // What the record adds is the same under each of its keys: worked out once.
            InvocationContribution(invocation, names, contribution);
            foreach (var key in keys)
            {
                var counters = At(bucket, key);
                foreach (var (name, value) in contribution)
                {
                    counters.Add(name, value);
                }
            }
        }

        foreach (var priced in spans)
        {
            var span = priced.Span;
            var bucket = Buckets.StartOf(span.End, Granularity.Fine);
            AddSpan(At(bucket, AggregateKeys.Total), priced, withHistogram: false, names);
            AddSpan(At(bucket, names.Key(AggregateKeys.ComponentPrefix, SpanComponents.Of(span))), priced, withHistogram: true, names);
            if (!string.IsNullOrEmpty(span.ServiceName))
            {
                AddSpan(At(bucket, names.Key(AggregateKeys.ServicePrefix, span.ServiceName)), priced, withHistogram: true, names);
            }

            if (!string.IsNullOrEmpty(span.Environment))
            {
                AddSpan(At(bucket, names.Key(AggregateKeys.EnvironmentPrefix, span.Environment)), priced, withHistogram: false, names);
            }

            if (span.Class == SpanClass.ModelCall)
            {
                AddSpan(At(bucket, names.Key(AggregateKeys.SpanModelPrefix, SpanComponents.OrUnknown(span.Model))), priced, withHistogram: true, names);
            }

            if (span.Class == SpanClass.Tool)
            {
                AddSpan(At(bucket, names.Key(AggregateKeys.ToolPrefix, SpanComponents.OrUnknown(span.ToolName))), priced, withHistogram: true, names);
            }

            if (span.SessionId is not null)
            {
                AddSpan(At(bucket, names.Key(AggregateKeys.SessionPrefix, span.SessionId)), priced, withHistogram: false, names);
            }

            var trace = At(bucket, names.Key(AggregateKeys.TracePrefix, span.TraceId));
            trace.Add(CounterNames.Spans, 1);
            trace.Add(CounterNames.SpanErrors, span.IsError ? 1 : 0);
        }

        var ordered = deltas
            .Where(pair => !pair.Value.IsEmpty)
            .OrderBy(pair => pair.Key.Bucket)
            .ThenBy(pair => pair.Key.Key, StringComparer.Ordinal)
            .Select(pair => new AggregateDelta(pair.Key.Bucket, pair.Key.Key, pair.Value))
            .ToList();
        return new AggregateBatch(batchId, ordered);
    }

    /// <summary>The dimension keys an invocation record is counted under.</summary>
    public static void InvocationKeys(InvocationRecord record, List<string> keys) => InvocationKeys(record, keys, new NameCache());

    private static void InvocationKeys(InvocationRecord record, List<string> keys, NameCache names)
    {
        keys.Clear();
        keys.Add(AggregateKeys.Total);
        keys.Add(names.Key(AggregateKeys.ModelPrefix, record.ModelId));
        keys.Add(names.Key(AggregateKeys.PrincipalPrefix, record.Principal));
        if (record.RequestMetadata is { Count: > 0 } metadata)
        {
            AddMetadataKey(metadata, "team", AggregateKeys.TeamPrefix, keys, names);
            AddMetadataKey(metadata, "application", AggregateKeys.ApplicationPrefix, keys, names);
            AddMetadataKey(metadata, "environment", AggregateKeys.EnvironmentPrefix, keys, names);
        }
    }

    private static void AddMetadataKey(IReadOnlyDictionary<string, string> metadata, string name, string prefix, List<string> keys, NameCache names)
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

    /// <summary>The non-zero counters one invocation record adds (under each of its keys).</summary>
    private static void InvocationContribution(PricedInvocation invocation, NameCache names, List<KeyValuePair<string, long>> contribution)
    {
        contribution.Clear();
        void Add(string name, long value)
        {
            // Zero adds are dropped (AggregateCounters would drop them too): items never carry empty counters.
            if (value != 0)
            {
                contribution.Add(new(name, value));
            }
        }

        var record = invocation.Record;
        Add(CounterNames.Requests, 1);
        Add(CounterNames.Errors, record.IsError ? 1 : 0);
        Add(CounterNames.Throttles, record.IsThrottle ? 1 : 0);
        Add(CounterNames.InputTokens, record.InputTokens);
        Add(CounterNames.OutputTokens, record.OutputTokens);
        Add(CounterNames.CacheReadTokens, record.CacheReadTokens);
        Add(CounterNames.CacheWriteTokens, record.CacheWriteTokens);
        Add(CounterNames.CostMicros, AggregateCounters.ToMicros(invocation.CostUsd));
        Add(CounterNames.UnpricedAny, invocation.Priced ? 0 : 1);
        if (!record.IsError)
        {
            Add(names.StopReason(record.StopReason), 1);
            Add(CounterNames.Unpriced, invocation.Priced ? 0 : 1);
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

    private static void AddSpan(AggregateCounters counters, PricedSpan priced, bool withHistogram, NameCache names)
    {
        var span = priced.Span;
        counters.Add(CounterNames.Spans, 1);
        counters.Add(CounterNames.SpanErrors, span.IsError ? 1 : 0);
        switch (span.Class)
        {
            case SpanClass.Agent:
                counters.Add(CounterNames.Agents, 1);
                counters.Add(CounterNames.AgentErrors, span.IsError ? 1 : 0);
                break;
            case SpanClass.ModelCall:
                counters.Add(CounterNames.ModelCalls, 1);
                counters.Add(CounterNames.ModelCallErrors, span.IsError ? 1 : 0);
                counters.Add(CounterNames.SpanInputTokens, span.InputTokens);
                counters.Add(CounterNames.SpanOutputTokens, span.OutputTokens);
                counters.Add(CounterNames.SpanCacheReadTokens, span.CacheReadTokens);
                counters.Add(CounterNames.SpanCacheWriteTokens, span.CacheWriteTokens);
                counters.Add(CounterNames.SpanCostMicros, AggregateCounters.ToMicros(priced.CostUsd));
                counters.Add(CounterNames.SpanUnpriced, priced.Priced ? 0 : 1);
                foreach (var reason in span.FinishReasons)
                {
                    counters.Add(names.FinishReason(reason), 1);
                }

                break;
            case SpanClass.Tool:
                counters.Add(CounterNames.Tools, 1);
                counters.Add(CounterNames.ToolErrors, span.ToolFailed ? 1 : 0);
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

    /// <summary>Dimension keys and counter names of one batch, each built once (a batch repeats a few dozen of them thousands of times).</summary>
    private sealed class NameCache
    {
        private readonly Dictionary<(string Prefix, string Value), string> _keys = [];
        private readonly Dictionary<string, string> _stopReasons = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _finishReasons = new(StringComparer.Ordinal);
        private readonly Dictionary<(HistogramFamily Family, int Bin), string> _bins = [];

        /// <summary><paramref name="prefix"/> + the value clipped to <see cref="MaxKeyValueLength"/>.</summary>
        public string Key(string prefix, string value)
        {
            if (!_keys.TryGetValue((prefix, value), out var key))
            {
                key = prefix + Clip(value);
                _keys[(prefix, value)] = key;
            }

            return key;
        }

        public string StopReason(string reason) => Cached(_stopReasons, reason, CounterNames.StopReason);

        public string FinishReason(string reason) => Cached(_finishReasons, reason, CounterNames.FinishReason);

        /// <summary>The counter name of the histogram bin <paramref name="valueMs"/> falls in.</summary>
        public string Bin(HistogramFamily family, double valueMs)
        {
            var bin = LogHistogram.BinOf(valueMs);
            if (!_bins.TryGetValue((family, bin), out var name))
            {
                name = CounterNames.HistogramBin(family, bin);
                _bins[(family, bin)] = name;
            }

            return name;
        }

        private static string Cached(Dictionary<string, string> cache, string value, Func<string, string> create)
        {
            if (!cache.TryGetValue(value, out var name))
            {
                name = create(value);
                cache[value] = name;
            }

            return name;
        }
    }
}
