using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>ModelUnavailable (critical): a model with at least MinSamples (10) calls in the window (15m), every one of which failed. One alert per model.</summary>
public sealed class ModelUnavailableRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "ModelUnavailable",
        RuleSeverity.Critical,
        RuleParameterKinds.Enabled | RuleParameterKinds.Window | RuleParameterKinds.MinSamples,
        new() { Threshold = 100m, Window = TimeSpan.FromMinutes(15), MinSamples = 10 },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "percent of calls failed (fixed: every one)");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var models = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, context.At - parameters.Window, context.At, cancellationToken).ConfigureAwait(false);
        var window = AlertText.Window(parameters.Window);
        var alerts = new List<FiringAlert>();
        foreach (var (key, counters) in models)
        {
            var requests = counters[CounterNames.Requests];
            var errors = counters[CounterNames.Errors];
            if (requests == 0 || requests < parameters.MinSamples || errors < requests)
            {
                continue;
            }

            var model = AggregateKeys.ValueOf(key);
            alerts.Add(new FiringAlert(
                Definition.Id,
                Definition.Severity,
                [new(RuleLabels.Model, model)],
                $"Model {model} unavailable: all {AlertText.Count(requests)} calls in the last {window} failed",
                $"Every one of the {AlertText.Count(requests)} invocations of {model} in the last {window} failed ({AlertText.Count(counters[CounterNames.Throttles])} throttled)."));
        }

        return alerts;
    }
}
