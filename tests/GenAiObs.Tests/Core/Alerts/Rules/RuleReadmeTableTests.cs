using System.Text;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Rules;

/// <summary>The rule table of docs/alerts-and-routing.md is checked against the rules' own definitions, so neither can drift.</summary>
public sealed class RuleReadmeTableTests
{
    [Fact]
    public void DocRuleTable_ShouldListEveryRuleWithItsSeverityAndParametersInCatalogueOrder()
    {
        var rows = DocRuleRows();

        var expected = RuleCatalog.All.Select(definition => (definition.Id, definition.Severity, Parameters: string.Join(", ", ParameterNames(definition.Parameters)))).ToList();
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void ParameterNames_ShouldSpellEachKindAsItsVariableSuffix()
    {
        Assert.Equal(["COST_USD", "DAY", "HOUR_UTC", "MIN_SAMPLES", "THRESHOLD", "WINDOW"], ParameterNames(RuleParameterKinds.Enabled | RuleParameterKinds.Threshold | RuleParameterKinds.Window | RuleParameterKinds.MinSamples | RuleParameterKinds.CostUsd | RuleParameterKinds.HourUtc | RuleParameterKinds.Day));
        Assert.Empty(ParameterNames(RuleParameterKinds.Enabled));
    }

    /// <summary>(rule, severity, parameters without their units, sorted) of each row under "| rule | severity |".</summary>
    private static List<(string Id, string Severity, string Parameters)> DocRuleRows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "alerts-and-routing.md"));
        var header = Array.FindIndex(lines, line => line.StartsWith("| rule | severity |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/alerts-and-routing.md has no rule table");
        return lines.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .Select(cells => (cells[1], cells[2], string.Join(", ", cells[^2].Split(',').Select(p => p.Trim().Split(' ')[0]).Where(p => p.Length > 0 && p != "–").Order(StringComparer.Ordinal))))
            .ToList();
    }

    /// <summary>The GENAIOBS_RULE_&lt;RULE&gt;_&lt;PARAM&gt; suffixes of a rule's parameters besides ENABLED, sorted.</summary>
    private static List<string> ParameterNames(RuleParameterKinds kinds) =>
        Enum.GetValues<RuleParameterKinds>()
            .Where(kind => kind is not RuleParameterKinds.None and not RuleParameterKinds.Enabled && (kinds & kind) != 0)
            .Select(kind => UpperSnake(kind.ToString()))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string UpperSnake(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(c));
        }

        return text.ToString();
    }
}
