using System.Text;
using System.Text.Json;
using Xunit;

namespace GenAiObs.Tests.Metrics;

/// <summary>One parsed EMF document: what a spec-conforming document says, for assertions.</summary>
internal sealed record EmfDocument(
    long Timestamp,
    string Namespace,
    IReadOnlyList<IReadOnlyList<string>> DimensionSets,
    IReadOnlyDictionary<string, string> Dimensions,
    IReadOnlyList<(string Name, string Unit)> Definitions,
    IReadOnlyDictionary<string, double[]> Values,
    int Bytes)
{
    /// <summary>String members that are neither a dimension nor <c>_aws</c>: EMF properties (no metric).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Numeric members that no directive names: EMF properties (no metric).</summary>
    public IReadOnlyDictionary<string, double> PropertyValues { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// False for a plain JSON line without <c>_aws</c> (a document that defines no metric, such as an
    /// attribution or quality document): no timestamp, namespace, dimensions or definitions; every
    /// string member is in <see cref="Properties"/> and every number in <see cref="PropertyValues"/>.
    /// </summary>
    public bool HasDirective => Namespace.Length > 0;

    /// <summary>True when the document's one dimension set is <paramref name="names"/> (in order); false for a plain line.</summary>
    public bool HasDimensions(IReadOnlyList<string> names) => DimensionSets.Count == 1 && DimensionSets[0].SequenceEqual(names);
}

/// <summary>
/// Parses EMF lines with JsonDocument and checks them against the CloudWatch EMF specification
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html): required members, ≤ 100 metrics per directive, ≤ 100 values per array,
/// ≤ 30 dimension keys, dimension values are strings ≤ 1024 chars, every target a top-level
/// member, one document per 256 KB log event. A line without <c>_aws</c> is a plain JSON log line
/// (CloudWatch extracts no metric from it; Logs Insights reads its members alike), parsed into
/// properties only.
/// </summary>
internal static class EmfSpec
{
    public const int MaxLogEventBytes = 256 * 1024;
    private static readonly string[] Units = ["Count", "Milliseconds", "None", "Seconds", "Microseconds", "Bytes", "Percent"];

    public static IReadOnlyList<EmfDocument> ParseAll(IEnumerable<byte[]> documents) => documents.SelectMany(ParseViews).ToList();

    public static IReadOnlyList<EmfDocument> ParseLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(line => ParseViews(Encoding.UTF8.GetBytes(line))).ToList();

    /// <summary>The number of EMF lines (log events) in <paramref name="text"/>, whatever each extracts.</summary>
    public static int CountLines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>A line that extracts under one dimension set (or none: a plain line).</summary>
    public static EmfDocument Parse(byte[] utf8) => Assert.Single(ParseViews(utf8));

    /// <summary>
    /// What CloudWatch extracts from one line: one view per (directive, dimension set), each with
    /// that set's dimension values and its directive's metrics, or one plain view for a line
    /// without <c>_aws</c>. A line's properties (members no directive names) are on every view.
    /// Several directives may name the same member: each reads it (the member has one value).
    /// </summary>
    public static IReadOnlyList<EmfDocument> ParseViews(byte[] utf8)
    {
        Assert.True(utf8.Length <= MaxLogEventBytes, $"document of {utf8.Length} bytes exceeds one log event");
        Assert.DoesNotContain((byte)'\n', utf8);
        using var json = JsonDocument.Parse(utf8);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);

        if (!root.TryGetProperty("_aws", out var aws))
        {
            return [PlainLine(root, utf8.Length)];
        }

