using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// ComponentP95High (warning): the span-duration p95 of a span component — <c>agent</c>,
/// <c>model:&lt;model&gt;</c>, <c>tool:&lt;tool&gt;</c>, <c>other:&lt;name&gt;</c>, as the ComponentLatency
/// metric names them — above the threshold (5 000 ms) over the window (15m), with at least
/// MinSamples (20) spans. One alert per component, labelled <c>component</c>, plus <c>tool</c>
/// for a tool (each tool is its own component, so tools are not evaluated twice).
/// </summary>
public sealed class ComponentP95HighRule : IAlertRule
{
    private const string ToolComponentPrefix = "tool:";

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "ComponentP95High",
        RuleSeverity.Warning,
        RuleDefinition.BasicParameters,
        new() { Threshold = 5_000m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "milliseconds (p95)");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var from = context.At - parameters.Window;
        var window = AlertText.Window(parameters.Window);
        var alerts = new List<FiringAlert>();
        var sums = await context.Data.SumByPrefixAsync(AggregateKeys.ComponentPrefix, from, context.At, cancellationToken).ConfigureAwait(false);
        foreach (var (key, counters) in sums)
        {
            var histogram = counters.Histogram(HistogramFamily.SpanDuration);
            if (parameters.P95AboveThreshold(histogram) is not { } p95)
            {
                continue;
            }

            var component = AggregateKeys.ValueOf(key);
            var labels = new List<KeyValuePair<string, string>> { new(RuleLabels.Component, component) };
            if (component.StartsWith(ToolComponentPrefix, StringComparison.Ordinal))
            {
                labels.Add(new(RuleLabels.Tool, component[ToolComponentPrefix.Length..]));
            }

            alerts.Add(new FiringAlert(
                Definition.Id,
                Definition.Severity,
                labels,
                $"Span p95 of component {component} is {AlertText.Milliseconds(p95)} over the last {window}",
                $"p95 duration of {AlertText.Count(histogram.Count)} spans of component {component} in the last {window} is {AlertText.Milliseconds(p95)} (p50 {AlertText.Milliseconds(histogram.Quantile(0.5)!.Value)}); {AlertText.Count(counters[CounterNames.SpanErrors])} spans failed; threshold {AlertText.Number(parameters.Threshold)} ms."));
        }

        return alerts;
    }
}
