using GenAiObs.Core.Metrics;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Documentation;

/// <summary>
/// The metric tables of docs/metrics.md against the builders' own catalogues
/// (<see cref="InvocationMetricNames.Catalogue"/>, <see cref="SpanMetricNames.Catalogue"/>, each
/// checked against what its builder emits): a metric added, removed or given another dimension set
/// fails here until the document says so.
/// </summary>
public sealed class MetricsDocTableTests
{
    [Fact]
    public void InvocationMetricTable_ShouldListEveryCataloguedMetricWithItsDimensionSets()
    {
        var rows = TableRows("| Metric | Unit | Dimension sets | Meaning |");

        Assert.Equal(Expected(InvocationMetricNames.Catalogue), rows);
    }

    [Fact]
    public void SpanMetricTable_ShouldListEveryCataloguedMetricWithItsDimensionSets()
    {
        var rows = TableRows("| Metric | Unit | Dimension sets |");

        Assert.Equal(Expected(SpanMetricNames.Catalogue), rows);
    }

    [Fact]
    public void QualityMemberTable_ShouldListEveryNumericPropertyOfTheQualityDocuments()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "metrics.md"));
        var start = Array.FindIndex(lines, line => line.TrimEnd() == "| member | on | meaning |");
        Assert.True(start >= 0, "docs/metrics.md has no table of the quality documents' members");

        var documented = lines.Skip(start + 2).TakeWhile(line => line.StartsWith('|'))
            .SelectMany(line => line.Split('|')[1].Split(',').Select(name => name.Trim().Trim('`')))
            .Order(StringComparer.Ordinal);

        Assert.Equal(QualityMetricNames.Values.Order(StringComparer.Ordinal), documented);
    }

    /// <summary>metric → its dimension sets, each written "Service,ModelId" in EMF order, sorted.</summary>
    private static SortedDictionary<string, string> Expected(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>> catalogue) =>
        new(catalogue.ToDictionary(entry => entry.Key, entry => string.Join(" ", entry.Value.Select(set => string.Join(",", set)).Order(StringComparer.Ordinal))), StringComparer.Ordinal);

    /// <summary>
    /// The rows under a table header: the first cell names one or more metrics (comma-separated,
    /// an explanation in parentheses after them), the third their dimension sets
    /// (<c>[Service], [Service, ModelId]</c>; <c>[Service = …]</c> notes where a value comes from).
    /// </summary>
    private static SortedDictionary<string, string> TableRows(string header)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "metrics.md"));
        var start = Array.FindIndex(lines, line => line.TrimEnd() == header);
        Assert.True(start >= 0, $"docs/metrics.md has no table headed {header}");
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);

        foreach (var line in lines.Skip(start + 2).TakeWhile(line => line.StartsWith('|')))
        {
            var cells = line.Split('|').Select(cell => cell.Trim()).ToArray();
            var names = cells[1].Split('(')[0].Split(',').Select(name => name.Trim()).Where(name => name.Length > 0);
            var sets = string.Join(" ", cells[3].Split(']')
                .Select(set => set.Trim().TrimStart(',').Trim().TrimStart('['))
                .Where(set => set.Length > 0)
                .Select(set => string.Join(",", set.Split(',').Select(dimension => dimension.Split('=')[0].Trim())))
                .Order(StringComparer.Ordinal));
            foreach (var name in names)
            {
                rows.Add(name, sets);
            }
        }

        return rows;
    }
}
