namespace GenAiObs.Core.Metrics;

/// <summary>
/// An ordered set of dimension name/value pairs, optionally followed by property pairs. Order is
/// kept because it is the order written into the EMF dimension set; equality is by names and
/// values of both. The first <see cref="DimensionCount"/> pairs are CloudWatch dimensions (each
/// distinct value combination a billed custom metric); the rest are EMF properties: top-level
/// members of the document that Logs Insights and Contributor Insights read but that create no
/// metric (EMF specification: members not referenced by a directive are ignored by extraction).
/// </summary>
public sealed class DimensionSet : IEquatable<DimensionSet>
{
    private readonly KeyValuePair<string, string>[] _pairs;
    private readonly int _hash;

    public DimensionSet(params KeyValuePair<string, string>[] pairs)
        : this(pairs.Length, pairs)
    {
    }

    /// <summary>A set whose first <paramref name="dimensionCount"/> pairs are dimensions and the rest properties.</summary>
    public DimensionSet(int dimensionCount, KeyValuePair<string, string>[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfNegative(dimensionCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensionCount, pairs.Length);
        _pairs = pairs;
        DimensionCount = dimensionCount;
        var hash = new HashCode();
        hash.Add(dimensionCount);
        foreach (var (name, value) in pairs)
        {
            hash.Add(name, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
    }

    public static DimensionSet Of(params (string Name, string Value)[] pairs) =>
        new(Array.ConvertAll(pairs, p => new KeyValuePair<string, string>(p.Name, p.Value)));

    /// <summary>Every pair: the dimensions, then the properties.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    /// <summary>How many of <see cref="Pairs"/> (from the start) are dimensions.</summary>
    public int DimensionCount { get; }

    /// <summary>The dimension pairs only (what makes a distinct custom metric).</summary>
    public IEnumerable<KeyValuePair<string, string>> DimensionPairs => _pairs.Take(DimensionCount);

    /// <summary>The property pairs only (written into the document, never a dimension).</summary>
    public IEnumerable<KeyValuePair<string, string>> PropertyPairs => _pairs.Skip(DimensionCount);

    public bool Equals(DimensionSet? other)
    {
        if (other is null || other._hash != _hash || other._pairs.Length != _pairs.Length || other.DimensionCount != DimensionCount)
        {
            return false;
        }

        for (var i = 0; i < _pairs.Length; i++)
        {
            if (!string.Equals(_pairs[i].Key, other._pairs[i].Key, StringComparison.Ordinal) ||
                !string.Equals(_pairs[i].Value, other._pairs[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as DimensionSet);

    public override int GetHashCode() => _hash;
}
