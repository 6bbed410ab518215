using System.Collections.Frozen;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>The parameters a rule may take from the environment (each rule supports a subset, see <see cref="RuleCatalog"/>).</summary>
[Flags]
public enum RuleParameterKinds
{
    None = 0,

    /// <summary><c>_ENABLED</c>: every rule.</summary>
    Enabled = 1,

    /// <summary><c>_THRESHOLD</c>: the rule's main threshold in its documented unit (percent, ms, calls, σ).</summary>
    Threshold = 2,

    /// <summary><c>_WINDOW</c>: a duration such as <c>15m</c>, <c>2h</c>, <c>7d</c>.</summary>
    Window = 4,

    /// <summary><c>_MIN_SAMPLES</c>: the minimum count below which the rule stays silent.</summary>
    MinSamples = 8,

    /// <summary><c>_COST_USD</c>: a second, dollar threshold (RunawayAgentSession).</summary>
    CostUsd = 16,

    /// <summary><c>_HOUR_UTC</c>: the hour (0–23, UTC) a report is sent.</summary>
    HourUtc = 32,

    /// <summary><c>_DAY</c>: the weekday a weekly report is sent.</summary>
    Day = 64,
}

/// <summary>One rule's effective parameters. Fields a rule does not use keep their defaults and are ignored.</summary>
public sealed record RuleParameters
{
    public bool Enabled { get; init; } = true;

    /// <summary>The main threshold, in the unit the rule documents.</summary>
    public decimal Threshold { get; init; }

    /// <summary>The evaluation window (a multiple of 5 minutes; of an hour where the rule works on hours).</summary>
    public TimeSpan Window { get; init; }

    /// <summary>Below this many samples (invocations, spans, calls) the rule stays silent.</summary>
    public long MinSamples { get; init; }

    /// <summary>RunawayAgentSession: the span-priced cost of one session within the window.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>DailyDigest and WeeklyUsageReport: the hour (UTC) from which the report is due.</summary>
    public int HourUtc { get; init; }

    /// <summary>WeeklyUsageReport: the weekday it is sent.</summary>
    public DayOfWeek Day { get; init; } = DayOfWeek.Monday;
}

/// <summary>A rule's fixed identity, what it accepts from the environment and its defaults.</summary>
/// <param name="Id">The fixed rule ID (the <c>alertname</c>).</param>
/// <param name="Severity">The fixed severity.</param>
/// <param name="Parameters">Which parameters it accepts.</param>
/// <param name="Defaults">Its default parameters.</param>
/// <param name="WindowUnit">Windows must be a positive multiple of this.</param>
/// <param name="ThresholdUnit">How its threshold is expressed (for documentation and error messages).</param>
public sealed record RuleDefinition(
    string Id,
    string Severity,
    RuleParameterKinds Parameters,
    RuleParameters Defaults,
    TimeSpan WindowUnit,
    string ThresholdUnit);

