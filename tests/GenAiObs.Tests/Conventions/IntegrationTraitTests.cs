using System.Reflection;
using System.Text.RegularExpressions;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Conventions;

/// <summary>
/// <c>[Trait("Category", "Integration")]</c> marks exactly the test classes that need something
/// outside the process — dynalite, moto, a loopback HTTP server, a child process or the published
/// bootstrap — so <c>--filter "Category!=Integration"</c> runs the pure unit tests alone. Which
/// classes need it is read from the sources: a class needs it when its code (or its base class's)
/// names one of <see cref="OutOfProcessMarkers"/> or a helper whose code does, transitively.
/// </summary>
public sealed partial class IntegrationTraitTests
{
    /// <summary>What makes a test an integration test (patterns matched as whole words): the helpers and APIs that reach outside the process.</summary>
    internal static readonly string[] OutOfProcessMarkers =
    [
        "DynaliteTable", "DynaliteTableFixture", "DynaliteFact", @"AWS_ENDPOINT_URL\w*", "GENAIOBS_TEST_MOTO_ENDPOINT",
        "SimulatedAccount", "MotoServer", "PythonTool", "LoopbackHttpServer", "LoopbackRuntimeApi", "LoopbackSsm",
        "PublishedBootstrap", "BootstrapBuildFixture", @"Process\.Start", "ProcessStartInfo", "TcpListener", "HttpListener",
    ];

    private const string Category = "Category";

    private const string Integration = "Integration";

    [Fact]
    public void EveryTestClass_ShouldCarryTheIntegrationTraitExactlyWhenItReachesOutsideTheProcess()
    {
        // Arrange
        var usesOutside = TypesReachingOutside(ReadTypeSources());
        var testClasses = typeof(IntegrationTraitTests).Assembly.GetTypes().Where(IsTestClass).ToList();

        // Act
        var missing = testClasses.Where(type => NeedsTrait(type, usesOutside) && !HasIntegrationTrait(type)).Select(type => type.FullName).ToList();
        var needless = testClasses.Where(type => !NeedsTrait(type, usesOutside) && HasIntegrationTrait(type)).Select(type => type.FullName).ToList();

        // Assert
        Assert.True(testClasses.Count > 100, $"found only {testClasses.Count} test classes");
        Assert.True(missing.Count == 0, "reach outside the process without [Trait(\"Category\", \"Integration\")]:\n" + string.Join('\n', missing));
        Assert.True(needless.Count == 0, "carry the Integration trait but reach nothing outside the process:\n" + string.Join('\n', needless));
    }

    [Fact]
    public void TypesReachingOutside_WhenAHelperWrapsAMarker_ShouldFlagTheHelperAndItsUsersButNotOthers()
    {
        // Arrange
        var sources = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Harness"] = "private readonly LoopbackHttpServer _server = new();",
            ["Chain"] = "var harness = new Harness();",
            ["UsesChain"] = "var chain = new Chain();",
            ["Env"] = "Environment.GetEnvironmentVariable(\"AWS_ENDPOINT_URL_DYNAMODB\")",
            ["Child"] = "using var process = Process.Start(info);",
            ["Pure"] = "var harnessName = \"Harnessed\"; var table = new DynaliteTableLike();",
        };

        // Act
        var flagged = TypesReachingOutside(sources);

