using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// UnusualRequestVolume (warning): the last full hour's requests outside the hour-of-week
/// baseline ± threshold (3) standard deviations, in either direction. The deviation used is at
/// least √mean (and at least 1): request counts are Poisson-noisy, and a profile built from few
/// weeks can have a deviation of 0 that would make any change "unusual". Silent during warm-up
/// and when the profile has no entry for the hour.
/// </summary>
public sealed class UnusualRequestVolumeRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "UnusualRequestVolume",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
        new() { Threshold = 3m, Window = TimeSpan.FromHours(1) },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "standard deviations from the hour-of-week baseline");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var hour = context.HourStart.AddHours(-1);
        var day = DateOnly.FromDateTime(hour.UtcDateTime);
        var baseline = await context.Data.BaselineAsync(AggregateKeys.Total, day, cancellationToken).ConfigureAwait(false);
        if (baseline is null || baseline.WarmingUp || baseline.HistoryDays < context.Settings.WarmupDays ||
            baseline.ForHour(hour, BaselineMetric.Requests) is not { Samples: > 0 } stat)
        {
            return [];
        }

        var requests = (await context.Data.SumAsync(AggregateKeys.Total, hour, context.HourStart, cancellationToken).ConfigureAwait(false))[CounterNames.Requests];
        var deviation = Math.Max(stat.StdDev, Math.Sqrt(Math.Max(stat.Mean, 1)));
        var sigmas = (requests - stat.Mean) / deviation;
        if (Math.Abs(sigmas) <= (double)parameters.Threshold)
        {
            return [];
        }

        var contributors = await ContributorAnalysis.TopOfTotalAsync(context.Data, hour, context.HourStart, Measure.Requests, requests, cancellationToken).ConfigureAwait(false);
        var direction = sigmas > 0 ? "above" : "below";
        var summary = $"Requests {hour:HH}:00–{context.HourStart:HH}:00 UTC: {AlertText.Count(requests)}, {Math.Abs(sigmas).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}σ {direction} the usual {stat.Mean.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} for this hour of the week";
        var description = AlertText.Lines(
        [
            $"{AlertText.Count(requests)} Bedrock invocations from {hour:yyyy-MM-dd HH:mm} to {context.HourStart:HH:mm} UTC; the hour-of-week baseline is {stat.Mean.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} ± {stat.StdDev.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} over {stat.Samples} weeks (deviation used {deviation.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}); threshold {AlertText.Number(parameters.Threshold)}σ.",
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description, contributors)];
    }
}
