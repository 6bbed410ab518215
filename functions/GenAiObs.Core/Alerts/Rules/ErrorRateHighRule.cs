using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>ErrorRateHigh (critical): invocation error rate above the threshold (default 5%) over the window (15m), with at least MinSamples (20) invocations.</summary>
public sealed class ErrorRateHighRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "ErrorRateHigh",
        RuleSeverity.Critical,
        RuleDefinition.BasicParameters,
        new() { Threshold = 5m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "percent of invocations");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var from = context.At - parameters.Window;
        var total = await context.Data.SumAsync(AggregateKeys.Total, from, context.At, cancellationToken).ConfigureAwait(false);
        var requests = total[CounterNames.Requests];
        var errors = total[CounterNames.Errors];
        if (requests == 0 || requests < parameters.MinSamples || errors * 100m / requests <= parameters.Threshold)
        {
            return [];
        }

        var models = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, from, context.At, cancellationToken).ConfigureAwait(false);
        var contributors = ContributorAnalysis.OfTotal(models, RuleLabels.Model, Measure.Errors, errors);
        var window = AlertText.Window(parameters.Window);
        var summary = $"Invocation error rate {AlertText.Ratio(errors, requests)} over the last {window} ({AlertText.Count(errors)} of {AlertText.Count(requests)} invocations failed)";
        var description = AlertText.Lines(
        [
            $"{AlertText.Count(errors)} of {AlertText.Count(requests)} Bedrock invocations failed in the last {window}, {AlertText.Count(total[CounterNames.Throttles])} of them throttled; threshold {AlertText.Number(parameters.Threshold)}%.",
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description, contributors)];
    }
}
