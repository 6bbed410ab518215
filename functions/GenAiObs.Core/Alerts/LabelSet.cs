using System.Collections;
using System.Text;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// An immutable set of name → value strings kept sorted by name (ordinal), used for alert
/// labels and annotations. Two sets with the same pairs are equal whatever order they were
/// built in, which is what makes fingerprints and group keys stable.
/// </summary>
public sealed class LabelSet : IReadOnlyList<KeyValuePair<string, string>>, IEquatable<LabelSet>
{
    private readonly KeyValuePair<string, string>[] _pairs;

    public static LabelSet Empty { get; } = new([]);

    private LabelSet(KeyValuePair<string, string>[] sortedPairs) => _pairs = sortedPairs;

    /// <summary>Builds a set; a later duplicate name replaces an earlier one.</summary>
    public static LabelSet From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            map[name] = value;
        }

        return map.Count == 0 ? Empty : new LabelSet([.. map]);
    }

    public static LabelSet From(params (string Name, string Value)[] pairs) =>
        From(pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));

    public int Count => _pairs.Length;

    public KeyValuePair<string, string> this[int index] => _pairs[index];

    /// <summary>The value of <paramref name="name"/>, or null when the set has no such name.</summary>
    public string? Get(string name)
    {
        var index = IndexOf(name);
        return index < 0 ? null : _pairs[index].Value;
    }

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>A new set with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public LabelSet With(string name, string value) =>
        From(_pairs.Where(p => p.Key != name).Append(new(name, value)));

    /// <summary>The subset whose names are in <paramref name="names"/>.</summary>
    public LabelSet Only(IEnumerable<string> names)
    {
        var wanted = names as ISet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
        var kept = _pairs.Where(p => wanted.Contains(p.Key)).ToArray();
        return kept.Length == 0 ? Empty : new LabelSet(kept);
    }

    /// <summary>
    /// The Prometheus label-set fingerprint: FNV-1a 64 over the sorted names and values, each
    /// followed by the 0xFF separator byte, as 16 lowercase hex digits. Using the same hash as
    /// Alertmanager keeps our alert identities comparable with tooling built around it.
    /// </summary>
    public string Fingerprint()
    {
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        Span<byte> buffer = stackalloc byte[256];
        foreach (var (name, value) in _pairs)
        {
            hash = Add(hash, name, buffer);
            hash = (hash ^ 0xFF) * prime;
            hash = Add(hash, value, buffer);
            hash = (hash ^ 0xFF) * prime;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

        static ulong Add(ulong hash, string text, Span<byte> buffer)
        {
            var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= buffer.Length
                ? buffer[..Encoding.UTF8.GetBytes(text, buffer)]
                : Encoding.UTF8.GetBytes(text);
            foreach (var b in bytes)
            {
                hash = (hash ^ b) * prime;
            }

            return hash;
        }
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(LabelSet? other)
    {
        if (other is null || other._pairs.Length != _pairs.Length)
        {
            return false;
        }

        for (var i = 0; i < _pairs.Length; i++)
        {
            if (!string.Equals(_pairs[i].Key, other._pairs[i].Key, StringComparison.Ordinal)
                || !string.Equals(_pairs[i].Value, other._pairs[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var pair in _pairs)
        {
            hash.Add(pair.Key, StringComparer.Ordinal);
            hash.Add(pair.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>Prometheus-style text, e.g. <c>{alertname="X", severity="critical"}</c>.</summary>
    public override string ToString() =>
        "{" + string.Join(", ", _pairs.Select(p => $"{p.Key}=\"{p.Value}\"")) + "}";

    private int IndexOf(string name)
    {
        int low = 0, high = _pairs.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var cmp = string.CompareOrdinal(_pairs[mid].Key, name);
            if (cmp == 0)
            {
                return mid;
            }

            if (cmp < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return -1;
    }
}
