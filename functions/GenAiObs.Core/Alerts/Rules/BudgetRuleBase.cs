using System.Globalization;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// The once-per-month budget notices: month-to-date invocation cost at or above a percentage of
/// <c>GENAIOBS_MONTHLY_BUDGET_USD</c>. Silent without a budget. The alert is one-shot with
/// <c>period=&lt;yyyy-MM&gt;</c>: it keeps being raised for the rest of the month (month-to-date
/// cost only grows) and is notified once.
/// </summary>
public abstract class BudgetRuleBase : IAlertRule
{
    RuleDefinition IAlertRule.Definition => Own;

    /// <summary>The concrete rule's definition.</summary>
    private protected abstract RuleDefinition Own { get; }

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Own.Id);
        if (context.Settings.MonthlyBudgetUsd is not { } budget || budget <= 0 || context.At == context.MonthStart)
        {
            return [];
        }

        var monthToDate = Measure.CostUsd.Of(await context.Data.SumAsync(AggregateKeys.Total, context.MonthStart, context.At, cancellationToken).ConfigureAwait(false));
        if (monthToDate * 100m < budget * parameters.Threshold)
        {
            return [];
        }

        var contributors = await ContributorAnalysis.TopOfTotalAsync(context.Data, context.MonthStart, context.At, Measure.CostUsd, monthToDate, cancellationToken).ConfigureAwait(false);
        var period = context.MonthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var used = AlertText.Percent(monthToDate / budget);
        var summary = $"{Headline} {period}: month-to-date cost {AlertText.Usd(monthToDate)} is {used} of the {AlertText.Usd(budget)} monthly budget";
        var description = AlertText.Lines(
        [
            $"Invocation cost from {context.MonthStart:yyyy-MM-dd} to {context.At:yyyy-MM-dd HH:mm} UTC is {AlertText.Usd(monthToDate)}, {used} of GENAIOBS_MONTHLY_BUDGET_USD = {AlertText.Usd(budget)} (notice at {AlertText.Number(parameters.Threshold)}%). Sent once per month.",
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Own.Id, Own.Severity, [new(RuleLabels.Period, period)], summary, description, contributors, oneShot: true)];
    }

    private protected abstract string Headline { get; }
}
