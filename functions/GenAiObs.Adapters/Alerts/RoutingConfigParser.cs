using System.Globalization;
using GenAiObs.Core.Alerts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenAiObs.Adapters.Alerts;

/// <summary>
/// Reads Alertmanager's routing configuration from YAML (the representation model, not
/// reflection, so it trims): a top-level <c>route</c>, optionally <c>receivers</c> (their names:
/// unique, and every route must use one of them) and the named <c>time_intervals</c> (or the
/// deprecated <c>mute_time_intervals</c>) that routes mute or activate by. Anything outside the
/// supported subset is an error that names the setting rather than something silently ignored.
/// </summary>
public static class RoutingConfigParser
{
    public const string RoutingFileVariable = "GENAIOBS_ROUTING_FILE";
    public const string RoutingVariable = "GENAIOBS_ROUTING";

    private static readonly string[] TopLevelKeys = ["route", "receivers", "time_intervals", "mute_time_intervals"];

    private static readonly string[] RouteKeys =
    [
        "receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "matchers", "match", "match_re",
        "mute_time_intervals", "active_time_intervals", "continue", "routes",
    ];

    private static readonly string[] IntervalKeys = ["times", "weekdays", "days_of_month", "months", "years", "location"];

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
        var root = LoadMapping(yaml, source);

