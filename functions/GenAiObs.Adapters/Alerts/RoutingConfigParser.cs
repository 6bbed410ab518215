using System.Globalization;
using GenAiObs.Core.Alerts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenAiObs.Adapters.Alerts;

/// <summary>
/// Reads the Alertmanager routing subset from YAML (the representation model, not reflection,
/// so it trims): a top-level <c>route</c> and optionally <c>receivers</c> (names only: delivery
/// goes through SNS topics). Anything outside the supported subset is an error that names the
/// setting rather than something silently ignored.
/// </summary>
public static class RoutingConfigParser
{
    public const string RoutingFileVariable = "GENAIOBS_ROUTING_FILE";
    public const string RoutingVariable = "GENAIOBS_ROUTING";

    private static readonly HashSet<string> RouteKeys =
        ["receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "match", "match_re", "continue", "routes"];

    /// <summary>
    /// The routing in force: the file named by GENAIOBS_ROUTING_FILE, else the inline YAML of
    /// GENAIOBS_ROUTING, else <see cref="RoutingTree.Default"/>.
    /// </summary>
    /// <exception cref="RoutingConfigException">The configuration cannot be read or is invalid.</exception>
    public static RoutingTree Load(Func<string, string?> getVariable, Func<string, string> readFile)
    {
        var file = getVariable(RoutingFileVariable);
        if (!string.IsNullOrWhiteSpace(file))
        {
            string text;
            try
            {
                text = readFile(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RoutingConfigException(RoutingFileVariable, $"cannot read routing file '{file}': {ex.GetType().Name}");
            }

            return Parse(text, $"{RoutingFileVariable} ({file})");
        }

        var inline = getVariable(RoutingVariable);
        return string.IsNullOrWhiteSpace(inline) ? RoutingTree.Default : Parse(inline, RoutingVariable);
    }

    /// <exception cref="RoutingConfigException">The YAML is unreadable or the routing invalid; <paramref name="source"/> leads the message.</exception>
    public static RoutingTree Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new RoutingConfigException(source, $"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new RoutingConfigException(source, "expected a YAML mapping with a 'route' key");
        }

        YamlMappingNode? route = null;
        List<string>? receivers = null;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = Scalar(keyNode, source, "(top level)");
            switch (key)
            {
                case "route":
                    route = value as YamlMappingNode ?? throw new RoutingConfigException($"{source}: route", "expected a mapping");
                    break;
                case "receivers":
                    receivers = ReadReceivers(value, source);
                    break;
                default:
                    throw new RoutingConfigException($"{source}: {key}", "unsupported setting (supported: route, receivers)");
            }
        }

        if (route is null)
        {
            throw new RoutingConfigException(source, "missing 'route'");
        }

        return RoutingTree.Build(ReadRoute(route, "route", source), source, receivers);
    }

    private static List<string> ReadReceivers(YamlNode node, string source)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw new RoutingConfigException($"{source}: receivers", "expected a list of {name: ...}");
        }

        var names = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode receiver
                || !receiver.Children.TryGetValue(new YamlScalarNode("name"), out var name)
                || name is not YamlScalarNode { Value: { Length: > 0 } value })
            {
                throw new RoutingConfigException($"{source}: receivers[{i}]", "expected a mapping with a 'name'");
            }

            names.Add(value);
        }

        return names;
    }

    private static RouteSpec ReadRoute(YamlMappingNode node, string path, string source)
    {
        var spec = new RouteSpec();
        foreach (var (keyNode, value) in node.Children)
        {
            var key = Scalar(keyNode, source, path);
            var setting = $"{path}.{key}";
            spec = key switch
            {
                "receiver" => spec with { Receiver = Scalar(value, source, setting) },
                "group_by" => spec with { GroupBy = ReadStrings(value, source, setting) },
                "group_wait" => spec with { GroupWait = Scalar(value, source, setting) },
                "group_interval" => spec with { GroupInterval = Scalar(value, source, setting) },
                "repeat_interval" => spec with { RepeatInterval = Scalar(value, source, setting) },
                "match" => spec with { Match = ReadMap(value, source, setting) },
                "match_re" => spec with { MatchRe = ReadMap(value, source, setting) },
                "continue" => spec with { Continue = ReadBool(value, source, setting) },
                "routes" => spec with { Routes = ReadRoutes(value, source, setting) },
                "matchers" => throw new RoutingConfigException($"{source}: {setting}", "unsupported setting: use match / match_re"),
                _ => throw new RoutingConfigException($"{source}: {setting}", $"unsupported setting (supported: {string.Join(", ", RouteKeys)})"),
            };
        }

        return spec;
    }

    private static List<RouteSpec> ReadRoutes(YamlNode node, string source, string setting)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw new RoutingConfigException($"{source}: {setting}", "expected a list of routes");
        }

        var routes = new List<RouteSpec>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{setting}[{i}]";
            if (sequence.Children[i] is not YamlMappingNode child)
            {
                throw new RoutingConfigException($"{source}: {path}", "expected a mapping");
            }

            routes.Add(ReadRoute(child, path, source));
        }

        return routes;
    }

    private static List<string> ReadStrings(YamlNode node, string source, string setting)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw new RoutingConfigException($"{source}: {setting}", "expected a list of label names");
        }

        return [.. sequence.Children.Select(child => Scalar(child, source, setting))];
    }

    private static List<KeyValuePair<string, string>> ReadMap(YamlNode node, string source, string setting)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new RoutingConfigException($"{source}: {setting}", "expected a mapping of label: value");
        }

        return [.. mapping.Children.Select(p => new KeyValuePair<string, string>(Scalar(p.Key, source, setting), Scalar(p.Value, source, setting)))];
    }

    private static bool ReadBool(YamlNode node, string source, string setting) =>
        Scalar(node, source, setting).ToLower(CultureInfo.InvariantCulture) switch
        {
            "true" => true,
            "false" => false,
            var other => throw new RoutingConfigException($"{source}: {setting}", $"expected true or false, got '{other}'"),
        };

    private static string Scalar(YamlNode node, string source, string setting) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new RoutingConfigException($"{source}: {setting}", "expected a single value");
}
