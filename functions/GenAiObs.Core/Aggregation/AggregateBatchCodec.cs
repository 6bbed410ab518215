using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The compact encoding of an <see cref="AggregateBatch"/> stored in a deferred-mode delta item:
/// Brotli over a small versioned binary form — a version byte, the batch id, one table of the
/// distinct key and counter names, then per delta its bucket (minutes since the previous delta's,
/// zigzag), key index and (name index, zigzag value) pairs, every integer a LEB128 varint. A
/// typical 10-second delivery (about 15 items, most counters histogram bins) encodes to well under
/// 1 KB, so its PutItem costs one write unit (DynamoDB bills a write unit per started KB).
/// </summary>
public static class AggregateBatchCodec
{
    /// <summary>The first byte of the uncompressed form; a decoder refuses any other.</summary>
    public const byte Version = 1;

    /// <summary>Decoding stops past this many uncompressed bytes (a delta item is at most 400 KB compressed).</summary>
    public const int MaxDecodedBytes = 16 * 1024 * 1024;

    public static byte[] Encode(AggregateBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var table = new List<string>();
        int IndexOf(string name)
        {
            if (!names.TryGetValue(name, out var index))
            {
                index = table.Count;
                names[name] = index;
                table.Add(name);
            }

            return index;
        }

        var body = new ArrayBufferWriter<byte>(1024);
        WriteUnsigned(body, (ulong)batch.Deltas.Count);
        long previousMinute = 0;
        foreach (var delta in batch.Deltas)
        {
            var minute = delta.BucketStart.ToUnixTimeSeconds() / 60;
            WriteSigned(body, minute - previousMinute);
            previousMinute = minute;
            WriteUnsigned(body, (ulong)IndexOf(delta.Key));
            var counters = delta.Counters.Values.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
            WriteUnsigned(body, (ulong)counters.Count);
            foreach (var (name, value) in counters)
            {
                WriteUnsigned(body, (ulong)IndexOf(name));
                WriteSigned(body, value);
            }
        }

        var plain = new ArrayBufferWriter<byte>(body.WrittenCount + 512);
        plain.Write([Version]);
        WriteString(plain, batch.BatchId);
        WriteUnsigned(plain, (ulong)table.Count);
        foreach (var name in table)
        {
            WriteString(plain, name);
        }

        plain.Write(body.WrittenSpan);

        using var output = new MemoryStream(plain.WrittenCount / 2);
        using (var brotli = new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            brotli.Write(plain.WrittenSpan);
        }

        return output.ToArray();
    }

    /// <exception cref="FormatException">Not a delta this version wrote (corrupt, truncated, or another version).</exception>
    public static AggregateBatch Decode(ReadOnlySpan<byte> encoded)
    {
        byte[] plain;
        try
        {
            using var input = new MemoryStream(encoded.ToArray());
            using var brotli = new BrotliStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = brotli.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxDecodedBytes)
                {
                    throw new FormatException("A delta decodes to more than the size limit.");
                }

                output.Write(buffer, 0, read);
            }

            plain = output.ToArray();
        }
        catch (InvalidDataException exception)
        {
            throw new FormatException("A delta is not valid Brotli data.", exception);
        }

        var reader = new Reader(plain);
        if (reader.Byte() != Version)
        {
            throw new FormatException("A delta has an unknown encoding version.");
        }

        var batchId = reader.String();
        var table = new string[reader.Count()];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = reader.String();
        }

        var deltas = new AggregateDelta[reader.Count()];
        long minute = 0;
        for (var i = 0; i < deltas.Length; i++)
        {
            minute += reader.Signed();
            var key = table[reader.Index(table.Length)];
            var counterCount = reader.Count();
            var counters = new AggregateCounters(counterCount);
            for (var c = 0; c < counterCount; c++)
            {
                counters.Add(table[reader.Index(table.Length)], reader.Signed());
            }

            deltas[i] = new AggregateDelta(DateTimeOffset.FromUnixTimeSeconds(minute * 60), key, counters);
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("A delta has trailing bytes.");
        }

        return new AggregateBatch(batchId, deltas);
    }

    private static void WriteString(IBufferWriter<byte> writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUnsigned(writer, (ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteSigned(IBufferWriter<byte> writer, long value) =>
        WriteUnsigned(writer, (ulong)((value << 1) ^ (value >> 63)));

    private static void WriteUnsigned(IBufferWriter<byte> writer, ulong value)
    {
        Span<byte> buffer = stackalloc byte[10];
        var length = 0;
        do
        {
            var next = (byte)(value & 0x7F);
            value >>= 7;
            buffer[length++] = value == 0 ? next : (byte)(next | 0x80);
        }
        while (value != 0);
        writer.Write(buffer[..length]);
    }

    /// <summary>Reads the uncompressed form; every malformed read is a <see cref="FormatException"/>.</summary>
    private sealed class Reader(byte[] data)
    {
        private int _position;

        public bool AtEnd => _position == data.Length;

        public byte Byte() => _position < data.Length ? data[_position++] : throw new FormatException("A delta is truncated.");

        public ulong Unsigned()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var next = Byte();
                value |= (ulong)(next & 0x7F) << shift;
                if ((next & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new FormatException("A delta has an overlong number.");
        }

        public long Signed()
        {
            var raw = Unsigned();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        /// <summary>A count, bounded by the bytes left (each counted thing takes at least one byte).</summary>
        public int Count()
        {
            var count = Unsigned();
            return count <= (ulong)(data.Length - _position) ? (int)count : throw new FormatException("A delta has a count past its end.");
        }

        public int Index(int limit)
        {
            var index = Unsigned();
            return index < (ulong)limit ? (int)index : throw new FormatException("A delta names an unknown string.");
        }

        public string String()
        {
            var length = Count();
            var value = Encoding.UTF8.GetString(data, _position, length);
            _position += length;
            return value;
        }
    }
}
