using GenAiObs.Adapters.Configuration;
using GenAiObs.Core.Alerts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// Reads the <c>receivers:</c> section of the routing YAML (the same file or variable as the
/// route tree), Alertmanager-style:
/// <code>
/// receivers:
///   - name: ops
///     slack_configs:
///       - api_url_parameter: /genaiobs/slack/ops-webhook-url
///     msteams_configs:
///       - webhook_url_parameter: /genaiobs/teams/ops-webhook-url
/// </code>
/// Each <c>*_configs</c> key is looked up in <see cref="IntegrationRegistry"/>; each entry names
/// the SSM parameter of its secret (never the secret). Without a <c>receivers:</c> section the
/// receivers are <see cref="ReceiverConfiguration.Legacy"/>; a receiver listed by name only
/// whose name is one of the four legacy receivers keeps its legacy integration (configurations
/// written before receivers had integrations keep working). The route tree itself is read by
/// <c>RoutingConfigParser</c>; this reader ignores every other top-level key.
/// </summary>
public static class ReceiverConfigParser
{
    /// <summary>The receivers in force, read from <c>GENAIOBS_ROUTING_FILE</c>, else <c>GENAIOBS_ROUTING</c>, else the legacy four.</summary>
    /// <param name="getVariable">The environment.</param>
    /// <param name="readFile">Reads the routing file.</param>
    /// <param name="legacy">The legacy receivers (from the deployment variables).</param>
    /// <exception cref="RoutingConfigException">The file cannot be read or a receiver is invalid.</exception>
    public static ReceiverConfiguration Load(Func<string, string?> getVariable, Func<string, string> readFile, ReceiverConfiguration legacy)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        ArgumentNullException.ThrowIfNull(readFile);
        var file = getVariable(EnvironmentVariables.RoutingFile);
        if (!string.IsNullOrWhiteSpace(file))
        {
            string text;
            try
            {
                text = readFile(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RoutingConfigException(EnvironmentVariables.RoutingFile, $"cannot read routing file '{file}': {ex.GetType().Name}");
            }

            return Parse(text, $"{EnvironmentVariables.RoutingFile} ({file})", legacy);
        }

        var inline = getVariable(EnvironmentVariables.Routing);
        return string.IsNullOrWhiteSpace(inline) ? legacy : Parse(inline, EnvironmentVariables.Routing, legacy);
    }

    /// <summary>
    /// <see cref="Load"/>, then checks that every route of <paramref name="tree"/> (read from the
    /// same configuration) names a configured receiver.
    /// </summary>
    /// <exception cref="RoutingConfigException">A receiver is invalid, or a route names one that is not configured (the message gives the route's YAML path).</exception>
    public static ReceiverConfiguration LoadForRoutes(RoutingTree tree, Func<string, string?> getVariable, Func<string, string> readFile, ReceiverConfiguration legacy)
    {
        var receivers = Load(getVariable, readFile, legacy);
        var file = getVariable(EnvironmentVariables.RoutingFile);
        var source = !string.IsNullOrWhiteSpace(file) ? $"{EnvironmentVariables.RoutingFile} ({file})"
            : !string.IsNullOrWhiteSpace(getVariable(EnvironmentVariables.Routing)) ? EnvironmentVariables.Routing
            : "default routing";
        receivers.EnsureRoutable(tree, source);
        return receivers;
    }

    /// <exception cref="RoutingConfigException">The YAML is unreadable or a receiver invalid; <paramref name="source"/> leads the message.</exception>
    public static ReceiverConfiguration Parse(string yaml, string source, ReceiverConfiguration legacy)
    {
        ArgumentNullException.ThrowIfNull(legacy);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new RoutingConfigException(source, $"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }

        if (stream.Documents.Count == 0
            || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("receivers"), out var node))
        {
            return legacy;
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw new RoutingConfigException($"{source}: receivers", "expected a list of receivers ({name: ..., slack_configs: [...]})");
        }

        var receivers = new List<ReceiverDefinition>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var receiver = ReadReceiver(sequence.Children[i], $"receivers[{i}]", source, legacy);
            if (receivers.Any(r => r.Name == receiver.Name))
            {
                throw new RoutingConfigException($"{source}: receivers[{i}].name", $"receiver name '{receiver.Name}' is not unique");
            }

            receivers.Add(receiver);
        }

        return new ReceiverConfiguration(receivers, source);
    }

    private static ReceiverDefinition ReadReceiver(YamlNode node, string path, string source, ReceiverConfiguration legacy)
    {
        if (node is not YamlMappingNode mapping
            || !mapping.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode)
            || nameNode is not YamlScalarNode { Value: { Length: > 0 } name })
        {
            throw new RoutingConfigException($"{source}: {path}", "expected a mapping with a 'name'");
        }

        var integrations = new List<IntegrationConfig>();
        var hasIntegrationKeys = false;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (key == "name")
            {
                continue;
            }

            if (!IntegrationRegistry.Parsers.TryGetValue(key, out var parse))
            {
                throw new RoutingConfigException(
                    $"{source}: {path}.{key}",
                    $"unsupported setting (supported: name, {string.Join(", ", IntegrationRegistry.Parsers.Keys.Order(StringComparer.Ordinal))})");
            }

            hasIntegrationKeys = true;
            if (value is not YamlSequenceNode entries)
            {
                throw new RoutingConfigException($"{source}: {path}.{key}", "expected a list of integration settings");
            }

            for (var j = 0; j < entries.Children.Count; j++)
            {
                var entryPath = $"{path}.{key}[{j}]";
                integrations.Add(entries.Children[j] is YamlMappingNode entry
                    ? parse(new IntegrationOptions(entry, entryPath, source))
                    : throw new RoutingConfigException($"{source}: {entryPath}", "expected a mapping"));
            }
        }

        return !hasIntegrationKeys && legacy.Find(name) is { } legacyReceiver
            ? legacyReceiver
            : new ReceiverDefinition(name, integrations);
    }
}
