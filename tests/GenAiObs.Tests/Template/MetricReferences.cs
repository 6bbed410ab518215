using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenAiObs.Tests.Template;

/// <summary>A metric a dashboard widget or an alarm reads: namespace, name and dimension names (and values where literal).</summary>
public sealed record MetricReference(string Source, string Namespace, string Name, IReadOnlyDictionary<string, string?> Dimensions)
{
    public string DimensionKey => string.Join(",", Dimensions.Keys.Order(StringComparer.Ordinal));
}

/// <summary>
/// The metrics the functions emit, as metric name → dimension-name sets, built from the metric
/// builders' own public catalogues (InvocationMetricNames.Catalogue and
/// SpanMetricNames.Catalogue, each checked against what its builder emits; the quality documents publish no metric).
/// </summary>
public sealed class MetricCatalogue
{
    private readonly Dictionary<string, List<string>> _sets;

    public MetricCatalogue(Dictionary<string, List<string>> sets)
    {
        _sets = sets;
    }

    public static MetricCatalogue Load()
    {
        var sets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var catalogue in new[] { GenAiObs.Core.Metrics.InvocationMetricNames.Catalogue, GenAiObs.Core.Metrics.SpanMetricNames.Catalogue })
        {
            foreach (var (name, dimensionSets) in catalogue)
            {
                var keys = sets.TryGetValue(name, out var existing) ? existing : sets[name] = [];
                foreach (var set in dimensionSets)
                {
                    var key = string.Join(",", set.Order(StringComparer.Ordinal));
                    if (!keys.Contains(key))
                    {
                        keys.Add(key);
                    }
                }
            }
        }

        return new MetricCatalogue(sets);
    }

    public bool Emits(string name) => _sets.ContainsKey(name);

    public bool Emits(string name, string dimensionKey) => _sets.TryGetValue(name, out var sets) && sets.Contains(dimensionKey);

    public IEnumerable<string> DimensionSetsOf(string name) => _sets.GetValueOrDefault(name) ?? [];
}

/// <summary>Finds every metric the template's alarms and dashboards read.</summary>
public static partial class MetricReferences
{
    public static List<MetricReference> Find(TemplateDocument template)
    {
        var resolver = new SubstitutionResolver(template);
        var references = new List<MetricReference>();
        foreach (var resource in template.Resources.Values)
        {
            switch (resource.Type)
            {
                case "AWS::CloudWatch::Alarm":
                    FromAlarm(resource, resolver, references);
                    break;
                case "AWS::CloudWatch::Dashboard":
                    using (var body = DashboardBody(resource, resolver))
                    {
                        FromDashboard(resource.LogicalId, body.RootElement, references);
                    }

                    break;
            }
        }

        return references;
    }