/// <summary>The 17 default rules with their fixed IDs, severities and default conditions (issue 5 item 2).</summary>
public static class RuleCatalog
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan OneHour = TimeSpan.FromHours(1);

    private const RuleParameterKinds Basic = RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window | RuleParameterKinds.MinSamples;

    /// <summary>Every rule, in the order of the table.</summary>
    public static IReadOnlyList<RuleDefinition> All { get; } =
    [
        new(RuleIds.ErrorRateHigh, RuleSeverity.Critical, Basic,
            new() { Threshold = 5m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 }, FiveMinutes, "percent of invocations"),
        new(RuleIds.LatencyP95High, RuleSeverity.Critical, Basic,
            new() { Threshold = 10_000m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 }, FiveMinutes, "milliseconds (p95)"),
        new(RuleIds.DailyCostAboveBaseline, RuleSeverity.Critical, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
            new() { Threshold = 150m }, OneHour, "percent of the baseline daily cost"),
        new(RuleIds.ModelUnavailable, RuleSeverity.Critical, RuleParameterKinds.Enabled | RuleParameterKinds.Window | RuleParameterKinds.MinSamples,
            new() { Threshold = 100m, Window = TimeSpan.FromMinutes(15), MinSamples = 10 }, FiveMinutes, "percent of calls failed (fixed: every one)"),
        new(RuleIds.AgentErrorRateHigh, RuleSeverity.Critical, Basic,
            new() { Threshold = 10m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 }, FiveMinutes, "percent of agent spans, in each 5-minute window"),
        new(RuleIds.RunawayAgentSession, RuleSeverity.Critical, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window | RuleParameterKinds.CostUsd,
            new() { Threshold = 100m, Window = TimeSpan.FromMinutes(10), CostUsd = 10m }, FiveMinutes, "model-call spans of one session"),
        new(RuleIds.CompletionRateLow, RuleSeverity.Warning, Basic,
            new() { Threshold = 95m, Window = TimeSpan.FromHours(2), MinSamples = 20 }, OneHour, "percent completion, in each full hour"),
        new(RuleIds.TokenUsageWeekOverWeek, RuleSeverity.Warning, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window,
            new() { Threshold = 120m, Window = TimeSpan.FromDays(7) }, OneHour, "percent of the previous window's tokens"),
        new(RuleIds.LatencyDegradation, RuleSeverity.Warning, Basic,
            new() { Threshold = 130m, Window = TimeSpan.FromHours(24), MinSamples = 20 }, OneHour, "percent of the 7-day baseline p95"),
        new(RuleIds.CacheHitRateDrop, RuleSeverity.Warning, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.MinSamples,
            new() { Threshold = 70m, MinSamples = 20 }, OneHour, "percent of the 7-day baseline cache-read share"),
        new(RuleIds.UnusualRequestVolume, RuleSeverity.Warning, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
            new() { Threshold = 3m, Window = OneHour }, OneHour, "standard deviations from the hour-of-week baseline"),
        new(RuleIds.ComponentP95High, RuleSeverity.Warning, Basic,
            new() { Threshold = 5_000m, Window = TimeSpan.FromMinutes(15), MinSamples = 20 }, FiveMinutes, "milliseconds (p95)"),
        new(RuleIds.UnpricedModelInUse, RuleSeverity.Warning, RuleParameterKinds.Enabled | RuleParameterKinds.Window | RuleParameterKinds.MinSamples,
            new() { Window = OneHour, MinSamples = 1 }, FiveMinutes, "unpriced invocations"),
        new(RuleIds.BudgetThreshold, RuleSeverity.Warning, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
            new() { Threshold = 80m }, OneHour, "percent of GENAIOBS_MONTHLY_BUDGET_USD"),
        new(RuleIds.MonthlyBudgetExceeded, RuleSeverity.Warning, RuleParameterKinds.Enabled | RuleParameterKinds.Threshold,
            new() { Threshold = 100m }, OneHour, "percent of GENAIOBS_MONTHLY_BUDGET_USD"),
        new(RuleIds.DailyDigest, RuleSeverity.Info, RuleParameterKinds.Enabled | RuleParameterKinds.HourUtc,
            new() { HourUtc = 8 }, OneHour, "none"),
        new(RuleIds.WeeklyUsageReport, RuleSeverity.Info, RuleParameterKinds.Enabled | RuleParameterKinds.HourUtc | RuleParameterKinds.Day,
            new() { HourUtc = 8, Day = DayOfWeek.Monday }, OneHour, "none"),
    ];

    private static readonly FrozenDictionary<string, RuleDefinition> ById =
        All.ToFrozenDictionary(definition => definition.Id, StringComparer.Ordinal);

    /// <summary>The definition of a rule ID; throws for an unknown ID.</summary>
    public static RuleDefinition Get(string ruleId) =>
        ById.TryGetValue(ruleId, out var definition)
            ? definition
            : throw new ArgumentOutOfRangeException(nameof(ruleId), ruleId, "Unknown rule ID.");
}

/// <summary>
/// The immutable configuration of the rules, read once at cold start (see <see cref="RuleSettingsParser"/>).
/// </summary>
public sealed record RuleSettings
{
    private readonly FrozenDictionary<string, RuleParameters> _rules;

    public RuleSettings(IReadOnlyDictionary<string, RuleParameters> rules, decimal? monthlyBudgetUsd, int warmupDays = DefaultWarmupDays)
    {
        var all = new Dictionary<string, RuleParameters>(StringComparer.Ordinal);
        foreach (var definition in RuleCatalog.All)
        {
            all[definition.Id] = rules.TryGetValue(definition.Id, out var parameters) ? parameters : definition.Defaults;
        }

        _rules = all.ToFrozenDictionary(StringComparer.Ordinal);
        MonthlyBudgetUsd = monthlyBudgetUsd;
        WarmupDays = warmupDays;
    }

    /// <summary>Days of history a key needs before baseline-relative rules may fire (issue 5: 7).</summary>
    public const int DefaultWarmupDays = 7;

    /// <summary>Every rule at its defaults, no budget.</summary>
    public static RuleSettings Default { get; } = new(new Dictionary<string, RuleParameters>(), monthlyBudgetUsd: null);

    /// <summary><c>GENAIOBS_MONTHLY_BUDGET_USD</c>; the budget rules are silent without it.</summary>
    public decimal? MonthlyBudgetUsd { get; init; }

    /// <summary>Days of history baseline-relative rules wait for.</summary>
    public int WarmupDays { get; init; }

    /// <summary>The parameters of a rule.</summary>
    public RuleParameters For(string ruleId) =>
        _rules.TryGetValue(ruleId, out var parameters)
            ? parameters
            : throw new ArgumentOutOfRangeException(nameof(ruleId), ruleId, "Unknown rule ID.");

    /// <summary>A copy with one rule's parameters replaced (tests and the CLI's overrides).</summary>
    public RuleSettings With(string ruleId, Func<RuleParameters, RuleParameters> change)
    {
        var rules = new Dictionary<string, RuleParameters>(_rules, StringComparer.Ordinal)
        {
            [ruleId] = change(For(ruleId)),
        };
        return new RuleSettings(rules, MonthlyBudgetUsd, WarmupDays);
    }
}
