using System.Globalization;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// DailyDigest (info, once per day): from the configured hour (HourUtc, default 08 UTC) the
/// digest of yesterday — cost, requests, error rate, completion rate, the top 10 spenders by
/// principal and cost by model. One-shot with <c>period=&lt;yesterday, yyyy-MM-dd&gt;</c>: raised
/// from the hour to midnight (a missed run catches up) and notified once. Silent for a day with
/// no activity.
/// </summary>
public sealed class DailyDigestRule : IAlertRule
{
    public const int TopPrincipals = 10;

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "DailyDigest",
        RuleSeverity.Info,
        RuleParameterKinds.Enabled | RuleParameterKinds.HourUtc,
        new() { HourUtc = 8 },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "none");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        if (context.At < context.DayStart.AddHours(parameters.HourUtc))
        {
            return [];
        }

        var from = context.DayStart.AddDays(-1);
        var to = context.DayStart;
        var total = await context.Data.SumAsync(AggregateKeys.Total, from, to, cancellationToken).ConfigureAwait(false);
        var requests = total[CounterNames.Requests];
        if (requests == 0 && total[CounterNames.Spans] == 0)
        {
            return [];
        }

        var cost = Measure.CostUsd.Of(total);
        var principals = await context.Data.SumByPrefixAsync(AggregateKeys.PrincipalPrefix, from, to, cancellationToken).ConfigureAwait(false);
        var models = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, from, to, cancellationToken).ConfigureAwait(false);
        var (completed, counted) = CompletionRateLowRule.Completion(total);
        var period = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var contributors = new List<AlertContributor>();
        contributors.AddRange(ContributorAnalysis.OfTotal(models, RuleLabels.Model, Measure.CostUsd, cost));
        contributors.AddRange(ContributorAnalysis.OfTotal(principals, "principal", Measure.CostUsd, cost));

        var topSpenders = ContributorAnalysis.OfTotal(principals, "principal", Measure.CostUsd, cost, TopPrincipals)
            .Select((contributor, index) => $"{index + 1}. {contributor.Name}: {AlertText.Usd(contributor.Amount)} ({AlertText.Percent(contributor.Share)})");
        var byModel = models
            .OrderByDescending(pair => pair.Value[CounterNames.CostMicros])
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"- {AggregateKeys.ValueOf(pair.Key)}: {AlertText.Usd(Measure.CostUsd.Of(pair.Value))}, {AlertText.Count(pair.Value[CounterNames.Requests])} requests, {AlertText.Amount(Measure.Tokens.Of(pair.Value), "tokens")}");

        var summary = $"Daily digest {period}: {AlertText.Usd(cost)} over {AlertText.Count(requests)} requests, error rate {AlertText.Ratio(total[CounterNames.Errors], requests)}, completion rate {AlertText.Ratio(completed, counted)}";
        var description = AlertText.Lines(
        [
            $"Yesterday ({period} UTC): cost {AlertText.Usd(cost)}, {AlertText.Count(requests)} invocations, {AlertText.Amount(Measure.Tokens.Of(total), "tokens")}, error rate {AlertText.Ratio(total[CounterNames.Errors], requests)} ({AlertText.Count(total[CounterNames.Throttles])} throttled), completion rate {AlertText.Ratio(completed, counted)}, {AlertText.Count(total[CounterNames.Unpriced])} unpriced calls; {AlertText.Count(total[CounterNames.Spans])} spans, {AlertText.Usd(AggregateCounters.FromMicros(total[CounterNames.SpanCostMicros]))} span-priced cost.",
            "Top spenders by principal:",
            .. topSpenders,
            "Cost by model:",
            .. byModel,
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [new(RuleLabels.Period, period)], summary, description, contributors, oneShot: true)];
    }
}
