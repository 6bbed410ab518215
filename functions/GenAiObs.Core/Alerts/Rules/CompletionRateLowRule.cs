using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// CompletionRateLow (warning): completion rate (end_turn + tool_use) / (end_turn + tool_use +
/// max_tokens) below the threshold (95%) in each of the last full hours of the window (2h), with
/// at least MinSamples (20) such invocations in each hour.
/// </summary>
public sealed class CompletionRateLowRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "CompletionRateLow",
        RuleSeverity.Warning,
        RuleDefinition.BasicParameters,
        new() { Threshold = 95m, Window = TimeSpan.FromHours(2), MinSamples = 20 },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent completion, in each full hour");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var hours = (int)parameters.Window.TotalHours;
        var rates = new List<(DateTimeOffset Hour, long Completed, long Counted)>(hours);
        for (var i = hours; i > 0; i--)
        {
            var start = context.HourStart.AddHours(-i);
            var counters = await context.Data.SumAsync(AggregateKeys.Total, start, start.AddHours(1), cancellationToken).ConfigureAwait(false);
            var (completed, counted) = Completion(counters);
            rates.Add((start, completed, counted));
        }

        if (hours == 0 || rates.Any(rate => rate.Counted == 0 || rate.Counted < parameters.MinSamples || rate.Completed * 100m / rate.Counted >= parameters.Threshold))
        {
            return [];
        }

        var perHour = string.Join(", ", rates.Select(rate => $"{rate.Hour:HH}:00 {AlertText.Ratio(rate.Completed, rate.Counted)} of {AlertText.Count(rate.Counted)}"));
        var summary = $"Completion rate below {AlertText.Number(parameters.Threshold)}% in each of the last {hours} full hours ({string.Join(", ", rates.Select(rate => AlertText.Ratio(rate.Completed, rate.Counted)))})";
        var description = $"Share of answers that completed (end_turn or tool_use) rather than being cut at max_tokens, per UTC hour: {perHour}. Raise maxTokens or shorten the prompts of the affected callers.";
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description)];
    }

    /// <summary>(end_turn + tool_use, end_turn + tool_use + max_tokens) of successful invocations.</summary>
    public static (long Completed, long Counted) Completion(AggregateCounters counters)
    {
        var completed = counters[CounterNames.StopReason(StopReasons.EndTurn)] + counters[CounterNames.StopReason(StopReasons.ToolUse)];
        return (completed, completed + counters[CounterNames.StopReason(StopReasons.MaxTokens)]);
    }
}
