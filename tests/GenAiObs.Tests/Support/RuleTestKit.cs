using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Tests.Rules;

internal static class RuleTestKit
{
    /// <summary>Wednesday 18 November 2026, 10:05 UTC: an evaluation on the 5-minute schedule.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 18, 10, 5, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset DayStart = new(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);

    public static DateOnly Today => DateOnly.FromDateTime(Now.UtcDateTime);

    public static Task<IReadOnlyList<FiringAlert>> EvaluateAsync(IAlertRule rule, IAlertDataReader data, RuleSettings? settings = null, DateTimeOffset? now = null) =>
        rule.EvaluateAsync(new RuleContext(data, settings ?? RuleSettings.Default, now ?? Now), CancellationToken.None);

    public static RuleSettings WithBudget(decimal budget) => RuleSettings.Default with { MonthlyBudgetUsd = budget };
}
