using System.Buffers;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Append-only byte arena over <see cref="ArrayPool{T}"/> chunks. Log-event messages are
/// unescaped straight into it, so a 50 KB prompt costs no managed allocation per record; the
/// arena (and every message slice in it) lives until the owning delivery is disposed.
/// </summary>
internal sealed class MessageArena : IDisposable
{
    private const int ChunkBytes = 256 * 1024;

    private readonly ArrayPool<byte> _pool;
    private readonly List<byte[]> _chunks = [];
    private byte[]? _current;
    private int _used;

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

    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            _pool.Return(chunk);
        }

        _chunks.Clear();
        _current = null;
    }
}
