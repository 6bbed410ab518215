namespace GenAiObs.Tests.Template;

/// <summary>Where the repository's files are, found from the test assembly by walking up to the solution.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string TemplateFile => Path.Combine(Root, "template.yaml");

    public static string FunctionsProjectDir => Path.Combine(Root, "functions", "GenAiObs.Functions");

    public static string ServiceSpecFile => Path.Combine(Root, "tests", "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GenAiObsLambdas.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No GenAiObsLambdas.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>One resource of a template.</summary>
public sealed record TemplateResource(string LogicalId, string Type, Dictionary<string, object?> Properties, string? Condition, Dictionary<string, object?> Raw);

/// <summary>A parsed template with typed access to its sections.</summary>
public sealed class TemplateDocument
{
    public TemplateDocument(Dictionary<string, object?> root)
    {
        Root = root;
        Parameters = Section(root, "Parameters");
        Conditions = Section(root, "Conditions");
        Outputs = Section(root, "Outputs");
        Resources = Section(root, "Resources")
            .Select(r =>
            {
                var raw = r.Value as Dictionary<string, object?> ?? throw new FormatException($"Resource {r.Key} is not a mapping.");
                var type = raw.GetValueOrDefault("Type") as string ?? throw new FormatException($"Resource {r.Key} has no Type.");
                var properties = raw.GetValueOrDefault("Properties") as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
                return new TemplateResource(r.Key, type, properties, raw.GetValueOrDefault("Condition") as string, raw);
            })
            .ToDictionary(r => r.LogicalId, StringComparer.Ordinal);
        var globals = Section(root, "Globals");
        GlobalFunction = globals.GetValueOrDefault("Function") as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    public Dictionary<string, object?> Root { get; }

    public Dictionary<string, object?> Parameters { get; }

    public Dictionary<string, object?> Conditions { get; }

    public Dictionary<string, object?> Outputs { get; }

    public Dictionary<string, TemplateResource> Resources { get; }

    public Dictionary<string, object?> GlobalFunction { get; }

    public IEnumerable<TemplateResource> Functions => Resources.Values.Where(r => r.Type == "AWS::Serverless::Function");

    public static TemplateDocument Load(string path) => new(CloudFormationYaml.Parse(File.ReadAllText(path)));

    public static TemplateDocument LoadRepositoryTemplate() => Load(RepositoryPaths.TemplateFile);

    /// <summary>
    /// A function's effective environment: Globals.Function.Environment.Variables merged with the
    /// function's own (SAM merges maps, the function winning on a clash).
    /// </summary>
    public Dictionary<string, object?> EnvironmentOf(TemplateResource function)
    {
        var merged = new Dictionary<string, object?>(Variables(GlobalFunction), StringComparer.Ordinal);
        foreach (var (name, value) in Variables(function.Properties))
        {
            merged[name] = value;
        }

        return merged;
    }

    private static Dictionary<string, object?> Variables(Dictionary<string, object?> properties) =>
        (properties.GetValueOrDefault("Environment") as Dictionary<string, object?>)?.GetValueOrDefault("Variables") as Dictionary<string, object?>
        ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    private static Dictionary<string, object?> Section(Dictionary<string, object?> root, string name) =>
        root.GetValueOrDefault(name) as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
}
