using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Records;

namespace GenAiObs.Cli;

/// <summary>The human-readable <c>replay</c> report: cost, tokens and stop reasons by model, top principals, agent spans.</summary>
/// <remarks>The project builds with InvariantGlobalization, so interpolated numbers use the invariant culture.</remarks>
internal static class ReplayTable
{
    private const int TopPrincipals = 10;

    /// <param name="alerts">The simulated notifications; null when the simulation did not run (<c>--no-alerts</c>).</param>
    public static string Render(IReadOnlyList<string> files, InvocationSummary invocations, SpanSummary spans, IReadOnlyList<SimulatedNotification>? alerts, PriceTable prices, IReadOnlyDictionary<string, AggregateCounters>? sums = null)
    {
        var text = new StringBuilder();
        var overall = invocations.Overall;
        Line(text, $"Replayed {files.Count} file(s) with prices effective {prices.EffectiveDate}");
        Line(text, $"Invocation records: {overall.Records:N0} ({overall.Errors:N0} failed calls, {invocations.Rejected:N0} rejected log events)");
        Line(text, $"Total cost: ${overall.CostUsd:N4}   input {overall.InputTokens:N0} · output {overall.OutputTokens:N0} · cache read {overall.CacheReadTokens:N0} · cache write {overall.CacheWriteTokens:N0} tokens");
        Line(text, overall.CompletionRate is { } rate
            ? $"Completion rate (end_turn + tool_use vs max_tokens): {rate:P1}"
            : "Completion rate: no completed or truncated answers");
        if (overall.Unpriced > 0)
        {
            Line(text, $"WARNING: {overall.Unpriced:N0} successful calls used a model with no price (not counted as $0 — add it with --prices; `genaiobs prices refresh` reads current prices)");
        }

        if (overall.NotTokenPriced > 0)
        {
            Line(text, $"Note: {overall.NotTokenPriced:N0} successful calls used image/video models billed per image or second (not token-priced): {overall.Images:N0} images, {overall.VideoSeconds:N0} s of video, ${overall.PerUnitCostUsd:N4} at per-unit prices (in the total cost)");
            if (overall.PerUnitUnpriced > 0)
            {
                Line(text, $"WARNING: {overall.PerUnitUnpriced:N0} of them have no per-unit price for their model, quality or size (units counted, not in the cost — add a perUnit tier with --prices)");
            }
        }

        text.AppendLine();
        Line(text, $"{"Model",-48} {"Calls",7} {"Errors",7} {"Input tok",11} {"Output tok",11} {"Cost USD",11}  Stop reasons");
        foreach (var (model, totals) in invocations.ByModel.OrderByDescending(m => m.Value.CostUsd).ThenBy(m => m.Key, StringComparer.Ordinal))
        {
            var cost = totals.Priced || (totals.NotTokenPricedModel && totals.PerUnitUnpriced == 0)
                ? totals.CostUsd.ToString("N4", CultureInfo.InvariantCulture)
                : totals.NotTokenPricedModel ? "per-unit" : "unpriced";
            Line(text, $"{Shorten(model, 48),-48} {totals.Records,7:N0} {totals.Errors,7:N0} {totals.InputTokens,11:N0} {totals.OutputTokens,11:N0} {cost,11}  {StopReasonList(totals.StopReasons)}");
        }

        RenderPerUnit(text, invocations);

        text.AppendLine();
        Line(text, $"Top principals by cost (of {invocations.ByPrincipal.Count})");
        foreach (var (principal, totals) in invocations.ByPrincipal.OrderByDescending(p => p.Value.CostUsd).ThenBy(p => p.Key, StringComparer.Ordinal).Take(TopPrincipals))
        {
            Line(text, $"  {Shorten(principal, 46),-46} {totals.Records,7:N0} calls  ${totals.CostUsd,10:N4}");
        }

        RenderSpans(text, spans);
        if (sums is not null && FeatureReport.HasAny(sums))
        {
            RenderFeatures(text, sums);
            if (VariantComparison.Compare(sums) is { Count: > 0 } comparisons)
            {
                text.AppendLine();
                Line(text, $"A/B comparisons (B vs A; two-proportion z for satisfaction, Welch's t for evaluation score and cost per request, Mann-Whitney U for latency)");
                foreach (var line in ComparisonReport.Lines(comparisons))
                {
                    Line(text, $"  {line}");
                }
            }
        }

        RenderAlerts(text, alerts);
        return text.ToString();
    }

    /// <summary>Image and video models: their units and per-unit cost (the JSON's <c>images</c>, <c>videoSeconds</c>, <c>perUnitCostUsd</c>).</summary>
    private static void RenderPerUnit(StringBuilder text, InvocationSummary invocations)
    {
        var models = invocations.ByModel.Where(m => m.Value.NotTokenPricedModel).OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        if (models.Count == 0)
        {
            return;
        }

        text.AppendLine();
        Line(text, $"{"Image / video model (per-unit prices)",-48} {"Calls",7} {"Images",8} {"Video s",8} {"Cost USD",11}");
        foreach (var (model, totals) in models)
        {
            var cost = totals.PerUnitUnpriced == 0 ? totals.PerUnitCostUsd.ToString("N4", CultureInfo.InvariantCulture) : $"{totals.PerUnitUnpriced:N0} unpriced";
            Line(text, $"{Shorten(model, 48),-48} {totals.Records,7:N0} {totals.Images,8:N0} {totals.VideoSeconds,8:N0} {cost,11}");
        }
    }

