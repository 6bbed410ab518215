namespace GenAiObs.Core.Cardinality;

/// <summary>
/// Ranks the values of one dimension by weight (cost) and keeps the top N; every other value is
/// folded into <see cref="Other"/>. Callers choose dimension values (requestMetadata tags, principals,
/// session ids), and each distinct value is a billed CloudWatch metric, a DynamoDB item and a
/// baseline: folding bounds all three whatever the callers send.
/// </summary>
public sealed class TopValues
{
    /// <summary>The value every folded value is counted under.</summary>
    public const string Other = "other";

    private readonly Dictionary<string, (decimal Weight, long Count)> _tally = new(StringComparer.Ordinal);

    /// <summary>Distinct values added so far.</summary>
    public int Count => _tally.Count;

    /// <summary>Adds <paramref name="weight"/> (cost) and <paramref name="count"/> (requests, spans) to a value.</summary>
    public void Add(string value, decimal weight, long count = 1)
    {
        var (w, c) = _tally.GetValueOrDefault(value);
        _tally[value] = (w + weight, c + count);
    }

    /// <summary>
    /// The values that keep their name: the <paramref name="limit"/> largest by weight, ties broken by
    /// count (larger first), then by ordinal name — the same input always keeps the same set.
    /// </summary>
    public HashSet<string> Keep(int limit)
    {
        if (_tally.Count <= limit)
        {
            return new HashSet<string>(_tally.Keys, StringComparer.Ordinal);
        }

        var ranked = _tally.ToList();
        ranked.Sort(static (a, b) => Rank(a.Value.Weight, a.Value.Count, a.Key, b.Value.Weight, b.Value.Count, b.Key));
        var kept = new HashSet<string>(Math.Max(limit, 0), StringComparer.Ordinal);
        for (var i = 0; i < ranked.Count && i < limit; i++)
        {
            kept.Add(ranked[i].Key);
        }

        return kept;
    }

    /// <summary>
    /// The ranking order (negative: the first value ranks higher): larger weight first, then larger
    /// count, then ordinal name. Values of one key prefix compare by name as their whole keys do.
    /// </summary>
    public static int Rank(decimal weightA, long countA, string nameA, decimal weightB, long countB, string nameB)
    {
        var byWeight = weightB.CompareTo(weightA);
        if (byWeight != 0)
        {
            return byWeight;
        }

        var byCount = countB.CompareTo(countA);
        return byCount != 0 ? byCount : string.CompareOrdinal(nameA, nameB);
    }

    /// <summary>The value itself when kept, else <see cref="Other"/>.</summary>
    public static string Fold(string value, HashSet<string> kept) => kept.Contains(value) ? value : Other;
}
