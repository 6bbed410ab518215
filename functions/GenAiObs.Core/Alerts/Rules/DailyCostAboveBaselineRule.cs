using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// DailyCostAboveBaseline (critical): invocation cost so far today (UTC) above the threshold
/// (150%) of the baseline daily cost — the mean of the 7 previous full days. Silent while the
/// total's baseline is warming up (fewer than 7 days of history) or the baseline is zero.
/// </summary>
public sealed class DailyCostAboveBaselineRule : IAlertRule
{
    private const int BaselineDays = 7;

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "DailyCostAboveBaseline",
        RuleSeverity.Critical,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
        new() { Threshold = 150m },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of the baseline daily cost");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        if (context.At == context.DayStart || !await context.IsWarmAsync(AggregateKeys.Total, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        var today = (From: context.DayStart, To: context.At);
        var before = (From: context.DayStart.AddDays(-BaselineDays), To: context.DayStart);
        var todayCost = Measure.CostUsd.Of(await context.Data.SumAsync(AggregateKeys.Total, today.From, today.To, cancellationToken).ConfigureAwait(false));
        var baseline = Measure.CostUsd.Of(await context.Data.SumAsync(AggregateKeys.Total, before.From, before.To, cancellationToken).ConfigureAwait(false)) / BaselineDays;
        if (baseline <= 0 || todayCost * 100m <= baseline * parameters.Threshold)
        {
            return [];
        }

        var increase = todayCost - baseline;
        var contributors = await ContributorAnalysis.TopOfIncreaseAsync(context.Data, today, before, 1m / BaselineDays, Measure.CostUsd, increase, cancellationToken).ConfigureAwait(false);
        var ratio = AlertText.Percent(todayCost / baseline);
        var summary = $"Cost so far today {AlertText.Usd(todayCost)} is {ratio} of the baseline daily cost {AlertText.Usd(baseline)}";
        var description = AlertText.Lines(
        [
            $"Invocation cost from 00:00 UTC to {context.At:HH:mm} UTC is {AlertText.Usd(todayCost)}, {AlertText.Usd(increase)} above the baseline of {AlertText.Usd(baseline)} (mean daily cost of the {BaselineDays} previous full days); threshold {AlertText.Number(parameters.Threshold)}%.",
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description, contributors)];
    }
}
