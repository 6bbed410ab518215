namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The compact form in which <see cref="InMemoryAggregateStore"/> holds an item's counters: one
/// byte array of a LEB128 varint pair count, then (name id, zigzag value) varint pairs in the
/// order the counters were first added, each name kept once in this table and referred to by its
/// id (the varint and zigzag forms of <see cref="AggregateBatchCodec"/>). As an
/// <see cref="AggregateCounters"/> an item of the end-to-end corpus took about 1.2 KB (a hash table
/// of string keys and longs); packed it takes a small fraction of that, and the 5-minute items are
/// what grows with the hours a replay covers (issue #13: peak RSS independent of input size).
/// Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class PackedCounters
{
    /// <summary>No counters.</summary>
    public static readonly byte[] Empty = [0];

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<int> _scratchIds = [];
    private readonly List<long> _scratchValues = [];

    // Position + 1 of a name id in the scratch lists during Merge (0: not there); reset after use.
    private int[] _slots = new int[64];
    private byte[] _buffer = new byte[256];

    /// <summary>
    /// The packed form of <paramref name="packed"/> with <paramref name="delta"/> added, as
    /// <see cref="AggregateCounters.Merge"/> adds: zero adds are dropped, a counter keeps its
    /// position (and stays, at zero, when it sums to zero), new names go after the existing ones.
    /// </summary>
    public byte[] Merge(byte[] packed, AggregateCounters delta)
    {
        _scratchIds.Clear();
        _scratchValues.Clear();
        var position = 0;
        var count = (int)ReadUnsigned(packed, ref position);
        for (var i = 0; i < count; i++)
        {
            var id = (int)ReadUnsigned(packed, ref position);
            _scratchIds.Add(id);
            _scratchValues.Add(ReadSigned(packed, ref position));
            _slots[id] = i + 1;
        }

        foreach (var (name, value) in delta.Values)
        {
            if (value == 0)
            {
                continue;
            }

            var id = IdOf(name);
            if (_slots[id] > 0)
            {
                _scratchValues[_slots[id] - 1] += value;
            }
            else
            {
                _scratchIds.Add(id);
                _scratchValues.Add(value);
                _slots[id] = _scratchIds.Count;
            }
        }

        foreach (var id in _scratchIds)
        {
            _slots[id] = 0;
        }

        // A varint takes at most 10 bytes: the count, then two per counter.
        var needed = 10 * ((2 * _scratchIds.Count) + 1);
        if (_buffer.Length < needed)
        {
            _buffer = new byte[Math.Max(_buffer.Length * 2, needed)];
        }

        var length = 0;
        WriteUnsigned(_buffer, ref length, (ulong)_scratchIds.Count);
        for (var i = 0; i < _scratchIds.Count; i++)
        {
            WriteUnsigned(_buffer, ref length, (ulong)_scratchIds[i]);
            WriteUnsigned(_buffer, ref length, (ulong)((_scratchValues[i] << 1) ^ (_scratchValues[i] >> 63)));
        }

        return _buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// A new <see cref="AggregateCounters"/> with the packed counters in their order, zeros
    /// dropped: what <see cref="AggregateCounters.Clone"/> of the unpacked bag gives.
    /// </summary>
    public AggregateCounters Unpack(byte[] packed)
    {
        var position = 0;
        var count = (int)ReadUnsigned(packed, ref position);
        var counters = new AggregateCounters(count);
        for (var i = 0; i < count; i++)
        {
            var name = _names[(int)ReadUnsigned(packed, ref position)];
            counters.Add(name, ReadSigned(packed, ref position));
        }

        return counters;
    }

    /// <summary>
    /// Adds the packed counters to <paramref name="target"/> in their order, as
    /// <c>target.Merge(Unpack(packed))</c> would, without the bag in between (zero adds dropped).
    /// </summary>
    public void AddTo(byte[] packed, AggregateCounters target)
    {
        var position = 0;
        var count = (int)ReadUnsigned(packed, ref position);
        target.EnsureCapacity(count);
        for (var i = 0; i < count; i++)
        {
            var name = _names[(int)ReadUnsigned(packed, ref position)];
            target.Add(name, ReadSigned(packed, ref position));
        }
    }

    private int IdOf(string name)
    {
        if (!_ids.TryGetValue(name, out var id))
        {
            id = _names.Count;
            _ids[name] = id;
            _names.Add(name);
            if (_slots.Length <= id)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }
        }

        return id;
    }

    private static void WriteUnsigned(byte[] buffer, ref int length, ulong value)
    {
        do
        {
            var next = (byte)(value & 0x7F);
            value >>= 7;
            buffer[length++] = value == 0 ? next : (byte)(next | 0x80);
        }
        while (value != 0);
    }

    private static ulong ReadUnsigned(byte[] packed, ref int position)
    {
        ulong value = 0;
        var shift = 0;
        byte next;
        do
        {
            next = packed[position++];
            value |= (ulong)(next & 0x7F) << shift;
            shift += 7;
        }
        while ((next & 0x80) != 0);

        return value;
    }

    private static long ReadSigned(byte[] packed, ref int position)
    {
        var zigzag = ReadUnsigned(packed, ref position);
        return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
    }
}
