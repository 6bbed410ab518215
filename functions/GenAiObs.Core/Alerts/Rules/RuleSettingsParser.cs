using System.Globalization;
using System.Text;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// Reads <see cref="RuleSettings"/> from environment-style variables:
/// <c>GENAIOBS_MONTHLY_BUDGET_USD</c> and one variable per overridden rule parameter,
/// <c>GENAIOBS_RULE_&lt;RULE&gt;_&lt;PARAM&gt;</c>, where RULE is the rule ID in upper snake case
/// (<c>ERROR_RATE_HIGH</c>) and PARAM one of <c>ENABLED</c>, <c>THRESHOLD</c>, <c>WINDOW</c>,
/// <c>MIN_SAMPLES</c>, <c>COST_USD</c>, <c>HOUR_UTC</c>, <c>DAY</c>. A variable the parser does not
/// know (a typo), a parameter the rule does not take, or a value it cannot use fails with a
/// message naming the variable — a bad threshold must fail the cold start, not silence a page.
/// </summary>
public static class RuleSettingsParser
{
    public const string MonthlyBudgetVariable = "GENAIOBS_MONTHLY_BUDGET_USD";
    public const string RulePrefix = "GENAIOBS_RULE_";

    private static readonly (RuleParameterKinds Kind, string Suffix)[] Suffixes =
    [
        (RuleParameterKinds.Enabled, "ENABLED"),
        (RuleParameterKinds.Threshold, "THRESHOLD"),
        (RuleParameterKinds.Window, "WINDOW"),
        (RuleParameterKinds.MinSamples, "MIN_SAMPLES"),
        (RuleParameterKinds.CostUsd, "COST_USD"),
        (RuleParameterKinds.HourUtc, "HOUR_UTC"),
        (RuleParameterKinds.Day, "DAY"),
    ];

    /// <summary>Every variable name the parser reads (the budget plus each rule's accepted parameters), sorted.</summary>
    public static IReadOnlyList<string> KnownVariableNames { get; } = BuildKnownNames();

    /// <summary>The variable name of one rule parameter, e.g. <c>GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD</c>.</summary>
    public static string VariableName(string ruleId, RuleParameterKinds parameter) =>
        RulePrefix + UpperSnake(ruleId) + "_" + Suffixes.Single(pair => pair.Kind == parameter).Suffix;

    /// <summary>Parses the settings from variables (name → value); names not starting with <c>GENAIOBS_</c> are ignored.</summary>
    public static RuleSettings Parse(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var name in variables.Keys)
        {
            if (name.StartsWith(RulePrefix, StringComparison.Ordinal) && !IsKnown(name))
            {
                throw new RuleSettingsException(name, $"Environment variable {name} is not a rule setting; expected {RulePrefix}<RULE>_<PARAM> with RULE one of {string.Join(", ", RuleCatalog.All.Select(definition => UpperSnake(definition.Id)))} and PARAM one the rule accepts.");
            }
        }

        var rules = new Dictionary<string, RuleParameters>(StringComparer.Ordinal);
        foreach (var definition in RuleCatalog.All)
        {
            rules[definition.Id] = ParseRule(definition, variables);
        }

        decimal? budget = null;
        if (Value(variables, MonthlyBudgetVariable) is { } budgetText)
        {
            if (!decimal.TryParse(budgetText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) || parsed < 0)
            {
                throw new RuleSettingsException(MonthlyBudgetVariable, $"Environment variable {MonthlyBudgetVariable} must be an amount in USD (e.g. 5000; 0 turns the budget notices off).");
            }

            // 0 (the template parameter's minimum) means "no budget": the budget rules stay silent.
            budget = parsed > 0 ? parsed : null;
        }

