using System.Text.RegularExpressions;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Conventions;

/// <summary>
/// The layout rule in docs/development.md: one type per file, small records may share. A
/// production source file declares at most one top-level type that needs a file of its own —
/// every class, interface, enum, struct and delegate, and every record longer than
/// <see cref="SmallRecordLineLimit"/> lines — and is named after it; small records may sit
/// beside it. A file of small records only is named after one of them. Nested types do not count; the <c>Program.cs</c> files hold
/// top-level statements and are exempt.
/// </summary>
public sealed partial class OnePublicTypePerFileTests
{
    /// <summary>A record of at most this many lines (declaration to closing brace, doc comment excluded) may share a file.</summary>
    internal const int SmallRecordLineLimit = 15;

    private static string FunctionsRoot => Path.Combine(RepositoryPaths.Root, "functions");

    [Fact]
    public void ProductionSources_ShouldDeclareOneTypePerFileNamedAfterIt()
    {
        // Arrange
        var files = ProductionSourceFiles().ToList();

        // Act
        var problems = files
            .SelectMany(file => Problems(Path.GetFileName(file), File.ReadAllText(Path.Combine(FunctionsRoot, file))).Select(problem => $"{file}: {problem}"))
            .ToList();

        // Assert
        Assert.True(files.Count > 200, $"found only {files.Count} source files under {FunctionsRoot}");
        Assert.True(problems.Count == 0, "one type per file, named after it (small records may share; docs/development.md, layout rules):\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Problems_WhenAFileDeclaresAClassAndAnEnum_ShouldNameTheSecondType()
    {
        // Arrange
        const string source = """
            namespace Sample;

            /// <summary>A level.</summary>
            public enum Level
            {
                Low,
                High,
            }

            public sealed class Widget
            {
                public Level Level { get; init; }
            }
            """;

        // Act
        var problems = Problems("Widget.cs", source);

        // Assert
        var problem = Assert.Single(problems);
        Assert.Contains("Level", problem, StringComparison.Ordinal);
        Assert.Contains("Widget", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_WhenSmallRecordsSitBesideTheFilesType_ShouldFindNone()
    {
        // Arrange
        const string source = """
            using System.Text;

            namespace Sample;

            /// <summary>One part.</summary>
            public sealed record Part(string Name, int Count);

            public readonly record struct Mark(long Ticks);

            [Obsolete("sample")]
            public static partial class Widget<T>
            {
                private sealed class Nested
                {
                }

                public enum NestedKind
                {
                    One,
                }
            }
            """;

        // Act
        var problems = Problems("Widget.cs", source);

        // Assert
        Assert.Empty(problems);
    }

    [Fact]
    public void Problems_WhenARecordLongerThanTheLimitSitsBesideAnotherType_ShouldNameTheRecord()
    {
        // Arrange
        var members = string.Join('\n', Enumerable.Range(0, SmallRecordLineLimit).Select(i => $"    public int Value{i} {{ get; init; }}"));
        var source = $"namespace Sample;\n\npublic sealed record Settings\n{{\n{members}\n}}\n\npublic sealed class Widget\n{{\n}}\n";

        // Act
        var problems = Problems("Widget.cs", source);

        // Assert
        var problem = Assert.Single(problems);
        Assert.Contains("Settings", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_WhenALongRecordIsTheFilesOnlyLargeType_ShouldFindNone()
    {
        // Arrange
        var members = string.Join('\n', Enumerable.Range(0, SmallRecordLineLimit).Select(i => $"    public int Value{i} {{ get; init; }}"));
        var source = $"namespace Sample;\n\npublic sealed record Part(int Count);\n\npublic sealed record Settings\n{{\n{members}\n}}\n";

        // Act
        var problems = Problems("Settings.cs", source);

        // Assert
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("namespace Sample;\n\npublic interface IThing\n{\n}\n", "Thing.cs")]
    [InlineData("namespace Sample;\n\npublic delegate void Sink(int value);\n", "Sinks.cs")]
    [InlineData("namespace Sample;\n\npublic sealed record Part(int Count);\n\npublic sealed record Piece(int Count);\n", "Parts.cs")]
    public void Problems_WhenTheFileIsNotNamedAfterItsType_ShouldSaySo(string source, string fileName)
    {
        // Act
        var problems = Problems(fileName, source);

        // Assert
        var problem = Assert.Single(problems);
        Assert.Contains("named after", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_WhenDelegatesAndInterfacesShareAFile_ShouldNameEveryExtraType()
    {
        // Arrange
        const string source = """
            namespace Sample;

            public delegate void Sink(int value);

            internal interface IThing
            {
            }

            public struct Thing
            {
            }
            """;

        // Act
        var problems = Problems("Thing.cs", source);

        // Assert
        var problem = Assert.Single(problems);
        Assert.Contains("Sink", problem, StringComparison.Ordinal);
        Assert.Contains("IThing", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// What is wrong with one source file (file-scoped namespace, so top-level declarations start
    /// at column 0): empty when it follows the rule.
    /// </summary>
    internal static IReadOnlyList<string> Problems(string fileName, string source)
    {
        var declarations = TopLevelDeclarations(source);
        var baseName = Path.GetFileNameWithoutExtension(fileName);
        var ownFile = declarations.Where(d => !d.IsRecord || d.Lines > SmallRecordLineLimit).ToList();
        var problems = new List<string>();
        if (ownFile.Count > 1)
        {
            var names = ownFile.Select(d => d.IsRecord ? $"{d.Name} (a record of {d.Lines} lines)" : d.Name);
            problems.Add($"declares {ownFile.Count} types that each need their own file: {string.Join(", ", names)}");
        }
        else if (ownFile.Count == 1 && ownFile[0].Name != baseName)
        {
            problems.Add($"declares {ownFile[0].Name} but is not named after it");
        }
        else if (ownFile.Count == 0 && declarations.Count > 0 && declarations.All(d => d.Name != baseName))
        {
            problems.Add($"declares only small records ({string.Join(", ", declarations.Select(d => d.Name))}) but is not named after one of them");
        }

        return problems;
    }

    private static List<Declaration> TopLevelDeclarations(string source)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var declarations = new List<(int Start, int Line, Match Match)>();
        var itemStart = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || char.IsWhiteSpace(line[0]))
            {
                continue;
            }

            // A column-0 doc comment, comment or attribute opens the next item's leading trivia.
            if (line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith('['))
            {
                itemStart = itemStart < 0 ? i : itemStart;
                continue;
            }

            var match = DeclarationLine().Match(line);
            if (match.Success)
            {
                declarations.Add((itemStart < 0 ? i : itemStart, i, match));
            }

            itemStart = -1;
        }

        var result = new List<Declaration>();
        for (var d = 0; d < declarations.Count; d++)
        {
            var end = (d + 1 < declarations.Count ? declarations[d + 1].Start : lines.Length) - 1;
            while (end > declarations[d].Line && lines[end].Trim().Length == 0)
            {
                end--;
            }

            var match = declarations[d].Match;
            var kind = match.Groups["kind"].Value;
            var name = kind == "delegate" ? DelegateName().Match(lines[declarations[d].Line]).Groups["name"].Value : match.Groups["name"].Value;
            result.Add(new Declaration(name, kind.StartsWith("record", StringComparison.Ordinal), end - declarations[d].Line + 1));
        }

        return result;
    }

    private static IEnumerable<string> ProductionSourceFiles() =>
        Directory.EnumerateFiles(FunctionsRoot, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(FunctionsRoot, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj"))
            .Where(path => Path.GetFileName(path) != "Program.cs")
            .Order(StringComparer.Ordinal);

    private sealed record Declaration(string Name, bool IsRecord, int Lines);

    // Modifiers, the kind, then the name (a generic type's name stops before '<'; a delegate's
    // name comes after its return type, see DelegateName).
    [GeneratedRegex(@"^(?:(?:public|internal|private|protected|file|static|sealed|abstract|partial|readonly|ref|unsafe|new)\s+)*(?<kind>class|interface|enum|struct|record\s+struct|record\s+class|record|delegate)\s+(?<name>\w+)")]
    private static partial Regex DeclarationLine();

    // The identifier right before the parameter list (or the type parameters before it).
    [GeneratedRegex(@"(?<name>\w+)\s*(?:<[^>]*>)?\s*\(")]
    private static partial Regex DelegateName();
}
