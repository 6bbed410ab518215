using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// UnpricedModelInUse (warning): at least MinSamples (1) invocations — from invocation logs or
/// model-call spans — of a model without a price in the window (1h). Their cost is counted as
/// unpriced rather than $0, so cost alerts under-report until the price table is updated; the
/// text names the command that refreshes it.
/// </summary>
public sealed class UnpricedModelInUseRule : IAlertRule
{
    /// <summary>The command the alert tells the reader to run.</summary>
    public const string FixCommand = "genaiobs prices refresh --out prices.json";

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "UnpricedModelInUse",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Window | RuleParameterKinds.MinSamples,
        new() { Window = TimeSpan.FromHours(1), MinSamples = 1 },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "unpriced invocations");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var from = context.At - parameters.Window;
        var counts = new SortedDictionary<string, (long Invocations, long Spans)>(StringComparer.Ordinal);
        foreach (var (key, counters) in await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, from, context.At, cancellationToken).ConfigureAwait(false))
        {
            if (counters[CounterNames.UnpricedAny] > 0)
            {
                var model = AggregateKeys.ValueOf(key);
                counts[model] = (counters[CounterNames.UnpricedAny], counts.GetValueOrDefault(model).Spans);
            }
        }

        foreach (var (key, counters) in await context.Data.SumByPrefixAsync(AggregateKeys.SpanModelPrefix, from, context.At, cancellationToken).ConfigureAwait(false))
        {
            if (counters[CounterNames.SpanUnpriced] > 0)
            {
                var model = AggregateKeys.ValueOf(key);
                counts[model] = (counts.GetValueOrDefault(model).Invocations, counters[CounterNames.SpanUnpriced]);
            }
        }

        var window = AlertText.Window(parameters.Window);
        var minimum = Math.Max(1, parameters.MinSamples);
        return [.. counts
            .Where(pair => pair.Value.Invocations + pair.Value.Spans >= minimum)
            .Select(pair => new FiringAlert(
                Definition.Id,
                Definition.Severity,
                [new(RuleLabels.Model, pair.Key)],
                $"Model {pair.Key} has no price: {AlertText.Count(pair.Value.Invocations + pair.Value.Spans)} calls in the last {window} are unpriced",
                $"{AlertText.Count(pair.Value.Invocations)} invocations and {AlertText.Count(pair.Value.Spans)} model-call spans of {pair.Key} in the last {window} matched no entry of the price table; their cost is not in any cost figure. Fix: run `{FixCommand}` (reads current prices from the AWS Price List; or add the model to a copy of the table by hand), check it with `genaiobs prices check prices.json`, and upload it to the stack's price table object (parameters PricesBucketName/PricesObjectKey), read at the next cold start."))];
    }
}
