using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// LatencyDegradation (warning): invocation latency p95 of the last window (24h, up to the last
/// full hour) above the threshold (130%) of its 7-day baseline — the p95 of the 7 days before the
/// window, from the stored histograms. Silent during warm-up and with fewer than MinSamples (20)
/// samples on either side.
/// </summary>
public sealed class LatencyDegradationRule : IAlertRule
{
    private const int BaselineDays = 7;

    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "LatencyDegradation",
        RuleSeverity.Warning,
        RuleDefinition.BasicParameters,
        new() { Threshold = 130m, Window = TimeSpan.FromHours(24), MinSamples = 20 },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of the 7-day baseline p95");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        if (!await context.IsWarmAsync(AggregateKeys.Total, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        var current = (From: context.HourStart - parameters.Window, To: context.HourStart);
        var baseline = (From: current.From.AddDays(-BaselineDays), To: current.From);
        var now = (await context.Data.SumAsync(AggregateKeys.Total, current.From, current.To, cancellationToken).ConfigureAwait(false)).Histogram(HistogramFamily.Latency);
        var before = (await context.Data.SumAsync(AggregateKeys.Total, baseline.From, baseline.To, cancellationToken).ConfigureAwait(false)).Histogram(HistogramFamily.Latency);
        if (!Enough(now, parameters.MinSamples) || !Enough(before, parameters.MinSamples) ||
            now.Quantile(0.95) is not { } p95 || before.Quantile(0.95) is not { } baseP95 || baseP95 <= 0 ||
            (decimal)p95 * 100m <= (decimal)baseP95 * parameters.Threshold)
        {
            return [];
        }

        var modelsNow = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, current.From, current.To, cancellationToken).ConfigureAwait(false);
        var modelsBefore = await context.Data.SumByPrefixAsync(AggregateKeys.ModelPrefix, baseline.From, baseline.To, cancellationToken).ConfigureAwait(false);
        var worst = modelsNow
            .Select(pair => (Model: AggregateKeys.ValueOf(pair.Key), Now: pair.Value.Histogram(HistogramFamily.Latency).Quantile(0.95),
                Before: modelsBefore.TryGetValue(pair.Key, out var old) ? old.Histogram(HistogramFamily.Latency).Quantile(0.95) : null))
            .Where(entry => entry.Now is not null && entry.Before is > 0)
            .OrderByDescending(entry => entry.Now!.Value / entry.Before!.Value)
            .ThenBy(entry => entry.Model, StringComparer.Ordinal)
            .Take(ContributorAnalysis.DefaultLimit)
            .Select(entry => $"- model {entry.Model}: p95 {AlertText.Milliseconds(entry.Now!.Value)} vs {AlertText.Milliseconds(entry.Before!.Value)} ({AlertText.Percent(entry.Now!.Value / entry.Before!.Value)})")
            .ToList();
        var window = AlertText.Window(parameters.Window);
        var summary = $"Invocation latency p95 of the last {window} is {AlertText.Percent(p95 / baseP95)} of its 7-day baseline ({AlertText.Milliseconds(p95)} vs {AlertText.Milliseconds(baseP95)})";
        var description = AlertText.Lines(
        [
            $"p95 over {AlertText.Count(now.Count)} invocations from {current.From:yyyy-MM-dd HH:mm} to {current.To:yyyy-MM-dd HH:mm} UTC is {AlertText.Milliseconds(p95)}; over the {BaselineDays} days before ({AlertText.Count(before.Count)} invocations) it was {AlertText.Milliseconds(baseP95)}; threshold {AlertText.Number(parameters.Threshold)}%.",
            .. worst.Count > 0 ? ["Most degraded models:", .. worst] : Array.Empty<string>(),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description)];
    }

    private static bool Enough(LogHistogram histogram, long minSamples) => histogram.Count > 0 && histogram.Count >= minSamples;
}
