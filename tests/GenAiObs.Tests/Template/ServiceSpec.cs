using System.IO.Compression;
using System.Text.Json;

namespace GenAiObs.Tests.Template;

/// <summary>
/// The CloudFormation + SAM resource specification from the npm package
/// <c>@aws-cdk/aws-service-spec</c> (<c>db.json.gz</c>, pinned in tests/package.json). The file is a
/// graph database: <c>schema.resource.entities</c> are resources keyed by
/// <c>cloudFormationType</c> with <c>properties</c> (each a <c>type</c> node plus an optional
/// <c>required</c> flag) and <c>attributes</c>; a property type is a node
/// <c>{"type": "string"|"number"|"integer"|"boolean"|"date-time"|"json"|"tag"}</c>, an
/// <c>array</c>/<c>map</c> with an <c>element</c> node, a <c>union</c> of <c>types</c>, or a
/// <c>ref</c> whose <c>reference.$ref</c> is the <c>$id</c> of a <c>schema.typeDefinition</c>
/// entity (a nested property type with its own <c>properties</c>). CloudWatch metrics are
/// <c>schema.metric</c> entities (namespace, name) linked to <c>schema.dimensionSet</c> entities
/// through the <c>schema.usesDimensionSet.forward</c> relation.
/// </summary>
public sealed class ServiceSpec : IDisposable
{
    private readonly JsonDocument _document;
    private readonly Dictionary<string, JsonElement> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), List<HashSet<string>>> _metrics = [];

    private ServiceSpec(JsonDocument document)
    {
        _document = document;
        var schema = document.RootElement.GetProperty("schema");
        foreach (var entity in schema.GetProperty("resource").GetProperty("entities").EnumerateArray())
        {
            _resources[entity.GetProperty("cloudFormationType").GetString()!] = entity;
        }

        foreach (var entity in schema.GetProperty("typeDefinition").GetProperty("entities").EnumerateArray())
        {
            _types[entity.GetProperty("$id").GetString()!] = entity;
        }

        var dimensionSets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entity in schema.GetProperty("dimensionSet").GetProperty("entities").EnumerateArray())
        {
            dimensionSets[entity.GetProperty("$id").GetString()!] = entity.GetProperty("dimensions").EnumerateArray()
                .Select(d => d.GetProperty("name").GetString()!)
                .ToHashSet(StringComparer.Ordinal);
        }

        var uses = schema.GetProperty("usesDimensionSet").GetProperty("forward");
        foreach (var metric in schema.GetProperty("metric").GetProperty("entities").EnumerateArray())
        {
            var key = (metric.GetProperty("namespace").GetString()!, metric.GetProperty("name").GetString()!);
            var sets = _metrics.TryGetValue(key, out var existing) ? existing : _metrics[key] = [];
            if (uses.TryGetProperty(metric.GetProperty("$id").GetString()!, out var links))
            {
                sets.AddRange(links.EnumerateArray().Select(l => dimensionSets[l.GetProperty("$id").GetString()!]));
            }
        }
    }

    /// <summary>Loads the spec; fails with the command to run when the npm package is not installed.</summary>
    public static ServiceSpec Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The CloudFormation/SAM resource specification is missing at {path}. Install the pinned test dependencies first: cd tests && npm ci",
                path);
        }

        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return new ServiceSpec(JsonDocument.Parse(gzip, new JsonDocumentOptions { MaxDepth = 512 }));
    }

    public bool TryGetResource(string cloudFormationType, out JsonElement resource) =>
        _resources.TryGetValue(cloudFormationType, out resource);

    public JsonElement TypeDefinition(string id) => _types[id];

    /// <summary>Dimension-name sets AWS documents for an AWS/* metric, or null when the metric is unknown.</summary>
    public IReadOnlyList<HashSet<string>>? MetricDimensionSets(string metricNamespace, string metricName) =>
        _metrics.TryGetValue((metricNamespace, metricName), out var sets) ? sets : null;

    public static bool TryGetProperty(JsonElement entity, string name, out JsonElement property)
    {
        property = default;
        return entity.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out property);
    }

    public static IEnumerable<string> RequiredProperties(JsonElement entity) =>
        entity.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject()
                .Where(p => p.Value.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.True)
                .Select(p => p.Name)
            : [];

    public static bool HasAttribute(JsonElement resource, string attribute) =>
        resource.TryGetProperty("attributes", out var attributes) && attributes.TryGetProperty(attribute, out _);

    public void Dispose() => _document.Dispose();
}

/// <summary>One spec load shared by the template test classes (the file is ~40 MB of JSON).</summary>
public sealed class ServiceSpecFixture : IDisposable
{
    private readonly Lazy<ServiceSpec> _spec = new(() => ServiceSpec.Load(RepositoryPaths.ServiceSpecFile));

    public ServiceSpec Spec => _spec.Value;

    public void Dispose()
    {
        if (_spec.IsValueCreated)
        {
            _spec.Value.Dispose();
        }
    }
}
