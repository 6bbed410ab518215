using System.Globalization;
using GenAiObs.Core.Alerts;
using YamlDotNet.RepresentationModel;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// The YAML mapping of one integration entry, read by that integration's <c>Parse</c>. Every
/// getter names the full YAML path in its error (<c>GENAIOBS_ROUTING: receivers[0].slack_configs[0].send_resolved</c>),
/// and <see cref="Done"/> refuses keys nobody read, so a typo fails the cold start instead of
/// being ignored.
/// </summary>
public sealed class IntegrationOptions
{
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public IntegrationOptions(YamlMappingNode node, string path, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        Path = path;
        Source = source;
        foreach (var (key, value) in node.Children)
        {
            _values[key is YamlScalarNode { Value: { } name } ? name : throw Error(path, "expected scalar keys")] = value;
        }
    }

    /// <summary>The entry's path, e.g. <c>receivers[0].slack_configs[1]</c>.</summary>
    public string Path { get; }

    /// <summary>The setting the YAML came from (variable or file).</summary>
    public string Source { get; }

    /// <summary>A required SSM parameter name, or a list of them tried in order.</summary>
    public SecretReference Secret(string key)
    {
        var node = Take(key);
        if (node is null)
        {
            var inline = key.EndsWith("_parameter", StringComparison.Ordinal) ? key[..^"_parameter".Length] : key;
            if (_values.ContainsKey(inline) || _values.ContainsKey(inline + "_file"))
            {
                throw Error($"{Path}.{(_values.ContainsKey(inline) ? inline : inline + "_file")}", $"secrets are read from SSM: store it as a SecureString and name the parameter with '{key}'");
            }

            throw Error($"{Path}.{key}", "required: the SSM SecureString parameter holding the secret");
        }

        IReadOnlyList<YamlNode> items = node is YamlSequenceNode sequence ? sequence.Children.ToList() : [node];
        var names = new List<string>();
        foreach (var item in items)
        {
            if (item is not YamlScalarNode { Value: { Length: > 0 } name } || !IsParameterName(name))
            {
                throw Error($"{Path}.{key}", "expected an SSM parameter name (letters, digits, _ . - /) or a list of them");
            }

            names.Add(name);
        }

        return names.Count > 0 ? new SecretReference(names) : throw Error($"{Path}.{key}", "expected at least one SSM parameter name");
    }

    public bool Bool(string key, bool defaultValue) =>
        Take(key) is not { } node
            ? defaultValue
            : Scalar(node, key).ToLower(CultureInfo.InvariantCulture) switch
            {
                "true" => true,
                "false" => false,
                var other => throw Error($"{Path}.{key}", $"expected true or false, got '{other}'"),
            };

    public int Int(string key, int defaultValue, int min, int max)
    {
        if (Take(key) is not { } node)
        {
            return defaultValue;
        }

        var text = Scalar(node, key);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error($"{Path}.{key}", $"expected a whole number from {min} to {max}, got '{text}'");
    }

    public string? String(string key, int maxLength)
    {
        if (Take(key) is not { } node)
        {
            return null;
        }

        var text = Scalar(node, key);
        return text.Length <= maxLength ? text : throw Error($"{Path}.{key}", $"longer than {maxLength} characters");
    }

    /// <summary>An optional non-secret endpoint (e.g. PagerDuty's <c>url</c>): https, any host.</summary>
    public Uri? HttpsUrl(string key)
    {
        if (Take(key) is not { } node)
        {
            return null;
        }

        var text = Scalar(node, key);
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps
            ? url
            : throw Error($"{Path}.{key}", "expected an absolute https URL");
    }

    /// <summary>Fails on the first key no getter read (a typo or an Alertmanager setting we do not support).</summary>
    public void Done()
    {
        foreach (var key in _values.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal))
        {
            throw Error($"{Path}.{key}", $"unsupported setting (supported: {string.Join(", ", _read.Order(StringComparer.Ordinal))})");
        }
    }

    private YamlNode? Take(string key)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out var node) && node is not YamlScalarNode { Value: null or "" or "~" or "null" } ? node : null;
    }

    private string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error($"{Path}.{key}", "expected a single value");

    private RoutingConfigException Error(string path, string problem) => new($"{Source}: {path}", problem);

    // SSM parameter names: letters, digits, '_', '.', '-', '/' (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html).
    private static bool IsParameterName(string name) =>
        name.Length <= 1011 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/');
}
