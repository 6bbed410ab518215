using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Totals over spans, in the shape of the CLI's <c>"spans"</c> JSON object (docs/cli.md): counts by
/// class, distinct traces and sessions, tokens summed over model-call spans only (agent spans
/// often repeat their children's totals), latency percentiles by model and tool from
/// <see cref="LogHistogram"/> (within 1% of a value in the data), and the span-priced cost.
/// </summary>
public sealed class SpanSummary
{
    /// <summary>Key used when a model-call span names no model, or a tool span no tool.</summary>
    public const string UnknownKey = "unknown";

    private readonly HashSet<string> _traces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelTotals> _byModel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ToolTotals> _byTool = new(StringComparer.Ordinal);

    public long Records { get; private set; }
    public long Rejected { get; private set; }
    public long ModelCalls { get; private set; }
    public long ToolCalls { get; private set; }
    public long AgentInvocations { get; private set; }

    /// <summary>Spans of any class whose status is ERROR.</summary>
    public long ErrorSpans { get; private set; }

    /// <summary>Tool spans with status ERROR or <c>gen_ai.tool.status</c> error/failure.</summary>
    public long ToolErrors { get; private set; }

    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }

    /// <summary>Span-priced cost of model-call spans (kept apart from invocation-log cost so the two are never added).</summary>
    public decimal CostUsd { get; private set; }

    /// <summary>Model-call spans whose model has no price.</summary>
    public long Unpriced { get; private set; }

    public int Traces => _traces.Count;
    public int Sessions => _sessions.Count;

    public IReadOnlyDictionary<string, ModelTotals> ByModel => _byModel;
    public IReadOnlyDictionary<string, ToolTotals> ByTool => _byTool;

    public void Add(PricedSpan priced)
    {
        var span = priced.Span;
        Records++;
        _traces.Add(span.TraceId);
        if (span.SessionId is not null)
        {
            _sessions.Add(span.SessionId);
        }

        if (span.IsError)
        {
            ErrorSpans++;
        }

        switch (span.Class)
        {
            case SpanClass.ModelCall:
                AddModelCall(priced);
                break;
            case SpanClass.Tool:
                AddToolCall(span);
                break;
            case SpanClass.Agent:
                AgentInvocations++;
                break;
            case SpanClass.Other:
            default:
                break;
        }
    }

    public void AddRange(IEnumerable<PricedSpan> spans)
    {
        foreach (var span in spans)
        {
            Add(span);
        }
    }

    /// <summary>Adds a processed delivery: its spans, and its rejections attributed to span records.</summary>
    public void Add(BatchResult result)
    {
        AddRange(result.Spans);
        foreach (var rejection in result.Rejections)
        {
            if (rejection.Source == RecordSources.Span)
            {
                Rejected += rejection.Count;
            }
        }
    }

    /// <summary>Counts span records that were rejected (their reasons are reported elsewhere).</summary>
    public void AddRejected(long count) => Rejected += count;

    /// <summary>Writes the <c>"spans"</c> object (the caller writes the property name).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("records", Records);
        writer.WriteNumber("rejected", Rejected);
        writer.WriteNumber("modelCalls", ModelCalls);
        writer.WriteNumber("toolCalls", ToolCalls);
        writer.WriteNumber("agentInvocations", AgentInvocations);
        writer.WriteNumber("errorSpans", ErrorSpans);
        writer.WriteNumber("toolErrors", ToolErrors);
        writer.WriteNumber("traces", Traces);
        writer.WriteNumber("sessions", Sessions);
        writer.WriteNumber("inputTokens", InputTokens);
        writer.WriteNumber("outputTokens", OutputTokens);
        writer.WriteNumber("costUsd", RoundUsd(CostUsd));
        writer.WriteNumber("unpriced", Unpriced);

        writer.WriteStartObject("byModel");
        foreach (var (model, totals) in _byModel.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(model);
            writer.WriteNumber("calls", totals.Calls);
            writer.WriteNumber("inputTokens", totals.InputTokens);
            writer.WriteNumber("outputTokens", totals.OutputTokens);
            writer.WriteNumber("p50Ms", RoundMs(totals.Latency.Quantile(0.50)));
            writer.WriteNumber("p95Ms", RoundMs(totals.Latency.Quantile(0.95)));
            writer.WriteNumber("p99Ms", RoundMs(totals.Latency.Quantile(0.99)));
            writer.WriteNumber("costUsd", RoundUsd(totals.CostUsd));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("byTool");
        foreach (var (tool, totals) in _byTool.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(tool);
            writer.WriteNumber("calls", totals.Calls);
            writer.WriteNumber("errors", totals.Errors);
            writer.WriteNumber("p95Ms", RoundMs(totals.Latency.Quantile(0.95)));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>USD to micro-dollar precision, as the invocation summary shows it.</summary>
    public static decimal RoundUsd(decimal usd) => Math.Round(usd, 6, MidpointRounding.ToEven);

    /// <summary>Each span's cost as the store keeps it (micro-dollars, half-even), so replay equals report.</summary>
    private static decimal StoredUsd(decimal usd) => AggregateCounters.FromMicros(AggregateCounters.ToMicros(usd));

    private static double RoundMs(double? ms) => Math.Round(ms ?? 0, 3, MidpointRounding.ToEven);

    private void AddModelCall(PricedSpan priced)
    {
        var span = priced.Span;
        ModelCalls++;
        InputTokens += span.InputTokens;
        OutputTokens += span.OutputTokens;
        CostUsd += StoredUsd(priced.CostUsd);
        if (priced.Unpriced)
        {
            Unpriced++;
        }

        var key = span.Model ?? UnknownKey;
        if (!_byModel.TryGetValue(key, out var totals))
        {
            totals = new ModelTotals();
            _byModel[key] = totals;
        }

        totals.Calls++;
        totals.InputTokens += span.InputTokens;
        totals.OutputTokens += span.OutputTokens;
        totals.CostUsd += StoredUsd(priced.CostUsd);
        totals.Latency.Add(span.DurationMs);
    }

    private void AddToolCall(SpanRecord span)
    {
        ToolCalls++;
        if (span.ToolFailed)
        {
            ToolErrors++;
        }

        var key = span.ToolName ?? UnknownKey;
        if (!_byTool.TryGetValue(key, out var totals))
        {
            totals = new ToolTotals();
            _byTool[key] = totals;
        }

        totals.Calls++;
        if (span.ToolFailed)
        {
            totals.Errors++;
        }

        totals.Latency.Add(span.DurationMs);
    }

    public sealed class ModelTotals
    {
        public long Calls { get; internal set; }
        public long InputTokens { get; internal set; }
        public long OutputTokens { get; internal set; }
        public decimal CostUsd { get; internal set; }
        public LogHistogram Latency { get; } = new();
    }

    public sealed class ToolTotals
    {
        public long Calls { get; internal set; }
        public long Errors { get; internal set; }
        public LogHistogram Latency { get; } = new();
    }
}
