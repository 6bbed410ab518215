using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>LatencyP95High (critical): invocation latency p95 above the threshold (10 000 ms) over the window (15m), with at least MinSamples (20) samples.</summary>
public sealed class LatencyP95HighRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "LatencyP95High",
        RuleSeverity.Critical,
        RuleDefinition.BasicParameters,
        new() { Threshold = 10_000m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "milliseconds (p95)");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var from = context.At - parameters.Window;
        var total = await context.Data.SumAsync(AggregateKeys.Total, from, context.At, cancellationToken).ConfigureAwait(false);
        var histogram = total.Histogram(HistogramFamily.Latency);
        if (parameters.P95AboveThreshold(histogram) is not { } p95)
        {
            return [];
        }

        var models = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, from, context.At, cancellationToken).ConfigureAwait(false);
        var slowest = models
            .Select(pair => (Model: AggregateKeys.ValueOf(pair.Key), Histogram: pair.Value.Histogram(HistogramFamily.Latency)))
            .Where(entry => entry.Histogram.Count > 0)
            .Select(entry => (entry.Model, P95: entry.Histogram.Quantile(0.95)!.Value, entry.Histogram.Count))
            .OrderByDescending(entry => entry.P95)
            .ThenBy(entry => entry.Model, StringComparer.Ordinal)
            .Take(ContributorAnalysis.DefaultLimit)
            .Select(entry => $"- model {entry.Model}: p95 {AlertText.Milliseconds(entry.P95)} over {AlertText.Count(entry.Count)} invocations")
            .ToList();
        var window = AlertText.Window(parameters.Window);
        var summary = $"Invocation latency p95 {AlertText.Milliseconds(p95)} over the last {window} (threshold {AlertText.Number(parameters.Threshold)} ms)";
        var description = AlertText.Lines(
        [
            $"p95 of {AlertText.Count(histogram.Count)} invocation latencies in the last {window} is {AlertText.Milliseconds(p95)}; p50 {AlertText.Milliseconds(histogram.Quantile(0.5)!.Value)}, p99 {AlertText.Milliseconds(histogram.Quantile(0.99)!.Value)}.",
            .. slowest.Count > 0 ? ["Slowest models:", .. slowest] : Array.Empty<string>(),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description)];
    }
}
