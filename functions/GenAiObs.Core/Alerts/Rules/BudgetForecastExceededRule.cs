using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// BudgetForecastExceeded (warning, once per month): the month-end spend forecast from
/// month-to-date daily costs with day-of-week seasonality (<see cref="MonthEndForecaster"/>)
/// reaches the threshold (100%) of <c>GENAIOBS_MONTHLY_BUDGET_USD</c> while month-to-date cost is
/// still below the budget — the early warning, days before MonthlyBudgetExceeded. Silent without
/// a budget, before <c>MIN_SAMPLES</c> complete days of the month (default 3), and once the
/// budget is spent (MonthlyBudgetExceeded speaks then). One-shot with <c>period=&lt;yyyy-MM&gt;</c>,
/// like the budget notices.
/// </summary>
public sealed class BudgetForecastExceededRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "BudgetForecastExceeded",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.MinSamples,
        new() { Threshold = 100m, MinSamples = 3 },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of GENAIOBS_MONTHLY_BUDGET_USD");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var completeDays = (int)(context.DayStart - context.MonthStart).TotalDays;
        if (context.Settings.MonthlyBudgetUsd is not { } budget || budget <= 0 || completeDays < Math.Max(1, parameters.MinSamples))
        {
            return [];
        }

        var monthToDate = Measure.CostUsd.Of(await context.Data.SumAsync(AggregateKeys.Total, context.MonthStart, context.At, cancellationToken).ConfigureAwait(false));
        if (monthToDate >= budget)
        {
            return [];
        }

        var dailyCosts = await DailyCostsAsync(context, cancellationToken).ConfigureAwait(false);
        if (MonthEndForecaster.Forecast(dailyCosts, monthToDate, context.At) is not { } forecast ||
            forecast.Forecast * 100m < budget * parameters.Threshold)
        {
            return [];
        }

        var contributors = await ContributorAnalysis.TopOfTotalAsync(context.Data, context.MonthStart, context.At, Measure.CostUsd, monthToDate, cancellationToken).ConfigureAwait(false);
        var period = context.MonthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var crossing = forecast.CrossingDay(budget);
        var crossingText = crossing is { } day
            ? "at the current rate the budget is crossed on " + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : "at the current rate the budget is not crossed this month";
        var summary = $"Budget forecast exceeded for {period}: month-end spend forecast {AlertText.Usd(forecast.Forecast)} " +
            $"(range {AlertText.Usd(forecast.Low)}–{AlertText.Usd(forecast.High)}) is {AlertText.Percent(forecast.Forecast / budget)} " +
            $"of the {AlertText.Usd(budget)} monthly budget; {crossingText}";
        var seasonality = forecast.Seasonal
            ? $"weekday factors from the last {forecast.HistoryDays} complete days (Mon–Sun {WeekdayFactors(forecast)})"
            : $"a flat daily mean (only {forecast.HistoryDays} complete days of history, weekday factors need {MonthEndForecaster.MinSeasonalityDays})";
        var description = AlertText.Lines(
        [
            $"Invocation cost from {context.MonthStart:yyyy-MM-dd} to {context.At:yyyy-MM-dd HH:mm} UTC is {AlertText.Usd(monthToDate)}, {AlertText.Percent(monthToDate / budget)} of GENAIOBS_MONTHLY_BUDGET_USD = {AlertText.Usd(budget)}.",
            $"Forecast: month-to-date plus the weekday-adjusted daily rate {AlertText.Usd(forecast.DailyRate)} (mean of {forecast.RateDays} complete days this month) over the rest of the month, with {seasonality}; the range is a 95% prediction interval. Notice at {AlertText.Number(parameters.Threshold)}% of the budget; sent once per month.",
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [new(RuleLabels.Period, period)], summary, description, contributors, oneShot: true)];
    }

    /// <summary>
    /// Daily cost of the complete days of the last <see cref="MonthEndForecaster.SeasonalityDays"/>, from
    /// the first day with data to yesterday; a day without a rollup after that first day cost nothing.
    /// </summary>
    private static async Task<IReadOnlyList<decimal>> DailyCostsAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var from = context.DayStart.AddDays(-MonthEndForecaster.SeasonalityDays);
        var items = await context.Data.SeriesAsync(AggregateKeys.Total, Granularity.Daily, from, context.DayStart, cancellationToken).ConfigureAwait(false);
        var byDay = items.ToDictionary(item => item.BucketStart, item => Measure.CostUsd.Of(item.Counters));
        if (byDay.Count == 0)
        {
            return [];
        }

        var costs = new List<decimal>();
        for (var day = byDay.Keys.Min(); day < context.DayStart; day = day.AddDays(1))
        {
            costs.Add(byDay.TryGetValue(day, out var cost) ? cost : 0m);
        }

        return costs;
    }

    private static string WeekdayFactors(MonthEndForecast forecast) =>
        string.Join(" ", Enumerable.Range(1, 7).Select(i => forecast.WeekdayFactors[i % 7].ToString("0.00", CultureInfo.InvariantCulture)));
}
