using System.Collections.Frozen;

namespace GenAiObs.Core.Alerts.Rules;

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

    /// <summary>Days of history a key needs before baseline-relative rules may fire (default 7: one full week, so every hour-of-week slot has a sample).</summary>
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
