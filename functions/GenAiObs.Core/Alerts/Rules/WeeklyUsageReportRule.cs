using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Quality;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// WeeklyUsageReport (info, once per week): on the configured weekday (Day, default Monday) from
/// HourUtc (08 UTC), the report of the 7 full days before that day against the 7 days before
/// them — usage and cost trend, cost per day, a model comparison and, when features run A/B
/// arms, each pair's verdict (<see cref="VariantComparison"/>). One-shot with
/// <c>period=&lt;ISO week of the reported days, yyyy-Www&gt;</c>: raised until the next report day
/// and notified once. Silent for a week with no activity.
/// </summary>
public sealed class WeeklyUsageReportRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "WeeklyUsageReport",
        RuleSeverity.Info,
        RuleParameterKinds.Enabled | RuleParameterKinds.HourUtc | RuleParameterKinds.Day,
        new() { HourUtc = 8, Day = DayOfWeek.Monday },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "none");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var daysSince = ((int)context.DayStart.DayOfWeek - (int)parameters.Day + 7) % 7;
        var reportDay = context.DayStart.AddDays(-daysSince);
        if (context.At < reportDay.AddHours(parameters.HourUtc))
        {
            return [];
        }

        var week = (From: reportDay.AddDays(-7), To: reportDay);
        var previous = (From: reportDay.AddDays(-14), To: week.From);
        var now = await context.Data.SumAsync(AggregateKeys.Total, week.From, week.To, cancellationToken).ConfigureAwait(false);
        if (now[CounterNames.Requests] == 0 && now[CounterNames.Spans] == 0)
        {
            return [];
        }

        var before = await context.Data.SumAsync(AggregateKeys.Total, previous.From, previous.To, cancellationToken).ConfigureAwait(false);
        var modelsNow = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, week.From, week.To, cancellationToken).ConfigureAwait(false);
        var modelsBefore = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, previous.From, previous.To, cancellationToken).ConfigureAwait(false);
        var days = await context.Data.SeriesAsync(AggregateKeys.Total, Granularity.Daily, week.From, week.To, cancellationToken).ConfigureAwait(false);

        var cost = Measure.CostUsd.Of(now);
        var tokens = Measure.Tokens.Of(now);
        var period = string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(week.From.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(week.From.UtcDateTime):00}");
        var contributors = await ContributorAnalysis.TopOfTotalAsync(context.Data, week.From, week.To, Measure.CostUsd, cost, cancellationToken).ConfigureAwait(false);

        // A/B arms of each feature over the reported week (daily rollups keep the variant keys).
        var variants = await context.Data.SumByPrefixAsync(AggregateKeys.VariantPrefix, week.From, week.To, cancellationToken).ConfigureAwait(false);
        var experiments = VariantComparison.Compare(variants);

        var perDay = string.Join(", ", days.Select(item => $"{item.BucketStart:ddd} {AlertText.Usd(Measure.CostUsd.Of(item.Counters))}"));
        var comparison = modelsNow
            .OrderByDescending(pair => pair.Value[CounterNames.CostMicros])
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair =>
            {
                var old = modelsBefore.TryGetValue(pair.Key, out var counters) ? counters : new AggregateCounters();
                var p95 = pair.Value.Histogram(HistogramFamily.Latency).Quantile(0.95);
                return $"- {AggregateKeys.ValueOf(pair.Key)}: {AlertText.Usd(Measure.CostUsd.Of(pair.Value))} ({Change(Measure.CostUsd.Of(pair.Value), Measure.CostUsd.Of(old))}), {AlertText.Count(pair.Value[CounterNames.Requests])} requests, {AlertText.Amount(Measure.Tokens.Of(pair.Value), "tokens")}, error rate {AlertText.Ratio(pair.Value[CounterNames.Errors], pair.Value[CounterNames.Requests])}, p95 {(p95 is { } value ? AlertText.Milliseconds(value) : "n/a")}";
            });

        var summary = $"Weekly usage {period}: {AlertText.Usd(cost)} ({Change(cost, Measure.CostUsd.Of(before))} week over week), {AlertText.Amount(tokens, "tokens")} ({Change(tokens, Measure.Tokens.Of(before))})";
        var description = AlertText.Lines(
        [
            $"{week.From:yyyy-MM-dd} to {week.To.AddDays(-1):yyyy-MM-dd} UTC: cost {AlertText.Usd(cost)} (previous week {AlertText.Usd(Measure.CostUsd.Of(before))}), {AlertText.Count(now[CounterNames.Requests])} invocations ({Change(now[CounterNames.Requests], before[CounterNames.Requests])}), {AlertText.Amount(tokens, "tokens")} ({Change(tokens, Measure.Tokens.Of(before))}), error rate {AlertText.Ratio(now[CounterNames.Errors], now[CounterNames.Requests])}.",
            $"Cost per day: {perDay}.",
            "Model comparison (cost change week over week):",
            .. comparison,
            .. (experiments.Count == 0 ? Array.Empty<string>() : ["A/B comparisons (B vs A):", .. ComparisonReport.Lines(experiments).Select(line => "- " + line)]),
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [new(RuleLabels.Period, period)], summary, description, contributors, oneShot: true)];
    }

    private static string Change(decimal now, decimal before) =>
        now == before ? "±0%"
        : before == 0 ? "new"
        : (now > before ? "+" : "−") + AlertText.Percent(Math.Abs(now - before) / before);
}
