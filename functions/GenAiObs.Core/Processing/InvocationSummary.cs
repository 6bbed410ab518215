using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Totals over invocation records, in the shape of the CLI's <c>"invocations"</c> JSON object:
/// overall, by model (as logged) and by principal. <c>records</c> counts accepted records
/// including failed calls; <c>stopReasons</c> and <c>unpriced</c> count successful calls only.
/// </summary>
public sealed class InvocationSummary
{
    private readonly Dictionary<string, ModelTotals> _byModel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PrincipalTotals> _byPrincipal = new(StringComparer.Ordinal);

    public Totals Overall { get; } = new();

    public long Rejected { get; private set; }

    public IReadOnlyDictionary<string, ModelTotals> ByModel => _byModel;

    public IReadOnlyDictionary<string, PrincipalTotals> ByPrincipal => _byPrincipal;

    public void Add(PricedInvocation invocation)
    {
        Overall.Add(invocation);
        if (!_byModel.TryGetValue(invocation.Record.ModelId, out var model))
        {
            model = new ModelTotals();
            _byModel[invocation.Record.ModelId] = model;
        }

        model.Add(invocation);
        model.Priced &= invocation.Priced;
        model.NotTokenPricedModel |= invocation.NotTokenPriced;

        if (!_byPrincipal.TryGetValue(invocation.Record.Principal, out var principal))
        {
            principal = new PrincipalTotals();
            _byPrincipal[invocation.Record.Principal] = principal;
        }

        principal.Records++;
        principal.CostUsd += StoredUsd(invocation.CostUsd);
    }

    public void AddRejected(long count) => Rejected += count;

