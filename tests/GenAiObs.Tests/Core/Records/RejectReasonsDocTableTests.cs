using System.Reflection;
using System.Text.RegularExpressions;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Documentation;

/// <summary>
/// The reject-reason table of docs/prices-and-inputs.md (the values of the RejectedRecords
/// metric's <c>Reason</c> dimension) against <see cref="RejectReasons"/>: a reason added in code is
/// explained there, and the table names no reason the code never gives.
/// </summary>
public sealed partial class RejectReasonsDocTableTests
{
    [Fact]
    public void RejectReasonTable_ShouldListExactlyTheReasonsTheCodeGives()
    {
        // Arrange
        var code = typeof(RejectReasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)
            .ToList();

        // Act
        var documented = DocumentedReasons();

        // Assert
        Assert.Equal(code, documented);
    }

    /// <summary>The code spans of each row's first cell under "| reason | when |" (one row may name several reasons).</summary>
    private static List<string> DocumentedReasons()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "prices-and-inputs.md"));
        var header = Array.FindIndex(lines, line => line.TrimEnd() == "| reason | when |");
        Assert.True(header >= 0, "docs/prices-and-inputs.md has no reject-reason table");
        return [.. lines.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .SelectMany(line => CodeSpan().Matches(line.Split('|')[1]).Select(match => match.Groups[1].Value))
            .Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}
