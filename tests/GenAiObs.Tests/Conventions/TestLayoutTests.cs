using System.Text.RegularExpressions;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Conventions;

/// <summary>
/// The test project's folders mirror the production folders (tests/GenAiObs.Tests/README.md): a
/// test file lands in <c>Core/…</c>, <c>Adapters/…</c>, <c>Functions/…</c> or <c>Cli/…</c> only
/// where <c>functions/GenAiObs.&lt;Project&gt;/…</c> has the same folder, or in one of the named
/// cross-cutting folders. A new test file in a folder that mirrors nothing fails here.
/// </summary>
public sealed partial class TestLayoutTests
{
    private static readonly string[] MirroredProjects = ["Core", "Adapters", "Functions", "Cli"];

    /// <summary>Folders that mirror no production folder, each for one stated kind of file.</summary>
    private static readonly string[] CrossCuttingFolders = ["Template", "Support", "Conventions", "Documentation"];

    private const string EndToEndFolder = "EndToEnd";

    private const string HelpersOnlyFolder = "Support";

    private static string TestsRoot => Path.Combine(RepositoryPaths.Root, "tests", "GenAiObs.Tests");

    [Fact]
    public void EverySourceFile_ShouldSitInAFolderThatMirrorsProductionOrIsNamedCrossCutting()
    {
        // Arrange
        var files = SourceFiles().ToList();

        // Act
        var misplaced = files.Where(file => !IsAllowedFolder(FolderOf(file))).ToList();

        // Assert
        Assert.True(files.Count > 100, $"found only {files.Count} source files under {TestsRoot}");
        Assert.True(misplaced.Count == 0, "test files in folders that mirror no production folder (see tests/GenAiObs.Tests/README.md):\n" + string.Join('\n', misplaced));
    }

    [Fact]
    public void SupportFolder_ShouldHoldHelpersButNoTests()
    {
        // Arrange
        var helpers = SourceFiles().Where(file => FolderOf(file) == HelpersOnlyFolder).ToList();

        // Act
        var withTests = helpers.Where(file => DeclaresTests(File.ReadAllText(Path.Combine(TestsRoot, file)))).ToList();

        // Assert
        Assert.NotEmpty(helpers);
        Assert.True(withTests.Count == 0, "Support/ holds helpers only; move these tests beside what they test:\n" + string.Join('\n', withTests));
    }

    [Theory]
    [InlineData("Core/Aggregation", true)]
    [InlineData("Core/Alerts/Rules", true)]
    [InlineData("Adapters/Receivers/Slack", true)]
    [InlineData("Functions", true)]
    [InlineData("Cli/Commands", true)]
    [InlineData("EndToEnd/Hardening", true)]
    [InlineData("Template", true)]
    [InlineData("Support", true)]
    [InlineData("Conventions", true)]
    [InlineData("Documentation", true)]
    [InlineData("", false)]
    [InlineData("Store", false)]
    [InlineData("Core", false)]
    [InlineData("Core/Storage", false)]
    [InlineData("Adapters/Receivers/Teams", false)]
    [InlineData("EndToEnd", false)]
    [InlineData("EndToEnd/Hardening/Alerts", false)]
    [InlineData("Support/Http", false)]
    [InlineData("Cli/samples", false)]
    public void IsAllowedFolder_WhenAskedAboutAFolder_ShouldAcceptOnlyMirrorsAndNamedFolders(string folder, bool expected)
    {
        // Act (against the production folders as they are in the repository)
        var allowed = IsAllowedFolder(folder);

        // Assert
        Assert.Equal(expected, allowed);
    }

    [Theory]
    [InlineData("[Fact]\npublic void A() { }", true)]
    [InlineData("[Theory, InlineData(1)]\npublic void A(int x) { }", true)]
    [InlineData("[DynaliteFact]\npublic Task A() => Task.CompletedTask;", true)]
    [InlineData("[Property(MaxTest = 10)]\npublic bool A(int x) => true;", true)]
    [InlineData("public sealed class DynaliteFactAttribute : FactAttribute { }", false)]
    [InlineData("/// <summary>A helper.</summary>\npublic static class Helper { }", false)]
    public void DeclaresTests_WhenGivenSource_ShouldSpotTestMethodsOnly(string source, bool expected)
    {
        // Act
        var declares = DeclaresTests(source);

        // Assert
        Assert.Equal(expected, declares);
    }

    /// <summary>
    /// <paramref name="folder"/> (relative to the test project, '/'-separated) is a mirror of
    /// <c>functions/GenAiObs.&lt;Project&gt;/&lt;folder&gt;</c>, an <c>EndToEnd/&lt;Topic&gt;</c>
    /// folder, or one of <see cref="CrossCuttingFolders"/>.
    /// </summary>
    internal static bool IsAllowedFolder(string folder)
    {
        var parts = folder.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return false;
        }

        if (parts.Length == 1 && CrossCuttingFolders.Contains(parts[0], StringComparer.Ordinal))
        {
            return true;
        }

        if (parts[0] == EndToEndFolder)
        {
            return parts.Length == 2;
        }

        if (!MirroredProjects.Contains(parts[0], StringComparer.Ordinal))
        {
            return false;
        }

        // A folder mirrors production when it holds production sources: not bin/, obj/ or
        // samples/, and not the root of Core or Adapters, whose every type lives in a subfolder.
        return HoldsProductionSources(parts[0], string.Join('/', parts.Skip(1)));
    }

    /// <summary>Whether a test source declares a test method (xUnit's Fact/Theory, attributes derived from them by name, FsCheck's Property).</summary>
    internal static bool DeclaresTests(string source) => TestAttribute().IsMatch(source);

    private static bool HoldsProductionSources(string project, string relativeFolder)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "functions", "GenAiObs." + project, relativeFolder);
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.cs", SearchOption.TopDirectoryOnly).Any();
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(TestsRoot, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(TestsRoot, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string FolderOf(string relativeFile)
    {
        var slash = relativeFile.LastIndexOf('/');
        return slash < 0 ? string.Empty : relativeFile[..slash];
    }

    [GeneratedRegex(@"^\s*\[\s*(\w*Fact|\w*Theory|Property)\b", RegexOptions.Multiline)]
    private static partial Regex TestAttribute();
}
