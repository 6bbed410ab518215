using System.Text;
using System.Text.RegularExpressions;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Documentation;

/// <summary>
/// The README is the entry point and docs/ holds the reference: every relative link between them
/// (and into the repository) resolves, every #anchor names a heading of its target, and every
/// repository path a document spells out in code exists — so moving a file or renaming a heading
/// cannot leave a dead reference behind.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            data.Add("docs/" + Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Readme_ShouldLinkEveryDocumentInDocs()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var linked = Links(readme).Select(link => link.Split('#')[0]).ToHashSet(StringComparer.Ordinal);

        var documents = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Select(file => "docs/" + Path.GetFileName(file)).ToList();

        Assert.NotEmpty(documents);
        Assert.All(documents, document => Assert.Contains(document, linked));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void RelativeLinks_ShouldResolveToAFileAndAHeading(string document)
    {
        var path = Path.Combine(RepositoryPaths.Root, document);
        var text = File.ReadAllText(path);
        var problems = new List<string>();

        foreach (var link in Links(text).Where(link => !link.Contains("://", StringComparison.Ordinal) && !link.StartsWith("mailto:", StringComparison.Ordinal)))
        {
            var hash = link.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? link : link[..hash];
            var target = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                problems.Add($"{link}: no such file");
                continue;
            }

            if (hash >= 0 && !Anchors(File.ReadAllText(target)).Contains(link[(hash + 1)..]))
            {
                problems.Add($"{link}: no such heading");
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void RepositoryPathsInCode_ShouldExist(string document)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, document));

        var paths = CodeSpan().Matches(text)
            .Select(match => match.Groups[1].Value)
            .Where(IsRepositoryPath)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        if (document == "README.md")
        {
            Assert.NotEmpty(paths);
        }

        Assert.All(paths, relative =>
        {
            var full = Path.Combine(RepositoryPaths.Root, relative.TrimEnd('/'));
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{document} names {relative}, which does not exist");
        });
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void TestNamesWithAFolder_ShouldNameATestFileAndMethodThatExist(string document)
    {
        // A proof column names tests as `Folder/NameTests`, `Folder/NameTests.cs` or
        // `Folder/NameTests.Method`, relative to tests/GenAiObs.Tests.
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, document));
        var testsRoot = Path.Combine(RepositoryPaths.Root, "tests", "GenAiObs.Tests");
        var problems = new List<string>();

        foreach (Match match in TestReference().Matches(text))
        {
            var file = Path.Combine(testsRoot, match.Groups["path"].Value + ".cs");
            var method = match.Groups["method"].Value;
            if (!File.Exists(file))
            {
                problems.Add($"{match.Value}: no file tests/GenAiObs.Tests/{match.Groups["path"].Value}.cs");
            }
            else if (method.Length > 0 && method != "cs" && !File.ReadAllText(file).Contains(" " + method + "(", StringComparison.Ordinal))
            {
                problems.Add($"{match.Value}: no method {method}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Anchors_ShouldFollowGitHubsHeadingSlugs()
    {
        var anchors = Anchors("# CLI\n```bash\n# not a heading\n```\n## Deploy (AWS SAM)\n### `routes test|check|show` (amtool's routing tools)\n");

        Assert.Equal(["cli", "deploy-aws-sam", "routes-testcheckshow-amtools-routing-tools"], anchors.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A code span naming a file or folder of the repository: it starts at a top-level folder or is
    /// a top-level file; placeholders (<c>&lt;Name&gt;</c>, <c>…</c>), build output and commands are not paths.
    /// </summary>
    private static bool IsRepositoryPath(string code) =>
        !code.Contains(' ', StringComparison.Ordinal) && !code.Contains('<', StringComparison.Ordinal) && !code.Contains('…', StringComparison.Ordinal)
        && !code.Contains("/bin/", StringComparison.Ordinal) && !code.Contains("node_modules", StringComparison.Ordinal)
        && (code.StartsWith("functions/", StringComparison.Ordinal) || code.StartsWith("tests/", StringComparison.Ordinal)
            || code.StartsWith("docs/", StringComparison.Ordinal) || code.StartsWith(".ci/", StringComparison.Ordinal)
            || code is "template.yaml" or "member.yaml" or "samconfig.toml" or "Directory.Build.props" or "Directory.Packages.props");

    private static IEnumerable<string> Links(string markdown) => MarkdownLink().Matches(markdown).Select(match => match.Groups[1].Value);

    /// <summary>The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens (code fences skipped).</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced || !line.StartsWith('#'))
            {
                continue;
            }

            var slug = new StringBuilder();
            foreach (var c in line.TrimStart('#').Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            anchors.Add(slug.ToString());
        }

        return anchors;
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"`(?<path>(?:[A-Z][A-Za-z]*/)+[A-Za-z]+Tests)(?:\.(?<method>[A-Za-z_]+))?`")]
    private static partial Regex TestReference();
}
