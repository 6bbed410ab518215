using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

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

        var keys = new List<string>(8);
        foreach (var invocation in invocations)
        {
            var bucket = Buckets.StartOf(invocation.Record.Timestamp, Granularity.Fine);
            InvocationKeys(invocation.Record, keys);
            foreach (var key in keys)
            {
                AddInvocation(At(bucket, key), invocation);
            }
        }

        foreach (var priced in spans)
        {
            var span = priced.Span;
            var bucket = Buckets.StartOf(span.End, Granularity.Fine);
            AddSpan(At(bucket, AggregateKeys.Total), priced, withHistogram: false);
            AddSpan(At(bucket, AggregateKeys.Component(Clip(SpanComponents.Of(span)))), priced, withHistogram: true);
            if (!string.IsNullOrEmpty(span.ServiceName))
            {
                AddSpan(At(bucket, AggregateKeys.Service(Clip(span.ServiceName))), priced, withHistogram: true);
            }

            if (!string.IsNullOrEmpty(span.Environment))
            {
                AddSpan(At(bucket, AggregateKeys.Environment(Clip(span.Environment))), priced, withHistogram: false);
            }

            if (span.Class == SpanClass.ModelCall)
            {
                AddSpan(At(bucket, AggregateKeys.SpanModel(Clip(SpanComponents.OrUnknown(span.Model)))), priced, withHistogram: true);
            }

            if (span.Class == SpanClass.Tool)
            {
                AddSpan(At(bucket, AggregateKeys.Tool(Clip(SpanComponents.OrUnknown(span.ToolName)))), priced, withHistogram: true);
            }

            if (span.SessionId is not null)
            {
                AddSpan(At(bucket, AggregateKeys.Session(Clip(span.SessionId))), priced, withHistogram: false);
            }

            var trace = At(bucket, AggregateKeys.Trace(Clip(span.TraceId)));
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
    public static void InvocationKeys(InvocationRecord record, List<string> keys)
    {
        keys.Clear();
        keys.Add(AggregateKeys.Total);
        keys.Add(AggregateKeys.Model(Clip(record.ModelId)));
        keys.Add(AggregateKeys.Principal(Clip(record.Principal)));
        if (record.RequestMetadata is { Count: > 0 } metadata)
        {
            AddMetadataKey(metadata, "team", AggregateKeys.TeamPrefix, keys);
            AddMetadataKey(metadata, "application", AggregateKeys.ApplicationPrefix, keys);
            AddMetadataKey(metadata, "environment", AggregateKeys.EnvironmentPrefix, keys);
        }
    }

    private static void AddMetadataKey(IReadOnlyDictionary<string, string> metadata, string name, string prefix, List<string> keys)
    {
        // requestMetadata keys are caller-chosen; match them case-insensitively (Team, TEAM, team).
        foreach (var (metadataKey, value) in metadata)
        {
            if (string.Equals(metadataKey, name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                keys.Add(prefix + Clip(value));
                return;
            }
        }
    }

    private static void AddInvocation(AggregateCounters counters, PricedInvocation invocation)
    {
        var record = invocation.Record;
        counters.Add(CounterNames.Requests, 1);
        counters.Add(CounterNames.Errors, record.IsError ? 1 : 0);
        counters.Add(CounterNames.Throttles, record.IsThrottle ? 1 : 0);
        counters.Add(CounterNames.InputTokens, record.InputTokens);
        counters.Add(CounterNames.OutputTokens, record.OutputTokens);
        counters.Add(CounterNames.CacheReadTokens, record.CacheReadTokens);
        counters.Add(CounterNames.CacheWriteTokens, record.CacheWriteTokens);
        counters.Add(CounterNames.CostMicros, AggregateCounters.ToMicros(invocation.CostUsd));
        counters.Add(CounterNames.UnpricedAny, invocation.Priced ? 0 : 1);
        if (!record.IsError)
        {
            counters.Add(CounterNames.StopReason(record.StopReason), 1);
            counters.Add(CounterNames.Unpriced, invocation.Priced ? 0 : 1);
        }

        if (record.LatencyMs is { } latency)
        {
            counters.AddObservation(HistogramFamily.Latency, latency);
        }

        if (record.TimeToFirstTokenMs is { } ttft)
        {
            counters.AddObservation(HistogramFamily.TimeToFirstToken, ttft);
        }
    }

    private static void AddSpan(AggregateCounters counters, PricedSpan priced, bool withHistogram)
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
                    counters.Add(CounterNames.FinishReason(reason), 1);
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
            counters.AddObservation(HistogramFamily.SpanDuration, span.DurationMs);
        }
    }

    private static string Clip(string value) => value.Length > MaxKeyValueLength ? value[..MaxKeyValueLength] : value;
}