        return new RuleSettings(rules, budget);
    }

    /// <summary>Parses an Alertmanager-style duration: a positive integer and a unit <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c> or <c>w</c> (<c>15m</c>, <c>2h</c>, <c>7d</c>).</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text.Trim();
        if (trimmed.Length < 2 ||
            !long.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) ||
            amount <= 0 || amount > 10_000)
        {
            return false;
        }

        TimeSpan? unit = trimmed[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => null,
        };
        if (unit is null)
        {
            return false;
        }

        duration = unit.Value * amount;
        return true;
    }

    /// <summary><c>ErrorRateHigh</c> → <c>ERROR_RATE_HIGH</c>; a digit run counts as a word (<c>LatencyP95High</c> → <c>LATENCY_P95_HIGH</c>).</summary>
    public static string UpperSnake(string ruleId)
    {
        var builder = new StringBuilder(ruleId.Length + 8);
        for (var i = 0; i < ruleId.Length; i++)
        {
            var c = ruleId[i];
            if (i > 0 && char.IsUpper(c))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    private static RuleParameters ParseRule(RuleDefinition definition, IReadOnlyDictionary<string, string> variables)
    {
        var parameters = definition.Defaults;
        foreach (var (kind, _) in Suffixes)
        {
            var name = VariableName(definition.Id, kind);
            if (Value(variables, name) is not { } text)
            {
                continue;
            }

            if ((definition.Parameters & kind) == 0)
            {
                throw new RuleSettingsException(name, $"Environment variable {name}: rule {definition.Id} has no such parameter.");
            }

            parameters = kind switch
            {
                RuleParameterKinds.Enabled => parameters with { Enabled = ParseBool(name, text) },
                RuleParameterKinds.Threshold => parameters with { Threshold = ParseDecimal(name, text, $"a non-negative number ({definition.ThresholdUnit})") },
                RuleParameterKinds.Window => parameters with { Window = ParseWindow(name, text, definition.WindowUnit) },
                RuleParameterKinds.MinSamples => parameters with { MinSamples = ParseCount(name, text) },
                RuleParameterKinds.CostUsd => parameters with { CostUsd = ParseDecimal(name, text, "a non-negative amount in USD") },
                RuleParameterKinds.HourUtc => parameters with { HourUtc = ParseHour(name, text) },
                RuleParameterKinds.Day => parameters with { Day = ParseDay(name, text) },
                _ => parameters,
            };
        }

        return parameters;
    }

    private static bool IsKnown(string name) => KnownVariableNames.Contains(name, StringComparer.Ordinal);

    private static List<string> BuildKnownNames()
    {
        var names = new List<string> { MonthlyBudgetVariable };
        foreach (var definition in RuleCatalog.All)
        {
            foreach (var (kind, _) in Suffixes)
            {
                if ((definition.Parameters & kind) != 0)
                {
                    names.Add(VariableName(definition.Id, kind));
                }
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static string? Value(IReadOnlyDictionary<string, string> variables, string name) =>
        variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static bool ParseBool(string name, string text) => text.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" or "ON" => true,
        "FALSE" or "0" or "NO" or "OFF" => false,
        _ => throw new RuleSettingsException(name, $"Environment variable {name} must be true or false."),
    };

    private static decimal ParseDecimal(string name, string text, string expected) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new RuleSettingsException(name, $"Environment variable {name} must be {expected}.");

    private static long ParseCount(string name, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RuleSettingsException(name, $"Environment variable {name} must be a non-negative integer.");

    private static int ParseHour(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 23
            ? value
            : throw new RuleSettingsException(name, $"Environment variable {name} must be an hour of the day, 0 to 23 (UTC).");

    private static DayOfWeek ParseDay(string name, string text) =>
        Enum.TryParse<DayOfWeek>(text, ignoreCase: true, out var day) && Enum.IsDefined(day) && !char.IsDigit(text[0])
            ? day
            : throw new RuleSettingsException(name, $"Environment variable {name} must be a weekday name (monday … sunday).");

    private static TimeSpan ParseWindow(string name, string text, TimeSpan unit)
    {
        if (!TryParseDuration(text, out var window) || window.Ticks % unit.Ticks != 0)
        {
            var unitText = unit == TimeSpan.FromHours(1) ? "1h" : "5m";
            throw new RuleSettingsException(name, $"Environment variable {name} must be a duration that is a whole multiple of {unitText} (e.g. 15m, 2h, 7d).");
        }

        return window;
    }
}