        // Assert
        Assert.Equal(["Chain", "Child", "Env", "Harness", "UsesChain"], flagged.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReadTypeSources_ShouldSplitFilesIntoTopLevelTypesAndDropComments()
    {
        // Arrange
        const string source = """
            namespace X;

            /// <summary>Talks to a LoopbackHttpServer in prose only.</summary>
            [Trait("Category", "Integration")]
            public sealed class First
            {
                private sealed class Nested { }
                // PublishedBootstrap is mentioned in a comment only.
                public int A => 1;
            }

            internal static class Second
            {
                public static object B() => new LoopbackHttpServer();
            }
            """;

        // Act
        var types = SplitTypes(source);

        // Assert
        Assert.Equal(["First", "Second"], types.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("LoopbackHttpServer", types["First"], StringComparison.Ordinal);
        Assert.DoesNotContain("PublishedBootstrap", types["First"], StringComparison.Ordinal);
        Assert.Contains("LoopbackHttpServer", types["Second"], StringComparison.Ordinal);
    }

    /// <summary>
    /// The names of the types whose code names a marker, or names a type that does (to a fixed
    /// point), given each top-level type's code.
    /// </summary>
    internal static HashSet<string> TypesReachingOutside(IReadOnlyDictionary<string, string> typeSources)
    {
        var flagged = new HashSet<string>(StringComparer.Ordinal);
        var markers = new Regex(@"\b(" + string.Join('|', OutOfProcessMarkers) + @")\b", RegexOptions.CultureInvariant);
        bool changed;
        do
        {
            changed = false;
            var helpers = flagged.Count == 0 ? null : new Regex(@"\b(" + string.Join('|', flagged.Select(Regex.Escape)) + @")\b", RegexOptions.CultureInvariant);
            foreach (var (name, code) in typeSources)
            {
                if (!flagged.Contains(name) && (markers.IsMatch(code) || (helpers?.IsMatch(code) ?? false)))
                {
                    flagged.Add(name);
                    changed = true;
                }
            }
        }
        while (changed);

        return flagged;
    }

    /// <summary>
    /// The code of each top-level type (a declaration at the start of a line, as file-scoped
    /// namespaces put it) in a source file, comments removed; a partial type's parts are joined.
    /// </summary>
    internal static Dictionary<string, string> SplitTypes(string source)
    {
        var code = LineComment().Replace(source, string.Empty);
        var declarations = TopLevelType().Matches(code);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < declarations.Count; i++)
        {
            var start = declarations[i].Index;
            var end = i + 1 < declarations.Count ? declarations[i + 1].Index : code.Length;
            var name = declarations[i].Groups["name"].Value;
            types[name] = types.GetValueOrDefault(name, string.Empty) + code[start..end];
        }

        return types;
    }

    /// <summary>Every top-level type of the test project's sources; Conventions/ is left out, since these checks name the markers themselves.</summary>
    private static Dictionary<string, string> ReadTypeSources()
    {
        var root = Path.Combine(RepositoryPaths.Root, "tests", "GenAiObs.Tests");
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("Conventions/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (name, code) in SplitTypes(File.ReadAllText(path)))
            {
                all[name] = all.GetValueOrDefault(name, string.Empty) + code;
            }
        }

        return all;
    }

    /// <summary>A concrete class xUnit runs: one with a Fact (Theory and FsCheck's Property derive from it), declared or inherited.</summary>
    private static bool IsTestClass(Type type) =>
        type is { IsClass: true, IsAbstract: false } &&
        type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(method => method.GetCustomAttributes<FactAttribute>(inherit: true).Any());

    /// <summary>Whether the class, its base classes or the top-level type it is nested in reach outside the process.</summary>
    private static bool NeedsTrait(Type type, HashSet<string> usesOutside)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            var outer = current;
            while (outer.DeclaringType is not null)
            {
                outer = outer.DeclaringType;
            }

            if (usesOutside.Contains(current.Name) || usesOutside.Contains(outer.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Declared on the class itself (not inherited from a contract base), so it is visible where the tests are.</summary>
    private static bool HasIntegrationTrait(Type type) =>
        type.GetCustomAttributesData().Any(attribute =>
            attribute.AttributeType == typeof(TraitAttribute) &&
            attribute.ConstructorArguments is [{ Value: Category }, { Value: Integration }]);

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"^(?:public |internal |file )?(?:static |sealed |abstract |partial )*(?:class|record|struct|interface|enum) (?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