    /// <summary>The dashboard body with its !Sub variables replaced by sample values, parsed as JSON.</summary>
    public static JsonDocument DashboardBody(TemplateResource dashboard, SubstitutionResolver resolver)
    {
        var text = resolver.Resolve(dashboard.Properties["DashboardBody"]);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException error)
        {
            throw new FormatException($"{dashboard.LogicalId}: DashboardBody is not valid JSON ({error.Message})", error);
        }
    }

    private static void FromAlarm(TemplateResource alarm, SubstitutionResolver resolver, List<MetricReference> references)
    {
        var source = $"alarm {alarm.LogicalId}";
        if (alarm.Properties.ContainsKey("MetricName"))
        {
            references.Add(FromAlarmMetric(alarm.Properties, resolver, source));
        }

        if (alarm.Properties.GetValueOrDefault("Metrics") is List<object?> metrics)
        {
            foreach (var metric in metrics.OfType<Dictionary<string, object?>>())
            {
                if ((metric.GetValueOrDefault("MetricStat") as Dictionary<string, object?>)?.GetValueOrDefault("Metric") is Dictionary<string, object?> stat)
                {
                    references.Add(FromAlarmMetric(stat, resolver, $"{source} ({metric.GetValueOrDefault("Id")})"));
                }
            }
        }
    }

    private static MetricReference FromAlarmMetric(Dictionary<string, object?> metric, SubstitutionResolver resolver, string source)
    {
        var dimensions = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (metric.GetValueOrDefault("Dimensions") is List<object?> list)
        {
            foreach (var dimension in list.OfType<Dictionary<string, object?>>())
            {
                dimensions[resolver.Resolve(dimension["Name"])] = resolver.Resolve(dimension["Value"]);
            }
        }

        return new MetricReference(source, resolver.Resolve(metric["Namespace"]), resolver.Resolve(metric["MetricName"]), dimensions);
    }

    private static void FromDashboard(string dashboard, JsonElement body, List<MetricReference> references)
    {
        var index = 0;
        foreach (var widget in body.GetProperty("widgets").EnumerateArray())
        {
            index++;
            if (!widget.TryGetProperty("properties", out var properties) || !properties.TryGetProperty("metrics", out var rows))
            {
                continue;
            }

            var title = properties.TryGetProperty("title", out var t) ? t.GetString() : $"widget {index.ToString(CultureInfo.InvariantCulture)}";
            var source = $"dashboard {dashboard} / {title}";
            List<string>? previous = null;
            foreach (var row in rows.EnumerateArray())
            {
                var first = row[0];
                if (first.ValueKind == JsonValueKind.Object)
                {
                    if (first.TryGetProperty("expression", out var expression))
                    {
                        references.AddRange(FromSearch(expression.GetString()!, source));
                    }

                    continue;
                }

                // [namespace, name, dim1, value1, ..., {options}]; "." repeats the previous row's element.
                var parts = row.EnumerateArray().TakeWhile(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
                for (var i = 0; i < parts.Count; i++)
                {
                    if (parts[i] == "." && previous is not null && i < previous.Count)
                    {
                        parts[i] = previous[i];
                    }
                }

                previous = parts;
                var dimensions = new Dictionary<string, string?>(StringComparer.Ordinal);
                for (var i = 2; i + 1 < parts.Count; i += 2)
                {
                    dimensions[parts[i]] = parts[i + 1];
                }

                references.Add(new MetricReference(source, parts[0], parts[1], dimensions));
            }
        }
    }

    /// <summary>Each <c>SEARCH('{Namespace,Dim,...} MetricName="X" ...', ...)</c> of a metric-math expression.</summary>
    public static IEnumerable<MetricReference> FromSearch(string expression, string source)
    {
        foreach (Match search in Search().Matches(expression))
        {
            var schema = search.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries);
            var filter = search.Groups[2].Value;
            var name = MetricNameFilter().Match(filter);
            var dimensions = schema.Skip(1).ToDictionary(d => d, d => DimensionFilter(filter, d), StringComparer.Ordinal);
            yield return new MetricReference(source, schema[0], name.Success ? name.Groups[1].Value : "", dimensions);
        }
    }

    private static string? DimensionFilter(string filter, string dimension)
    {
        var match = Regex.Match(filter, $@"(?<![A-Za-z]){Regex.Escape(dimension)}\s*=\s*""([^""]*)""", RegexOptions.CultureInvariant);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"SEARCH\(\s*'\{([^}]*)\}([^']*)'")]
    private static partial Regex Search();

    [GeneratedRegex(@"MetricName\s*=\s*""([^""]+)""")]
    private static partial Regex MetricNameFilter();
}

/// <summary>
/// Resolves !Ref/!Sub values to sample strings the way a deployment would: parameters to their
/// defaults, pseudo parameters to fixed samples, resources to recognisable placeholders.
/// </summary>
public sealed class SubstitutionResolver
{
    private readonly TemplateDocument _template;

    public SubstitutionResolver(TemplateDocument template)
    {
        _template = template;
    }

    public string Resolve(object? value) => CloudFormationYaml.AsIntrinsic(value) switch
    {
        ("Ref", string target) => Variable(target),
        ("Fn::GetAtt", List<object?> parts) => $"att-{parts[0]}-{parts[1]}",
        ("Fn::Sub", string text) => Substitute(text),
        null when value is string text => text,
        _ => throw new FormatException($"cannot resolve {JsonSerializer.Serialize(value)}"),
    };

    public string Variable(string name)
    {
        switch (name)
        {
            case "AWS::Region": return "us-east-1";
            case "AWS::StackName": return "genaiobs";
            case "AWS::AccountId": return "111122223333";
            case "AWS::Partition": return "aws";
            case "AWS::URLSuffix": return "amazonaws.com";
        }

        if (_template.Parameters.GetValueOrDefault(name) is Dictionary<string, object?> parameter)
        {
            return parameter.GetValueOrDefault("Default") as string is { Length: > 0 } fallback ? fallback : $"param-{name}";
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? $"att-{name[..dot]}-{name[(dot + 1)..]}" : $"ref-{name}";
    }

    private string Substitute(string text) =>
        Regex.Replace(text, @"\$\{([^}!][^}]*)\}", m => Variable(m.Groups[1].Value.Trim()), RegexOptions.CultureInvariant)
            .Replace("${!", "${", StringComparison.Ordinal);
}
