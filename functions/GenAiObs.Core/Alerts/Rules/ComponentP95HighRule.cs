using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// ComponentP95High (warning): the span-duration p95 of a span component (agent, model_call,
/// tool, other:&lt;name&gt;) or of one tool above the threshold (5 000 ms) over the window (15m),
/// with at least MinSamples (20) spans. One alert per component or tool.
/// </summary>
public sealed class ComponentP95HighRule : IAlertRule
{
    public string Id => RuleIds.ComponentP95High;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Id);
        var from = context.At - parameters.Window;
        var window = AlertText.Window(parameters.Window);
        var alerts = new List<FiringAlert>();
        foreach (var (prefix, label) in new[] { (AggregateKeys.ComponentPrefix, RuleLabels.Component), (AggregateKeys.ToolPrefix, RuleLabels.Tool) })
        {
            var sums = await context.Data.SumByPrefixAsync(prefix, from, context.At, cancellationToken).ConfigureAwait(false);
            foreach (var (key, counters) in sums)
            {
                var histogram = counters.Histogram(HistogramFamily.SpanDuration);
                if (histogram.Count == 0 || histogram.Count < parameters.MinSamples || histogram.Quantile(0.95) is not { } p95 || (decimal)p95 <= parameters.Threshold)
                {
                    continue;
                }

                var name = AggregateKeys.ValueOf(key);
                alerts.Add(new FiringAlert(
                    Id,
                    RuleSeverity.Warning,
                    [new(label, name)],
                    $"Span p95 of {label} {name} is {AlertText.Milliseconds(p95)} over the last {window}",
                    $"p95 duration of {AlertText.Count(histogram.Count)} spans of {label} {name} in the last {window} is {AlertText.Milliseconds(p95)} (p50 {AlertText.Milliseconds(histogram.Quantile(0.5)!.Value)}); {AlertText.Count(counters[CounterNames.SpanErrors])} spans failed; threshold {AlertText.Number(parameters.Threshold)} ms."));
            }
        }

        return alerts;
    }
}
