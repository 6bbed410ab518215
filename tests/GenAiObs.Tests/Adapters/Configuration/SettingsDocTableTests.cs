using System.Reflection;
using System.Text.RegularExpressions;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Documentation;

/// <summary>
/// The settings table of docs/operations.md against <see cref="EnvironmentVariables"/>, the one list
/// of every variable the functions and the CLI read: a variable added in code appears in the table,
/// and the table names no variable the code does not read.
/// </summary>
public sealed partial class SettingsDocTableTests
{
    /// <summary>Set by Lambda for every function, never by a user: the custom-runtime contract (AWS Lambda Developer Guide, "Defined runtime environment variables").</summary>
    private static readonly HashSet<string> SetByLambda = new(StringComparer.Ordinal)
    {
        EnvironmentVariables.RuntimeApi, EnvironmentVariables.TraceId, EnvironmentVariables.FunctionName,
        EnvironmentVariables.FunctionVersion, EnvironmentVariables.Region, EnvironmentVariables.DefaultRegion,
    };

    [Fact]
    public void SettingsTable_ShouldNameEveryVariableTheCodeReads()
    {
        var documented = DocumentedNames();

        var missing = CodeNames().Where(name => !SetByLambda.Contains(name) && !documented.Any(entry => Covers(entry, name))).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void SettingsTable_ShouldNameOnlyVariablesTheCodeReads()
    {
        var code = CodeNames();

        var unknown = DocumentedNames().Where(entry => !code.Any(name => Covers(entry, name))).ToList();

        Assert.Empty(unknown);
    }

    /// <summary>An exact name, or a <c>PREFIX_*</c> entry covering every name (and the prefix constant) that starts with PREFIX_.</summary>
    private static bool Covers(string entry, string name) =>
        entry.EndsWith('*') ? name.StartsWith(entry[..^1], StringComparison.Ordinal) : entry == name;

    private static List<string> CodeNames() =>
        [.. typeof(EnvironmentVariables).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)];

    /// <summary>Every variable-shaped code span in the table's rows (first and meaning columns alike).</summary>
    private static List<string> DocumentedNames()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));
        var header = Array.FindIndex(lines, line => line.StartsWith("| variable | used by | default | meaning |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/operations.md has no settings table");
        var names = lines.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .SelectMany(line => VariableSpan().Matches(line.Split('|')[1]).Select(match => match.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(names);
        return names;
    }

    [GeneratedRegex(@"`((?:GENAIOBS_|POWERTOOLS_|AWS_|_)[A-Z0-9_]*\*?)`")]
    private static partial Regex VariableSpan();
}