        YamlMappingNode? route = null;
        List<string>? receivers = null;
        var intervals = new List<TimeIntervalSpec>();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = Scalar(keyNode, source, "(top level)");
            switch (key)
            {
                case "route":
                    route = value as YamlMappingNode ?? throw new RoutingConfigException($"{source}: route", "expected a mapping");
                    break;
                case "receivers":
                    receivers = ReadReceiverNames(value, source);
                    break;
                case "time_intervals" or "mute_time_intervals":
                    intervals.AddRange(ReadTimeIntervals(value, source, key));
                    break;
                default:
                    throw new RoutingConfigException($"{source}: {key}", $"unsupported setting (supported: {string.Join(", ", TopLevelKeys)})");
            }
        }

        if (route is null)
        {
            throw new RoutingConfigException(source, "no routes provided (missing 'route')");
        }

        return RoutingTree.Build(ReadRoute(route, "route", source), source, receivers, intervals);
    }

    /// <summary>The document's top-level mapping.</summary>
    /// <exception cref="RoutingConfigException">The YAML is unreadable or not a mapping.</exception>
    public static YamlMappingNode LoadMapping(string yaml, string source)
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

        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new RoutingConfigException(source, "expected a YAML mapping with a 'route' key");
    }

    /// <summary>
    /// The names of the <c>receivers</c> list. Each entry needs a name, unique across the list
    /// (Alertmanager: "notification config name … is not unique"); the entries' integrations
    /// are read by the receivers' own parser.
    /// </summary>
    public static List<string> ReadReceiverNames(YamlNode node, string source)
    {
        var names = new List<string>();
        foreach (var (receiver, path) in Entries(node, source, "receivers"))
        {
            if (receiver is not YamlMappingNode mapping
                || !mapping.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode)
                || nameNode is not YamlScalarNode { Value: { Length: > 0 } name }
                || IsNull(nameNode))
            {
                throw new RoutingConfigException($"{source}: {path}", "missing name in receiver");
            }

            if (names.Contains(name))
            {
                throw new RoutingConfigException($"{source}: {path}.name", $"notification config name \"{name}\" is not unique");
            }

            names.Add(name);
        }

        return names;
    }

    private static List<TimeIntervalSpec> ReadTimeIntervals(YamlNode node, string source, string setting)
    {
        var specs = new List<TimeIntervalSpec>();
        foreach (var (entry, path) in Entries(node, source, setting))
        {
            if (entry is not YamlMappingNode mapping)
            {
                throw new RoutingConfigException($"{source}: {path}", "expected a mapping with 'name' and 'time_intervals'");
            }

            string? name = null;
            var ranges = new List<TimeIntervalRangeSpec>();
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = Scalar(keyNode, source, path);
                switch (key)
                {
                    case "name":
                        name = IsNull(value) ? null : Scalar(value, source, $"{path}.name");
                        break;
                    case "time_intervals":
                        ranges.AddRange(Entries(value, source, $"{path}.time_intervals").Select(e => ReadIntervalRange(e.Node, e.Path, source)));
                        break;
                    default:
                        throw new RoutingConfigException($"{source}: {path}.{key}", "unsupported setting (supported: name, time_intervals)");
                }
            }

            specs.Add(new TimeIntervalSpec(name, path, ranges));
        }

        return specs;
    }

    private static TimeIntervalRangeSpec ReadIntervalRange(YamlNode node, string path, string source)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new RoutingConfigException($"{source}: {path}", $"expected a mapping of {string.Join(", ", IntervalKeys)}");
        }

        var spec = new TimeIntervalRangeSpec();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode, source, path);
            var setting = $"{path}.{key}";
            spec = key switch
            {
                "times" => spec with { Times = [.. Entries(value, source, setting).Select(e => ReadTimeOfDay(e.Node, e.Path, source))] },
                "weekdays" => spec with { Weekdays = ReadStrings(value, source, setting, "a list of weekdays") },
                "days_of_month" => spec with { DaysOfMonth = ReadStrings(value, source, setting, "a list of days of the month") },
                "months" => spec with { Months = ReadStrings(value, source, setting, "a list of months") },
                "years" => spec with { Years = ReadStrings(value, source, setting, "a list of years") },
                "location" => spec with { Location = Scalar(value, source, setting) },
                _ => throw new RoutingConfigException($"{source}: {setting}", $"unsupported setting (supported: {string.Join(", ", IntervalKeys)})"),
            };
        }

        return spec;
    }

    private static TimeOfDaySpec ReadTimeOfDay(YamlNode node, string path, string source)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new RoutingConfigException($"{source}: {path}", "expected a mapping with start_time and end_time");
        }

        string? start = null;
        string? end = null;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode, source, path);
            switch (key)
            {
                case "start_time":
                    start = Scalar(value, source, $"{path}.start_time");
                    break;
                case "end_time":
                    end = Scalar(value, source, $"{path}.end_time");
                    break;
                default:
                    throw new RoutingConfigException($"{source}: {path}.{key}", "unsupported setting (supported: start_time, end_time)");
            }
        }

        return new TimeOfDaySpec(start, end);
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
                "group_by" => spec with { GroupBy = ReadStrings(value, source, setting, "a list of label names") },
                "group_wait" => spec with { GroupWait = Scalar(value, source, setting) },
                "group_interval" => spec with { GroupInterval = Scalar(value, source, setting) },
                "repeat_interval" => spec with { RepeatInterval = Scalar(value, source, setting) },
                "matchers" => spec with { Matchers = ReadStrings(value, source, setting, "a list of matchers such as 'severity=\"critical\"'") },
                "match" => spec with { Match = [.. ReadMap(value, source, setting).Select(p => new KeyValuePair<string, string>(p.Key, p.Value ?? string.Empty))] },
                "match_re" => spec with { MatchRe = ReadMap(value, source, setting) },
                "mute_time_intervals" => spec with { MuteTimeIntervals = ReadStrings(value, source, setting, "a list of time interval names") },
                "active_time_intervals" => spec with { ActiveTimeIntervals = ReadStrings(value, source, setting, "a list of time interval names") },
                "continue" => spec with { Continue = ReadBool(value, source, setting) },
                "routes" => spec with { Routes = [.. Entries(value, source, setting).Select(e => ReadChildRoute(e.Node, e.Path, source))] },
                _ => throw new RoutingConfigException($"{source}: {setting}", $"unsupported setting (supported: {string.Join(", ", RouteKeys)})"),
            };
        }

        return spec;
    }

    private static RouteSpec ReadChildRoute(YamlNode node, string path, string source) =>
        node is YamlMappingNode child ? ReadRoute(child, path, source) : throw new RoutingConfigException($"{source}: {path}", "expected a mapping");

    /// <summary>The entries of a YAML list with their paths (<c>setting[i]</c>); null or absent is an empty list.</summary>
    private static IEnumerable<(YamlNode Node, string Path)> Entries(YamlNode node, string source, string setting)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw new RoutingConfigException($"{source}: {setting}", "expected a list");
        }

        return sequence.Children.Select((child, i) => (child, $"{setting}[{i}]"));
    }

    private static List<string> ReadStrings(YamlNode node, string source, string setting, string expected)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw new RoutingConfigException($"{source}: {setting}", $"expected {expected}");
        }

        return [.. sequence.Children.Select((child, i) => Scalar(child, source, $"{setting}[{i}]"))];
    }

    /// <summary>A mapping of label → value; a null value (<c>label:</c>, <c>~</c>, <c>null</c>) stays null.</summary>
    private static List<KeyValuePair<string, string?>> ReadMap(YamlNode node, string source, string setting)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new RoutingConfigException($"{source}: {setting}", "expected a mapping of label: value");
        }

        return [.. mapping.Children.Select(p => new KeyValuePair<string, string?>(
            Scalar(p.Key, source, setting),
            IsNull(p.Value) ? null : Scalar(p.Value, source, $"{setting}.{p.Key}")))];
    }

    private static bool ReadBool(YamlNode node, string source, string setting) =>
        Scalar(node, source, setting).ToLower(CultureInfo.InvariantCulture) switch
        {
            "true" => true,
            "false" => false,
            var other => throw new RoutingConfigException($"{source}: {setting}", $"expected true or false, got '{other}'"),
        };

    /// <summary>YAML's null: an empty plain scalar, <c>~</c> or <c>null</c> (https://yaml.org/spec/1.2.2/#1032-tag-resolution).</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Scalar(YamlNode node, string source, string setting) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new RoutingConfigException($"{source}: {setting}", "expected a single value");
}
