using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// A bag of named integer counters (see <see cref="CounterNames"/>). Counters only ever add, so
/// two bags merge by addition — in memory, in a rollup and in DynamoDB's ADD.
/// </summary>
public sealed class AggregateCounters
{
    private readonly Dictionary<string, long> _values;

    public AggregateCounters()
    {
        _values = new(StringComparer.Ordinal);
    }

    /// <summary>An empty bag sized for <paramref name="capacity"/> counters (no regrowth while it is filled).</summary>
    internal AggregateCounters(int capacity)
    {
        _values = new(capacity, StringComparer.Ordinal);
    }

    public AggregateCounters(IEnumerable<KeyValuePair<string, long>> values)
        : this()
    {
        foreach (var (name, value) in values)
        {
            Add(name, value);
        }
    }

    public IReadOnlyDictionary<string, long> Values => _values;

    public bool IsEmpty => _values.Count == 0;

    /// <summary>A counter's value; 0 when absent.</summary>
    public long this[string name] => _values.TryGetValue(name, out var value) ? value : 0;

    /// <summary>Adds to a counter. Zero adds are dropped so items never carry empty counters.</summary>
    public void Add(string name, long value)
    {
        if (value == 0)
        {
            return;
        }

        // One hash look-up instead of a read and a write: the alert simulation's sums add a few
        // million counters, and string hashing was a tenth of its time.
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_values, name, out _) += value;
    }

    public void Merge(AggregateCounters other)
    {
        // The sum holds at least the other bag's counters: make room once. Sums start empty and
        // regrew their table several times per merge (a sixth of replay's alert simulation).
        _values.EnsureCapacity(other._values.Count);
        foreach (var (name, value) in other._values)
        {
            Add(name, value);
        }
    }

    /// <summary>Makes room for <paramref name="count"/> counters in all (no regrowth while they are added).</summary>
    internal void EnsureCapacity(int count) => _values.EnsureCapacity(count);

    public void AddObservation(HistogramFamily family, double valueMs) =>
        Add(CounterNames.HistogramBin(family, LogHistogram.BinOf(valueMs)), 1);

    /// <summary>The histogram of one family rebuilt from the bin counters.</summary>
    public LogHistogram Histogram(HistogramFamily family)
    {
        var histogram = new LogHistogram();
        foreach (var (name, value) in _values)
        {
            if (CounterNames.TryParseHistogramBin(name, family, out var bin))
            {
                histogram.AddToBin(bin, value);
            }
        }

        return histogram;
    }

    /// <summary>Counters whose names start with a prefix, keyed by the rest of the name (e.g. stop reasons).</summary>
    public IReadOnlyDictionary<string, long> WithPrefix(string prefix)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in _values)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                result[name[prefix.Length..]] = value;
            }
        }

        return result;
    }

    public AggregateCounters Clone()
    {
        // Sized once (a copy added counter by counter regrew its table several times: a fifth of
        // replay's alert simulation); zero counters are still dropped, as Add drops them.
        var clone = new AggregateCounters(_values.Count);
        foreach (var (name, value) in _values)
        {
            if (value != 0)
            {
                clone._values.Add(name, value);
            }
        }

        return clone;
    }

    /// <summary>Same names and values.</summary>
    public bool ContentEquals(AggregateCounters other) =>
        other._values.Count == _values.Count &&
        _values.All(pair => other._values.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>Converts a USD amount to integer micro-dollars, rounding half to even.</summary>
    public static long ToMicros(decimal usd) => (long)decimal.Round(usd * 1_000_000m, 0, MidpointRounding.ToEven);

    /// <summary>Converts integer micro-dollars back to USD.</summary>
    public static decimal FromMicros(long micros) => micros / 1_000_000m;
}
