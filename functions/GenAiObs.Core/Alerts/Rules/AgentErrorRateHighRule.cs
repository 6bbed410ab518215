using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// AgentErrorRateHigh (critical): the error rate of agent-invocation spans above the threshold
/// (10%) in each of the last 5-minute windows of the window (15m: three windows), with at least
/// MinSamples (20) agent spans in total.
/// </summary>
public sealed class AgentErrorRateHighRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "AgentErrorRateHigh",
        RuleSeverity.Critical,
        RuleDefinition.BasicParameters,
        new() { Threshold = 10m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 },
        WindowUnit: TimeSpan.FromMinutes(5),
        ThresholdUnit: "percent of agent spans, in each 5-minute window");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var windows = (int)(parameters.Window.Ticks / Buckets.FineWidth.Ticks);
        var rates = new List<(long Agents, long Errors)>(windows);
        for (var i = windows; i > 0; i--)
        {
            var start = context.At - (Buckets.FineWidth * i);
            var counters = await context.Data.SumAsync(AggregateKeys.Total, start, start + Buckets.FineWidth, cancellationToken).ConfigureAwait(false);
            rates.Add((counters[CounterNames.Agents], counters[CounterNames.AgentErrors]));
        }

        var agents = rates.Sum(rate => rate.Agents);
        if (windows == 0 || agents == 0 || agents < parameters.MinSamples ||
            rates.Any(rate => rate.Agents == 0 || rate.Errors * 100m / rate.Agents <= parameters.Threshold))
        {
            return [];
        }

        var errors = rates.Sum(rate => rate.Errors);
        var perWindow = string.Join(", ", rates.Select(rate => AlertText.Ratio(rate.Errors, rate.Agents)));
        var summary = $"Agent error rate above {AlertText.Number(parameters.Threshold)}% in each of the last {windows} 5-minute windows ({perWindow})";
        var description = $"{AlertText.Count(errors)} of {AlertText.Count(agents)} agent-invocation spans failed in the last {AlertText.Window(parameters.Window)}; error rate per 5-minute window, oldest first: {perWindow}.";
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description)];
    }
}
