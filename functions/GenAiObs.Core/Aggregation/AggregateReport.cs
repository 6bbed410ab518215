using System.Text.Json;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Writes stored aggregates back in the shape of <c>replay --json</c>'s <c>"invocations"</c> and
/// <c>"spans"</c> objects (docs/cli.md; <c>rejected</c> is absent: rejections have no event
/// time and are not stored). Input: every key's counters summed over the reported range.
/// </summary>
public static class AggregateReport
{
    /// <summary>Writes <c>{"invocations":{…},"spans":{…}}</c>, and <c>"features"</c>/<c>"promptTemplates"</c> (<see cref="FeatureReport"/>) when any record was tagged.</summary>
    public static void WriteJson(Utf8JsonWriter writer, IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("invocations");
        WriteInvocations(writer, sums);
        writer.WritePropertyName("spans");
        WriteSpans(writer, sums);
        if (FeatureReport.HasAny(sums))
        {
            FeatureReport.WriteMembers(writer, sums);
        }

        writer.WriteEndObject();
    }

    public static void WriteInvocations(Utf8JsonWriter writer, IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        var total = sums.TryGetValue(AggregateKeys.Total, out var t) ? t : new AggregateCounters();
        writer.WriteStartObject();
        writer.WriteNumber("records", total[CounterNames.Requests]);
        WriteInvocationTotals(writer, total);
        writer.WriteNumber("unpriced", total[CounterNames.Unpriced]);
        writer.WriteNumber("notTokenPriced", total[CounterNames.NotTokenPriced]);
        WriteUnitTotals(writer, total);
        WriteStopReasons(writer, total);

        writer.WriteStartObject("byModel");
        foreach (var (key, counters) in WithPrefix(sums, AggregateKeys.ModelPrefix).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(key);
            writer.WriteNumber("records", counters[CounterNames.Requests]);
            WriteInvocationTotals(writer, counters);
            writer.WriteBoolean("priced", counters[CounterNames.UnpricedAny] == 0 && counters[CounterNames.NotTokenPricedAny] == 0);
            if (counters[CounterNames.NotTokenPricedAny] > 0)
            {
                writer.WriteBoolean("notTokenPriced", true);
                writer.WriteBoolean("perUnitPriced", counters[CounterNames.PerUnitUnpriced] == 0);
            }

            WriteUnitTotals(writer, counters);

            WriteStopReasons(writer, counters);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("byPrincipal");
        foreach (var (key, counters) in WithPrefix(sums, AggregateKeys.PrincipalPrefix)
                     .OrderByDescending(pair => pair.Value[CounterNames.CostMicros])
                     .ThenBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(key);
            writer.WriteNumber("records", counters[CounterNames.Requests]);
            writer.WriteNumber("costUsd", AggregateCounters.FromMicros(counters[CounterNames.CostMicros]));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>images, videoSeconds and perUnitCostUsd, each only when not 0 (as <c>replay --json</c> writes them).</summary>
    private static void WriteUnitTotals(Utf8JsonWriter writer, AggregateCounters counters)
    {
        if (counters[CounterNames.Images] != 0)
        {
            writer.WriteNumber("images", counters[CounterNames.Images]);
        }

        if (counters[CounterNames.VideoSeconds] != 0)
        {
            writer.WriteNumber("videoSeconds", counters[CounterNames.VideoSeconds]);
        }

        if (counters[CounterNames.PerUnitCostMicros] != 0)
        {
            writer.WriteNumber("perUnitCostUsd", AggregateCounters.FromMicros(counters[CounterNames.PerUnitCostMicros]));
        }
    }

    public static void WriteSpans(Utf8JsonWriter writer, IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        var total = sums.TryGetValue(AggregateKeys.Total, out var t) ? t : new AggregateCounters();
        writer.WriteStartObject();
        writer.WriteNumber("records", total[CounterNames.Spans]);
        writer.WriteNumber("modelCalls", total[CounterNames.ModelCalls]);
        writer.WriteNumber("toolCalls", total[CounterNames.Tools]);
        writer.WriteNumber("agentInvocations", total[CounterNames.Agents]);
        writer.WriteNumber("errorSpans", total[CounterNames.SpanErrors]);
        writer.WriteNumber("toolErrors", total[CounterNames.ToolErrors]);
        writer.WriteNumber("traces", WithPrefix(sums, AggregateKeys.TracePrefix).Count(pair => pair.Value[CounterNames.Spans] > 0));
        writer.WriteNumber("sessions", WithPrefix(sums, AggregateKeys.SessionPrefix).Count(pair => pair.Value[CounterNames.Spans] > 0));
        writer.WriteNumber("inputTokens", total[CounterNames.SpanInputTokens]);
        writer.WriteNumber("outputTokens", total[CounterNames.SpanOutputTokens]);
        writer.WriteNumber("costUsd", AggregateCounters.FromMicros(total[CounterNames.SpanCostMicros]));
        writer.WriteNumber("unpriced", total[CounterNames.SpanUnpriced]);

        writer.WriteStartObject("byModel");
        foreach (var (key, counters) in WithPrefix(sums, AggregateKeys.SpanModelPrefix).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var latency = counters.Histogram(HistogramFamily.SpanDuration);
            writer.WriteStartObject(key);
            writer.WriteNumber("calls", counters[CounterNames.ModelCalls]);
            writer.WriteNumber("inputTokens", counters[CounterNames.SpanInputTokens]);
            writer.WriteNumber("outputTokens", counters[CounterNames.SpanOutputTokens]);
            writer.WriteNumber("p50Ms", RoundMs(latency.Quantile(0.50)));
            writer.WriteNumber("p95Ms", RoundMs(latency.Quantile(0.95)));
            writer.WriteNumber("p99Ms", RoundMs(latency.Quantile(0.99)));
            writer.WriteNumber("costUsd", AggregateCounters.FromMicros(counters[CounterNames.SpanCostMicros]));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("byTool");
        foreach (var (key, counters) in WithPrefix(sums, AggregateKeys.ToolPrefix).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(key);
            writer.WriteNumber("calls", counters[CounterNames.Tools]);
            writer.WriteNumber("errors", counters[CounterNames.ToolErrors]);
            writer.WriteNumber("p95Ms", RoundMs(counters.Histogram(HistogramFamily.SpanDuration).Quantile(0.95)));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteInvocationTotals(Utf8JsonWriter writer, AggregateCounters counters)
    {
        writer.WriteNumber("errors", counters[CounterNames.Errors]);
        writer.WriteNumber("inputTokens", counters[CounterNames.InputTokens]);
        writer.WriteNumber("outputTokens", counters[CounterNames.OutputTokens]);
        writer.WriteNumber("cacheReadTokens", counters[CounterNames.CacheReadTokens]);
        writer.WriteNumber("cacheWriteTokens", counters[CounterNames.CacheWriteTokens]);
        writer.WriteNumber("costUsd", AggregateCounters.FromMicros(counters[CounterNames.CostMicros]));
    }

    private static void WriteStopReasons(Utf8JsonWriter writer, AggregateCounters counters)
    {
        writer.WriteStartObject("stopReasons");
        foreach (var reason in StopReasons.All)
        {
            var count = counters[CounterNames.StopReason(reason)];
            if (count != 0)
            {
                writer.WriteNumber(reason, count);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The keys of a prefix with the prefix stripped (the dimension value as logged).</summary>
    private static IEnumerable<KeyValuePair<string, AggregateCounters>> WithPrefix(IReadOnlyDictionary<string, AggregateCounters> sums, string prefix) =>
        sums.Where(pair => pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(pair => new KeyValuePair<string, AggregateCounters>(pair.Key[prefix.Length..], pair.Value));

    private static double RoundMs(double? ms) => Math.Round(ms ?? 0, 3, MidpointRounding.ToEven);
}
