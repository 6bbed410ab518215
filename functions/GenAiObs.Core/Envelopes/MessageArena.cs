using System.Buffers;
using System.Runtime.InteropServices;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Append-only byte arena over <see cref="ArrayPool{T}"/> chunks. Log-event messages are
/// unescaped straight into it, so a 50 KB prompt costs no managed allocation per record; the
/// arena (and every message slice in it) lives until the owning delivery is disposed, or until a
/// consumer done with the first messages releases the chunks holding only them (<see cref="ReleaseBefore"/>).
/// </summary>
internal sealed class MessageArena : IDisposable
{
    private const int ChunkBytes = 256 * 1024;

    private readonly ArrayPool<byte> _pool;
    private readonly List<byte[]> _chunks = [];
    private byte[]? _current;
    private int _used;
    private int _released;

    /// <param name="pool">Where chunks come from and go back to; <see cref="ArrayPool{T}.Shared"/> when null.</param>
    public MessageArena(ArrayPool<byte>? pool = null) => _pool = pool ?? ArrayPool<byte>.Shared;

    /// <summary>A writable span of at least <paramref name="sizeHint"/> bytes at the arena's end.</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        if (_current is null || _current.Length - _used < sizeHint)
        {
            _current = _pool.Rent(Math.Max(ChunkBytes, sizeHint));
            _chunks.Add(_current);
            _used = 0;
        }

        return _current.AsSpan(_used);
    }

    /// <summary>Keeps the first <paramref name="length"/> bytes written into the last <see cref="GetSpan"/>.</summary>
    public ReadOnlyMemory<byte> Commit(int length)
    {
        var memory = new ReadOnlyMemory<byte>(_current, _used, length);
        _used += length;
        return memory;
    }

    /// <summary>Copies <paramref name="bytes"/> into the arena.</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        return Commit(bytes.Length);
    }

    /// <summary>
    /// Returns the chunks wholly before the one <paramref name="message"/> starts in: messages are
    /// appended in order, so every message before it that lies there is given up with them.
    /// </summary>
    public void ReleaseBefore(ReadOnlyMemory<byte> message)
    {
        if (!MemoryMarshal.TryGetArray(message, out var segment) || segment.Array is not { } chunk)
        {
            return;
        }

        var index = _chunks.IndexOf(chunk, _released);
        if (index < 0)
        {
            return;
        }

        for (; _released < index; _released++)
        {
            _pool.Return(_chunks[_released]);
            _chunks[_released] = null!;
        }
    }

    public void Dispose()
    {
        for (; _released < _chunks.Count; _released++)
        {
            _pool.Return(_chunks[_released]);
        }

        _chunks.Clear();
        _released = 0;
        _current = null;
    }
}
