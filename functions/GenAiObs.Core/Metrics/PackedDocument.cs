namespace GenAiObs.Core.Metrics;

/// <summary>
/// What one (minute, dimension set) group would write as a document of its own: its dimensions,
/// string properties and metric members, and an upper bound of its bytes.
/// </summary>
internal sealed record GroupDocument(
    long Minute,
    List<KeyValuePair<string, string>> Dimensions,
    List<KeyValuePair<string, string>> Properties,
    List<(MetricSeries Series, double[] Values)> Metrics,
    int Bytes,
    bool HasProperties)
{
    /// <summary>Whether the unit defines a metric (else its document is a plain JSON line without <c>_aws</c>).</summary>
    public bool DefinesMetrics => Metrics.Exists(m => !m.Series.IsProperty);
}

/// <summary>
/// Units of one minute written as one EMF document. Every member name holds one value in a
/// document, so a unit joins only when each member it shares with the document has the same
/// value there (a string dimension the same string, a metric the same numbers).
/// </summary>
internal sealed class PackedDocument
{
    // Only a document without properties can be joined, so only such a document keeps its members
    // (a large delivery has thousands of attribution documents, each alone on its line).
    private Dictionary<string, object>? _members;
    private int _bytes;

    public List<GroupDocument> Units { get; } = [];

    /// <summary>True when <paramref name="unit"/> can join without changing any value a unit already here reads, within <paramref name="maxBytes"/>.</summary>
    public bool Accepts(GroupDocument unit, int maxBytes)
    {
        if (_members is null || unit.HasProperties || _bytes + unit.Bytes > maxBytes)
        {
            return false;
        }

        foreach (var (name, value) in unit.Dimensions)
        {
            if (_members.TryGetValue(name, out var existing) && !(existing is string text && text == value))
            {
                return false;
            }
        }

        foreach (var (series, values) in unit.Metrics)
        {
            if (_members.TryGetValue(series.Name, out var existing) && !(existing is double[] numbers && numbers.AsSpan().SequenceEqual(values)))
            {
                return false;
            }
        }

        return true;
    }

    public void Add(GroupDocument unit)
    {
        Units.Add(unit);

        // The sum of the units' own documents bounds the packed one: it repeats no member and has one _aws block.
        _bytes += unit.Bytes;
        if (unit.HasProperties)
        {
            return;
        }

        _members ??= new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in unit.Dimensions)
        {
            _members.TryAdd(name, value);
        }

        foreach (var (name, value) in unit.Properties)
        {
            _members.TryAdd(name, value);
        }

        foreach (var (series, values) in unit.Metrics)
        {
            _members.TryAdd(series.Name, values);
        }
    }

    /// <summary>
    /// The directives: one per distinct list of metric definitions (name and unit, in order), with
    /// the dimension sets of every unit that defines that list; units defining no metric add none.
    /// </summary>
    public List<(List<string[]> DimensionSets, List<MetricSeries> Definitions)> Directives()
    {
        var directives = new List<(List<string[]> DimensionSets, List<MetricSeries> Definitions)>();
        foreach (var unit in Units)
        {
            var definitions = unit.Metrics.Where(m => !m.Series.IsProperty).Select(m => m.Series).ToList();
            if (definitions.Count == 0)
            {
                continue;
            }

            var names = unit.Dimensions.Select(d => d.Key).ToArray();
            var index = directives.FindIndex(d => d.Definitions.Count == definitions.Count &&
                d.Definitions.Zip(definitions).All(p => p.First.Name == p.Second.Name && p.First.Unit == p.Second.Unit));
            if (index < 0)
            {
                directives.Add(([names], definitions));
            }
            else if (!directives[index].DimensionSets.Exists(set => set.SequenceEqual(names)))
            {
                directives[index].DimensionSets.Add(names);
            }
        }

        return directives;
    }
}