        var timestamp = aws.GetProperty("Timestamp");
        Assert.Equal(JsonValueKind.Number, timestamp.ValueKind);
        var directives = aws.GetProperty("CloudWatchMetrics");
        Assert.True(directives.GetArrayLength() >= 1, "no metric directive");
        var named = new HashSet<string>(StringComparer.Ordinal);
        var parsed = new List<(string Namespace, List<List<string>> Sets, List<(string Name, string Unit)> Definitions, Dictionary<string, double[]> Values)>();
        foreach (var directive in directives.EnumerateArray())
        {
            var ns = directive.GetProperty("Namespace").GetString();
            Assert.False(string.IsNullOrWhiteSpace(ns));

            var sets = new List<List<string>>();
            foreach (var set in directive.GetProperty("Dimensions").EnumerateArray())
            {
                var keys = set.EnumerateArray().Select(k => k.GetString()!).ToList();
                Assert.True(keys.Count <= 30, "more than 30 dimension keys");
                foreach (var key in keys)
                {
                    Assert.True(root.TryGetProperty(key, out var member), $"dimension {key} is not a top-level member");
                    Assert.Equal(JsonValueKind.String, member.ValueKind);
                    Assert.True(member.GetString()!.Length <= 1024, "dimension value over 1024 chars");
                    named.Add(key);
                }

                sets.Add(keys);
            }

            Assert.True(sets.Count >= 1, "a directive without a dimension set");
            var definitions = new List<(string, string)>();
            var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
            var metrics = directive.GetProperty("Metrics");
            Assert.True(metrics.GetArrayLength() <= 100, "more than 100 metrics in one directive");
            foreach (var definition in metrics.EnumerateArray())
            {
                var name = definition.GetProperty("Name").GetString()!;
                var unit = definition.TryGetProperty("Unit", out var u) ? u.GetString()! : "None";
                Assert.Contains(unit, Units);
                if (definition.TryGetProperty("StorageResolution", out var resolution))
                {
                    Assert.Contains(resolution.GetInt32(), new[] { 1, 60 });
                }

                Assert.True(root.TryGetProperty(name, out var target), $"metric {name} is not a top-level member");
                double[] numbers = target.ValueKind switch
                {
                    JsonValueKind.Number => [target.GetDouble()],
                    JsonValueKind.Array => target.EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                    _ => throw new Xunit.Sdk.XunitException($"metric {name} is neither a number nor an array"),
                };
                Assert.True(numbers.Length is >= 1 and <= 100, $"metric {name} has {numbers.Length} values");
                Assert.False(values.ContainsKey(name), $"metric {name} defined twice in one directive");
                definitions.Add((name, unit));
                values[name] = numbers;
                named.Add(name);
            }

            parsed.Add((ns!, sets, definitions, values));
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var propertyValues = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var member in root.EnumerateObject())
        {
            if (member.Name == "_aws" || named.Contains(member.Name))
            {
                continue;
            }

            if (member.Value.ValueKind == JsonValueKind.String)
            {
                properties[member.Name] = member.Value.GetString()!;
            }
            else if (member.Value.ValueKind == JsonValueKind.Number)
            {
                propertyValues[member.Name] = member.Value.GetDouble();
            }
        }

        var views = new List<EmfDocument>();
        foreach (var (ns, sets, definitions, values) in parsed)
        {
            foreach (var set in sets)
            {
                var dimensions = set.ToDictionary(key => key, key => root.GetProperty(key).GetString()!, StringComparer.Ordinal);
                views.Add(new EmfDocument(timestamp.GetInt64(), ns, [set], dimensions, definitions, values, utf8.Length)
                {
                    Properties = properties,
                    PropertyValues = propertyValues,
                });
            }
        }

        return views;
    }

    private static EmfDocument PlainLine(JsonElement root, int bytes)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var propertyValues = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var member in root.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.String)
            {
                properties[member.Name] = member.Value.GetString()!;
            }
            else if (member.Value.ValueKind == JsonValueKind.Number)
            {
                propertyValues[member.Name] = member.Value.GetDouble();
            }
            else
            {
                throw new Xunit.Sdk.XunitException($"member {member.Name} of a plain line is neither a string nor a number");
            }
        }

        return new EmfDocument(0, string.Empty, [], new Dictionary<string, string>(), [], new Dictionary<string, double[]>(), bytes)
        {
            Properties = properties,
            PropertyValues = propertyValues,
        };
    }
}
