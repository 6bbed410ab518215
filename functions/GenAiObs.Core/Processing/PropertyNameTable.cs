using System.Text;
using System.Text.Json;

namespace GenAiObs.Core.Processing;

/// <summary>
/// A fixed set of JSON property names, each with what it means to a scanner, looked up by the
/// UTF-8 bytes a <see cref="Utf8JsonReader"/> is on. Every name in the table is found, whatever
/// its length or escaping: the length prefilter is derived from the names themselves.
/// </summary>
/// <typeparam name="TField">What a name means (an enum of the scanner's field kinds).</typeparam>
internal sealed class PropertyNameTable<TField>
    where TField : struct
{
    /// <summary>Lengths from here on are not in the prefilter's mask; such names are always compared.</summary>
    private const int MaskedLengths = 64;

    private readonly (byte[] Name, TField Field)[] _entries;

    // Bit n set: some name is n bytes long. Most property names of a body ("text", "type", "role",
    // "content" …) are ruled out by one bit test instead of one comparison per entry. Measured on
    // stream-chunk bodies (hundreds of chunks each): their parse went from 78 % to ~30 % of the
    // floor's time (tests/GenAiObs.Benchmarks/RESULTS.md, "Changes made to the hot path").
    private readonly ulong _lengths;

    public PropertyNameTable(params (string Name, TField Field)[] entries)
    {
        _entries = Array.ConvertAll(entries, entry => (Encoding.UTF8.GetBytes(entry.Name), entry.Field));
        foreach (var (name, _) in _entries)
        {
            if (name.Length < MaskedLengths)
            {
                _lengths |= 1UL << name.Length;
            }
        }
    }

    /// <summary>The names in the table, in order, with their fields.</summary>
    public IEnumerable<(string Name, TField Field)> Entries => _entries.Select(entry => (Encoding.UTF8.GetString(entry.Name), entry.Field));

    /// <summary>Finds the property name the reader is on (escaped or not); false when it is not in the table.</summary>
    public bool TryFind(ref Utf8JsonReader reader, out TField field)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return TryFind(reader.ValueSpan, out field);
        }

        foreach (var (candidate, kind) in _entries)
        {
            if (reader.ValueTextEquals(candidate))
            {
                field = kind;
                return true;
            }
        }

        field = default;
        return false;
    }

    /// <summary>Finds an unescaped UTF-8 name; false when it is not in the table.</summary>
    public bool TryFind(ReadOnlySpan<byte> name, out TField field)
    {
        if (name.Length < MaskedLengths && (_lengths & (1UL << name.Length)) == 0)
        {
            field = default;
            return false;
        }

        foreach (var (candidate, kind) in _entries)
        {
            if (name.SequenceEqual(candidate))
            {
                field = kind;
                return true;
            }
        }

        field = default;
        return false;
    }
}
