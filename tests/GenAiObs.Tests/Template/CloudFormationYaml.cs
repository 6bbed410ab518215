using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace GenAiObs.Tests.Template;

/// <summary>
/// Reads a CloudFormation/SAM YAML template into a JSON-like tree: mappings become
/// <see cref="Dictionary{TKey,TValue}"/> (string keys), sequences <see cref="List{T}"/>, scalars
/// <see cref="string"/> (null for YAML null). Short-form intrinsic tags are rewritten to their
/// long form, exactly as CloudFormation reads them: <c>!Ref X</c> → <c>{"Ref": "X"}</c>,
/// <c>!GetAtt A.B</c> → <c>{"Fn::GetAtt": ["A", "B"]}</c>, <c>!Condition C</c> →
/// <c>{"Condition": "C"}</c>, any other <c>!Name v</c> → <c>{"Fn::Name": v}</c>. An unknown tag
/// is an error, not a silently kept string.
/// </summary>
public static class CloudFormationYaml
{
    private static readonly HashSet<string> FnTags = new(StringComparer.Ordinal)
    {
        "Sub", "Join", "If", "Equals", "Not", "Select", "Split", "FindInMap", "ImportValue",
        "Base64", "And", "Or", "Cidr", "GetAZs", "Transform", "ToJsonString", "Length", "GetAtt",
    };

    public static Dictionary<string, object?> Parse(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            try
            {
                stream.Load(reader);
            }
            catch (YamlDotNet.Core.YamlException error)
            {
                throw new FormatException($"Invalid YAML at line {error.Start.Line}: {error.Message}", error);
            }
        }

        if (stream.Documents.Count != 1)
        {
            throw new FormatException($"Expected one YAML document, found {stream.Documents.Count}.");
        }

        return Convert(stream.Documents[0].RootNode, "$") as Dictionary<string, object?>
            ?? throw new FormatException("The template root is not a mapping.");
    }

    private static object? Convert(YamlNode node, string path)
    {
        var value = ConvertUntagged(node, path);
        var tag = node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;
        if (tag is null || tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal))
        {
            return value;
        }

        if (!tag.StartsWith('!'))
        {
            throw new FormatException($"{path}: unsupported tag '{tag}'.");
        }

        var name = tag[1..];
        switch (name)
        {
            case "Ref":
                return new Dictionary<string, object?>(StringComparer.Ordinal) { ["Ref"] = RequireScalar(value, path, tag) };
            case "Condition":
                return new Dictionary<string, object?>(StringComparer.Ordinal) { ["Condition"] = RequireScalar(value, path, tag) };
            case "GetAtt" when value is string dotted:
                // The scalar form splits at the FIRST dot: attribute names may contain dots
                // (e.g. Endpoint.Address), logical ids never do.
                var dot = dotted.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0 || dot == dotted.Length - 1)
                {
                    throw new FormatException($"{path}: !GetAtt '{dotted}' is not LogicalId.Attribute.");
                }

                return new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["Fn::GetAtt"] = new List<object?> { dotted[..dot], dotted[(dot + 1)..] },
                };
            default:
                if (!FnTags.Contains(name))
                {
                    throw new FormatException($"{path}: unknown intrinsic tag '{tag}'.");
                }

                return new Dictionary<string, object?>(StringComparer.Ordinal) { ["Fn::" + name] = value };
        }
    }

    private static string RequireScalar(object? value, string path, string tag) =>
        value as string ?? throw new FormatException($"{path}: {tag} needs a scalar.");

    private static object? ConvertUntagged(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                // A plain `null`/`~`/empty scalar is YAML null; a quoted one stays a string.
                if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain &&
                    (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL") &&
                    (scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific))
                {
                    return null;
                }

                return scalar.Value ?? string.Empty;
            case YamlSequenceNode sequence:
                var list = new List<object?>(sequence.Children.Count);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    list.Add(Convert(sequence.Children[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]"));
                }

                return list;
            case YamlMappingNode mapping:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = (keyNode as YamlScalarNode)?.Value ?? throw new FormatException($"{path}: a mapping key is not a scalar.");
                    if (!map.TryAdd(key, Convert(valueNode, $"{path}.{key}")))
                    {
                        throw new FormatException($"{path}: duplicate key '{key}'.");
                    }
                }

                return map;
            default:
                throw new FormatException($"{path}: unsupported YAML node {node.NodeType}.");
        }
    }

    /// <summary>The single intrinsic of a one-key mapping (<c>Ref</c>, <c>Fn::*</c>, <c>Condition</c>), else null.</summary>
    public static (string Name, object? Argument)? AsIntrinsic(object? value) =>
        value is Dictionary<string, object?> { Count: 1 } map &&
        map.First() is var (key, argument) &&
        (key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal))
            ? (key, argument)
            : null;
}
