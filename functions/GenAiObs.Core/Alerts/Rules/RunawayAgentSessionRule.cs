using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// RunawayAgentSession (critical): one <c>session.id</c> with more model-call spans than the
/// threshold (100), or more span-priced cost than CostUsd ($10), within the window (10m). One
/// alert per session; the session is named with its share of all span cost in the window.
/// </summary>
public sealed class RunawayAgentSessionRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "RunawayAgentSession",
        RuleSeverity.Critical,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window | RuleParameterKinds.CostUsd,
        new() { Threshold = 100m, Window = TimeSpan.FromMinutes(10), CostUsd = 10m },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "model-call spans of one session");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var from = context.At - parameters.Window;
        var sessions = await context.Data.SumByPrefixAsync(AggregateKeys.SessionPrefix, from, context.At, cancellationToken).ConfigureAwait(false);
        var window = AlertText.Window(parameters.Window);
        var alerts = new List<FiringAlert>();
        decimal? totalCost = null;
        foreach (var (key, counters) in sessions)
        {
            // Sessions beyond the per-bucket top N are summed under "other": many sessions, not one runaway.
            if (key == AggregateKeys.SessionPrefix + TopValues.Other)
            {
                continue;
            }

            var calls = counters[CounterNames.ModelCalls];
            var cost = AggregateCounters.FromMicros(counters[CounterNames.SpanCostMicros]);
            if (calls <= parameters.Threshold && cost <= parameters.CostUsd)
            {
                continue;
            }

            totalCost ??= AggregateCounters.FromMicros((await context.Data.SumAsync(AggregateKeys.Total, from, context.At, cancellationToken).ConfigureAwait(false))[CounterNames.SpanCostMicros]);
            var session = AggregateKeys.ValueOf(key);
            var contributors = new List<AlertContributor>
            {
                new(RuleLabels.Session, session, cost, "usd", totalCost > 0 ? (double)(cost / totalCost.Value) : 0, ContributionBasis.Total),
            };
            alerts.Add(new FiringAlert(
                Definition.Id,
                Definition.Severity,
                [new(RuleLabels.Session, session)],
                $"Runaway agent session {session}: {AlertText.Count(calls)} model calls, {AlertText.Usd(cost)} in the last {window}",
                AlertText.Lines(
                [
                    $"Session {session} made {AlertText.Count(calls)} model-call spans ({AlertText.Count(counters[CounterNames.ModelCallErrors])} failed) and {AlertText.Count(counters[CounterNames.Tools])} tool calls costing {AlertText.Usd(cost)} in the last {window}; limits {AlertText.Number(parameters.Threshold)} calls or {AlertText.Usd(parameters.CostUsd)}.",
                    ContributorAnalysis.Describe(contributors),
                ]),
                contributors));
        }

        return alerts;
    }
}
