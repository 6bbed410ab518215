using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Adapters.Evaluation;

/// <summary>
/// What the evaluator (Lambda) and <c>replay</c> (CLI) read from the environment, once: the rule
/// settings (<c>GENAIOBS_MONTHLY_BUDGET_USD</c>, <c>GENAIOBS_RULE_*</c>) and the routing
/// (<c>GENAIOBS_ROUTING_FILE</c> / <c>GENAIOBS_ROUTING</c>). A bad value throws
/// <see cref="RuleSettingsException"/> or <see cref="RoutingConfigException"/> naming the setting.
/// </summary>
public sealed record EvaluatorSettings(RuleSettings Rules, RoutingTree Routing)
{
    /// <summary>Every variable the evaluator's rule and routing settings read: the budget, each rule parameter, the routing.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        .. RuleSettingsParser.KnownVariableNames.Select(name => name == RuleSettingsParser.MonthlyBudgetVariable
            ? SettingVariable.Deployment(name, "monthly budget in USD for the budget notices (0 or unset = off)")
            : SettingVariable.Deployment(name, "one rule parameter (default: the rule table)")),
        SettingVariable.Deployment(RoutingConfigParser.RoutingFileVariable, "Alertmanager routing YAML file"),
        SettingVariable.Deployment(RoutingConfigParser.RoutingVariable, "inline Alertmanager routing YAML (empty = the built-in tree)"),
    ];

    /// <summary>Reads the settings from a full variable map (the CLI's environment): unknown <c>GENAIOBS_RULE_*</c> names are rejected.</summary>
    public static EvaluatorSettings FromVariables(IReadOnlyDictionary<string, string> variables, Func<string, string> readFile) =>
        new(
            RuleSettingsParser.Parse(variables),
            LoadRouting(name => variables.TryGetValue(name, out var value) ? value : null, readFile));

    /// <summary>Reads the settings through a lookup (the Lambda environment): every known rule variable is looked up by name.</summary>
    public static EvaluatorSettings FromLookup(Func<string, string?> getVariable, Func<string, string> readFile)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in RuleSettingsParser.KnownVariableNames)
        {
            if (getVariable(name) is { } value)
            {
                variables[name] = value;
            }
        }

        return new(RuleSettingsParser.Parse(variables), LoadRouting(getVariable, readFile));
    }

    /// <summary>
    /// The route tree, checked against the receivers of the same configuration: a route naming a
    /// receiver that is not configured fails here (cold start, CLI), never at send time.
    /// </summary>
    private static RoutingTree LoadRouting(Func<string, string?> getVariable, Func<string, string> readFile)
    {
        var tree = RoutingConfigParser.Load(getVariable, readFile);
        ReceiverConfigParser.LoadForRoutes(tree, getVariable, readFile, ReceiverConfiguration.Legacy(null, null, null));
        return tree;
    }
}
