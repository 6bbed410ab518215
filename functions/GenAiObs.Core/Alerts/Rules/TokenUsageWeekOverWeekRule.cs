using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// TokenUsageWeekOverWeek (warning): tokens (input + output + cache read + cache write) of the
/// last window (7d, up to the last full hour) above the threshold (120%) of the window before.
/// Silent until the total has two windows of history and while the earlier window had no tokens.
/// </summary>
public sealed class TokenUsageWeekOverWeekRule : IAlertRule
{
    /// <summary>The rule's fixed identity, the parameters it accepts and their defaults.</summary>
    public static RuleDefinition Definition { get; } = new(
        "TokenUsageWeekOverWeek",
        RuleSeverity.Warning,
        RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window,
        new() { Threshold = 120m, Window = TimeSpan.FromDays(7) },
        WindowUnit: TimeSpan.FromHours(1),
        ThresholdUnit: "percent of the previous window's tokens");

    RuleDefinition IAlertRule.Definition => Definition;

    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var parameters = context.Parameters(Definition.Id);
        var historyDays = Math.Max(context.Settings.WarmupDays, (int)Math.Ceiling(2 * parameters.Window.TotalDays));
        if (!await context.IsWarmAsync(AggregateKeys.Total, cancellationToken, historyDays).ConfigureAwait(false))
        {
            return [];
        }

        var current = (From: context.HourStart - parameters.Window, To: context.HourStart);
        var previous = (From: current.From - parameters.Window, To: current.From);
        var now = Measure.Tokens.Of(await context.Data.SumAsync(AggregateKeys.Total, current.From, current.To, cancellationToken).ConfigureAwait(false));
        var before = Measure.Tokens.Of(await context.Data.SumAsync(AggregateKeys.Total, previous.From, previous.To, cancellationToken).ConfigureAwait(false));
        if (before <= 0 || now * 100m <= before * parameters.Threshold)
        {
            return [];
        }

        var contributors = await ContributorAnalysis.TopOfIncreaseAsync(context.Data, current, previous, 1m, Measure.Tokens, now - before, cancellationToken).ConfigureAwait(false);
        var window = AlertText.Window(parameters.Window);
        var summary = $"Token usage of the last {window} is {AlertText.Percent(now / before)} of the {window} before ({AlertText.Amount(now, "tokens")} vs {AlertText.Amount(before, "tokens")})";
        var description = AlertText.Lines(
        [
            $"Tokens from {current.From:yyyy-MM-dd HH:mm} to {current.To:yyyy-MM-dd HH:mm} UTC: {AlertText.Amount(now, "tokens")}; the {window} before: {AlertText.Amount(before, "tokens")} (+{AlertText.Amount(now - before, "tokens")}); threshold {AlertText.Number(parameters.Threshold)}%.",
            ContributorAnalysis.Describe(contributors),
        ]);
        return [new FiringAlert(Definition.Id, Definition.Severity, [], summary, description, contributors)];
    }
}