    /// <summary>Writes the <c>"invocations"</c> object's members (the caller writes the name and braces' owner).</summary>
    public void WriteJson(Utf8JsonWriter writer, bool includeRejected = true)
    {
        writer.WriteStartObject();
        writer.WriteNumber("records", Overall.Records);
        if (includeRejected)
        {
            writer.WriteNumber("rejected", Rejected);
        }

        Overall.WriteMembers(writer);
        writer.WriteNumber("unpriced", Overall.Unpriced);
        writer.WriteNumber("notTokenPriced", Overall.NotTokenPriced);
        Overall.WriteUnitMembers(writer);
        WriteStopReasons(writer, Overall.StopReasons);

        writer.WriteStartObject("byModel");
        foreach (var (model, totals) in _byModel.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(model);
            writer.WriteNumber("records", totals.Records);
            totals.WriteMembers(writer);
            writer.WriteBoolean("priced", totals.Priced);
            if (totals.NotTokenPricedModel)
            {
                writer.WriteBoolean("notTokenPriced", true);
                writer.WriteBoolean("perUnitPriced", totals.PerUnitUnpriced == 0);
            }

            totals.WriteUnitMembers(writer);

            WriteStopReasons(writer, totals.StopReasons);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("byPrincipal");
        foreach (var (principal, totals) in _byPrincipal.OrderByDescending(p => p.Value.CostUsd).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(principal);
            writer.WriteNumber("records", totals.Records);
            writer.WriteNumber("costUsd", RoundUsd(totals.CostUsd));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>USD shown to micro-dollar precision, the precision aggregates are stored with.</summary>
    public static decimal RoundUsd(decimal usd) => Math.Round(usd, 6, MidpointRounding.ToEven);

    /// <summary>
    /// Each record's cost as the store keeps it (rounded half-even to micro-dollars before
    /// summing), so replay totals equal what <c>report</c> reads back from DynamoDB.
    /// </summary>
    private static decimal StoredUsd(decimal usd) => AggregateCounters.FromMicros(AggregateCounters.ToMicros(usd));

    private static void WriteStopReasons(Utf8JsonWriter writer, IReadOnlyDictionary<string, long> stopReasons)
    {
        writer.WriteStartObject("stopReasons");
        foreach (var reason in StopReasons.All)
        {
            if (stopReasons.TryGetValue(reason, out var count))
            {
                writer.WriteNumber(reason, count);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Counters shared by the overall and per-model totals.</summary>
    public class Totals
    {
        private readonly Dictionary<string, long> _stopReasons = new(StringComparer.Ordinal);

        public long Records { get; private set; }
        public long Errors { get; private set; }
        public long InputTokens { get; private set; }
        public long OutputTokens { get; private set; }
        public long CacheReadTokens { get; private set; }
        public long CacheWriteTokens { get; private set; }
        public decimal CostUsd { get; private set; }
        public long Unpriced { get; private set; }

        /// <summary>Successful calls of a model billed per image, second or request (not priced by tokens, not unpriced).</summary>
        public long NotTokenPriced { get; private set; }

        /// <summary>Images generated by successful calls of image models.</summary>
        public long Images { get; private set; }

        /// <summary>Seconds of video requested by successful calls of video models.</summary>
        public long VideoSeconds { get; private set; }

        /// <summary>The per-unit part of <see cref="CostUsd"/>: images and video seconds at their per-unit prices.</summary>
        public decimal PerUnitCostUsd { get; private set; }

        /// <summary>Successful not-token-priced calls whose units have no per-unit price (counted, not in the cost).</summary>
        public long PerUnitUnpriced { get; private set; }

        public IReadOnlyDictionary<string, long> StopReasons => _stopReasons;

        /// <summary>(end_turn + tool_use) / (end_turn + tool_use + max_tokens); null when none of those occurred.</summary>
        public double? CompletionRate
        {
            get
            {
                var complete = Count(GenAiObs.Core.Records.StopReasons.EndTurn) + Count(GenAiObs.Core.Records.StopReasons.ToolUse);
                var total = complete + Count(GenAiObs.Core.Records.StopReasons.MaxTokens);
                return total == 0 ? null : (double)complete / total;
            }
        }

        internal void Add(PricedInvocation invocation)
        {
            var record = invocation.Record;
            Records++;
            InputTokens += record.InputTokens;
            OutputTokens += record.OutputTokens;
            CacheReadTokens += record.CacheReadTokens;
            CacheWriteTokens += record.CacheWriteTokens;
            CostUsd += StoredUsd(invocation.CostUsd);
            if (record.IsError)
            {
                Errors++;
                return;
            }

            if (invocation.Unpriced)
            {
                Unpriced++;
            }
            else if (invocation.NotTokenPriced)
            {
                NotTokenPriced++;
            }

            if (invocation.PerUnit is { } units)
            {
                Images += units.Unit == "image" ? units.Units : 0;
                VideoSeconds += units.Unit == "second" ? units.Units : 0;
                PerUnitCostUsd += StoredUsd(units.CostUsd);
                PerUnitUnpriced += units.Priced ? 0 : 1;
            }

            _stopReasons[record.StopReason] = Count(record.StopReason) + 1;
        }

        internal void WriteMembers(Utf8JsonWriter writer)
        {
            writer.WriteNumber("errors", Errors);
            writer.WriteNumber("inputTokens", InputTokens);
            writer.WriteNumber("outputTokens", OutputTokens);
            writer.WriteNumber("cacheReadTokens", CacheReadTokens);
            writer.WriteNumber("cacheWriteTokens", CacheWriteTokens);
            writer.WriteNumber("costUsd", RoundUsd(CostUsd));
        }

        /// <summary>images, videoSeconds and perUnitCostUsd, each only when not 0 (a replay without image or video models reads as before).</summary>
        internal void WriteUnitMembers(Utf8JsonWriter writer)
        {
            if (Images != 0)
            {
                writer.WriteNumber("images", Images);
            }

            if (VideoSeconds != 0)
            {
                writer.WriteNumber("videoSeconds", VideoSeconds);
            }

            if (PerUnitCostUsd != 0)
            {
                writer.WriteNumber("perUnitCostUsd", RoundUsd(PerUnitCostUsd));
            }
        }

        private long Count(string reason) => _stopReasons.TryGetValue(reason, out var n) ? n : 0;
    }

    public sealed class ModelTotals : Totals
    {
        public bool Priced { get; internal set; } = true;

        /// <summary>The model is billed per image, second or request (the table's <c>notTokenPriced</c>).</summary>
        public bool NotTokenPricedModel { get; internal set; }
    }

    public sealed class PrincipalTotals
    {
        public long Records { get; internal set; }
        public decimal CostUsd { get; internal set; }
    }
}