    /// <summary>Per feature and A/B arm, from invocation logs (the same figures as the JSON's <c>features</c>).</summary>
    private static void RenderFeatures(StringBuilder text, IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        text.AppendLine();
        Line(text, $"{"Feature / variant",-34} {"Requests",8} {"Err %",6} {"Cost USD",10} {"p50 ms",8} {"p95 ms",8} {"Compl %",7} {"Out tok/$",10} {"Sat %",6} {"Eval",6} {"$/satisfied",11}");
        foreach (var (key, counters) in sums
                     .Where(pair => pair.Key.StartsWith(AggregateKeys.FeaturePrefix, StringComparison.Ordinal) || pair.Key.StartsWith(AggregateKeys.VariantPrefix, StringComparison.Ordinal))
                     .Select(pair => (Key: FeatureRowName(pair.Key), pair.Value))
                     .OrderBy(row => row.Key, StringComparer.Ordinal))
        {
            var f = FeatureFigures.FromInvocations(counters);
            var q = QualityFigures.From(counters);
            if (f.Requests == 0 && q.IsEmpty)
            {
                continue;
            }

            var score = q.MeanScore is { } mean ? mean.ToString("F2", CultureInfo.InvariantCulture) : "-";
            var perSatisfied = q.CostPerSatisfiedRequestUsd is { } usd ? usd.ToString("N4", CultureInfo.InvariantCulture) : "-";
            Line(text, $"{Shorten(key, 34),-34} {f.Requests,8:N0} {Percent(f.ErrorRate),6} {f.CostUsd,10:N4} {Number(f.LatencyP50Ms),8} {Number(f.LatencyP95Ms),8} {Percent(f.CompletionRate),7} {Number(f.OutputTokensPerUsd),10} {Percent(q.SatisfactionRate),6} {score,6} {perSatisfied,11}");
        }
    }

    /// <summary><c>feature</c> for a feature key, <c>feature / arm</c> for a variant key (so arms sort under their feature).</summary>
    private static string FeatureRowName(string key)
    {
        if (key.StartsWith(AggregateKeys.FeaturePrefix, StringComparison.Ordinal))
        {
            return key[AggregateKeys.FeaturePrefix.Length..];
        }

        var (feature, arm) = AggregateKeys.SplitVariant(key[AggregateKeys.VariantPrefix.Length..]);
        return arm.Length == 0 ? feature + " / " + feature : feature + " / " + arm;
    }

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Number(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static void RenderAlerts(StringBuilder text, IReadOnlyList<SimulatedNotification>? alerts)
    {
        text.AppendLine();
        if (alerts is null)
        {
            Line(text, "Alerts: not simulated (--no-alerts)");
            return;
        }

        if (alerts.Count == 0)
        {
            Line(text, "Alerts: none would have been sent");
            return;
        }

        Line(text, $"Alerts that would have been sent ({alerts.Count}, after grouping and repeat intervals):");
        foreach (var alert in alerts)
        {
            Line(text, $"  {alert.At.UtcDateTime:yyyy-MM-dd HH:mm}Z {alert.Status,-8} {alert.Severity,-8} {alert.Rule,-24} → {alert.Receiver,-12} {Shorten(alert.Summary, 90)}");
        }
    }

    private static void RenderSpans(StringBuilder text, SpanSummary spans)
    {
        // Read the span totals through their JSON contract, so this table shows exactly what --json reports.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            spans.WriteJson(writer);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        var root = document.RootElement;
        var records = root.GetProperty("records").GetInt64();
        text.AppendLine();
        if (records == 0)
        {
            Line(text, "Agent spans: none in the input");
            return;
        }

        Line(text, $"Agent spans: {records:N0} ({root.GetProperty("rejected").GetInt64():N0} rejected) in {root.GetProperty("traces").GetInt64():N0} traces, {root.GetProperty("sessions").GetInt64():N0} sessions");
        Line(text, $"  agent invocations {root.GetProperty("agentInvocations").GetInt64():N0} · model calls {root.GetProperty("modelCalls").GetInt64():N0} · tool calls {root.GetProperty("toolCalls").GetInt64():N0} · tool errors {root.GetProperty("toolErrors").GetInt64():N0} · error spans {root.GetProperty("errorSpans").GetInt64():N0}");
        Line(text, $"  {"Model (spans)",-46} {"Calls",7} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9}");
        foreach (var model in root.GetProperty("byModel").EnumerateObject())
        {
            Line(text, $"  {Shorten(model.Name, 46),-46} {model.Value.GetProperty("calls").GetInt64(),7:N0} {Ms(model.Value, "p50Ms"),9} {Ms(model.Value, "p95Ms"),9} {Ms(model.Value, "p99Ms"),9}");
        }

        Line(text, $"  {"Tool",-46} {"Calls",7} {"Errors",9} {"p95 ms",9}");
        foreach (var tool in root.GetProperty("byTool").EnumerateObject())
        {
            Line(text, $"  {Shorten(tool.Name, 46),-46} {tool.Value.GetProperty("calls").GetInt64(),7:N0} {tool.Value.GetProperty("errors").GetInt64(),9:N0} {Ms(tool.Value, "p95Ms"),9}");
        }
    }

    private static string Ms(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString("F0", CultureInfo.InvariantCulture)
            : "-";

    private static string StopReasonList(IReadOnlyDictionary<string, long> reasons) =>
        string.Join(", ", StopReasons.All.Where(reasons.ContainsKey).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r} {reasons[r]}")));

    private static string Shorten(string value, int width) => value.Length <= width ? value : string.Concat(value.AsSpan(0, width - 1), "…");

    private static void Line(StringBuilder text, string line) => text.AppendLine(line);
}
