using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// CacheHitRateDrop (warning), per model: the cache-read share of input tokens
/// (cacheRead / (input + cacheRead + cacheWrite)) today below the threshold (70%) of its 7-day
/// baseline (the share over the 7 previous full days). Only models that use caching (a non-zero
/// baseline share) with at least MinSamples (20) invocations today, after the model's warm-up.
/// </summary>
public sealed class CacheHitRateDropRule : IAlertRule
{
    private const int BaselineDays = 7;

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "CacheHitRateDrop",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.MinSamples,
        new() { Threshold = 70m, MinSamples = 20 },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of the 7-day baseline cache-read share");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        if (context.At == context.DayStart)
        {
            return [];
        }

        var today = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, context.DayStart, context.At, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, AggregateCounters>? before = null;
        var alerts = new List<FiringAlert>();
        foreach (var (key, counters) in today)
        {
            var requests = counters[CounterNames.Requests];
            if (requests == 0 || requests < parameters.MinSamples || ShareOf(counters) is not { } share)
            {
                continue;
            }

            before ??= await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, context.DayStart.AddDays(-BaselineDays), context.DayStart, cancellationToken).ConfigureAwait(false);
            if (!before.TryGetValue(key, out var history) || ShareOf(history) is not { } baseline || baseline <= 0 ||
                (decimal)share * 100m >= (decimal)baseline * parameters.Threshold ||
                !await context.IsWarmAsync(key, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var model = AggregateKeys.ValueOf(key);
            alerts.Add(new FiringAlert(
                Definition.Id,
                Definition.Severity,
                [new(RuleLabels.Model, model)],
                $"Cache hit rate of {model} today is {AlertText.Percent(share)}, {AlertText.Percent(share / baseline)} of its 7-day baseline {AlertText.Percent(baseline)}",
                $"Cache-read share of input tokens for {model} since 00:00 UTC: {AlertText.Percent(share)} over {AlertText.Count(requests)} invocations ({AlertText.Count(counters[CounterNames.CacheReadTokens])} cache-read of {AlertText.Count(InputOf(counters))} input tokens); {BaselineDays}-day baseline {AlertText.Percent(baseline)}; threshold {AlertText.Number(parameters.Threshold)}% of the baseline. A changed prompt prefix or an expired cache makes every call pay full input price."));
        }

        return alerts;
    }

    private static long InputOf(AggregateCounters counters) =>
        counters[CounterNames.InputTokens] + counters[CounterNames.CacheReadTokens] + counters[CounterNames.CacheWriteTokens];

    private static double? ShareOf(AggregateCounters counters) =>
        InputOf(counters) is > 0 and var input ? (double)counters[CounterNames.CacheReadTokens] / input : null;
}
