using System.Text.Json;

namespace GenAiObs.Core.Processing;

/// <summary>
/// One delivery's repeated identifiers (model ids, principals, services, environments, trace ids …)
/// as strings made once: looked up by their UTF-8 bytes, so a value seen before costs a hash and
/// a compare instead of a new string. Bounded (<see cref="MaxEntries"/> values of at most
/// <see cref="MaxValueBytes"/> bytes); beyond that values are simply allocated. Not thread-safe:
/// one table per delivery, used by one parser at a time.
/// </summary>
internal sealed class Utf8StringTable
{
    /// <summary>Most values kept.</summary>
    public const int MaxEntries = 1024;

    /// <summary>Longest value (UTF-8 bytes) kept.</summary>
    public const int MaxValueBytes = 256;

    private const int BucketCount = 2048;

    private readonly int[] _buckets = new int[BucketCount];
    private Entry[] _entries = new Entry[64];
    private int _count;

    /// <summary>
    /// The string token the reader is on, as <see cref="Utf8JsonReader.GetString"/> would return it
    /// (and throwing as it would for invalid text): shared with earlier equal values when possible.
    /// </summary>
    public string GetString(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxValueBytes)
        {
            return reader.GetString()!;
        }

        var bytes = reader.ValueSpan;
        var hash = Hash(bytes);
        ref var bucket = ref _buckets[hash & (BucketCount - 1)];
        for (var i = bucket - 1; i >= 0; i = _entries[i].Next)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash == hash && bytes.SequenceEqual(entry.Bytes))
            {
                return entry.Value;
            }
        }

        // New bytes: GetString validates them (invalid UTF-8 throws here, before anything is kept).
        var value = reader.GetString()!;
        if (_count < MaxEntries)
        {
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _count * 2);
            }

            _entries[_count] = new Entry(hash, bytes.ToArray(), value, bucket - 1);
            bucket = ++_count;
        }

        return value;
    }

    /// <summary>The characters as a string, shared with an earlier equal value when possible.</summary>
    public string GetString(ReadOnlySpan<char> chars)
    {
        if (chars.Length > MaxValueBytes)
        {
            return chars.ToString();
        }

        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars);
        var hash = Hash(bytes) ^ 0x5bd1e995; // kept apart from UTF-8 keys of the same bytes
        ref var bucket = ref _buckets[hash & (BucketCount - 1)];
        for (var i = bucket - 1; i >= 0; i = _entries[i].Next)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash == hash && entry.IsChars && bytes.SequenceEqual(entry.Bytes))
            {
                return entry.Value;
            }
        }

        var value = chars.ToString();
        if (_count < MaxEntries)
        {
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _count * 2);
            }

            _entries[_count] = new Entry(hash, bytes.ToArray(), value, bucket - 1, IsChars: true);
            bucket = ++_count;
        }

        return value;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = default(HashCode);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    private readonly record struct Entry(int Hash, byte[] Bytes, string Value, int Next, bool IsChars = false);
}
