using System.Buffers;
using System.IO.Compression;

namespace GenAiObs.Cli.Export;

/// <summary>
/// A sliding window over a stream: the bytes from the reader's position to what has been read so
/// far, in one pooled buffer that grows only to hold the longest single value the reader must keep
/// whole. Consumed bytes are dropped, so memory depends on the longest line, not on the file.
/// </summary>
internal sealed class ByteWindow : IDisposable
{
    /// <summary>Bytes asked of the source per read (ReadAheadStream reads ahead in blocks of this size).</summary>
    internal const int ReadBytes = 1 << 20;

    private readonly Stream _source;
    private readonly long _maxTotal;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4 * ReadBytes);
    private int _start;
    private int _end;

    public ByteWindow(Stream source, long maxTotal)
    {
        _source = source;
        _maxTotal = maxTotal;
    }

    /// <summary>The unconsumed bytes read so far.</summary>
    public ReadOnlySpan<byte> Available => _buffer.AsSpan(_start, _end - _start);

    public int Length => _end - _start;

    /// <summary>Decompressed bytes read from the source.</summary>
    public long TotalRead { get; private set; }

    /// <summary>No more input: the source ended, broke, or passed the cap.</summary>
    public bool AtEnd { get; private set; }

    /// <summary>The source passed <c>maxTotal</c> bytes (a decompression bomb, or a file beyond the configured cap).</summary>
    public bool TooLarge { get; private set; }

    /// <summary>The source is a corrupt gzip stream.</summary>
    public bool InvalidData { get; private set; }

    public void Consume(int count) => _start += count;

    /// <summary>Reads one more block; false at the end of input or when holding more would pass <paramref name="maxHeld"/> bytes.</summary>
    public bool ReadMore(int maxHeld)
    {
        if (AtEnd)
        {
            return false;
        }

        if (_end + ReadBytes > _buffer.Length)
        {
            if (Length + ReadBytes > maxHeld && Length > 0)
            {
                return false;
            }

            var needed = Length + ReadBytes;
            if (needed > _buffer.Length / 2)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed * 2, _buffer.Length));
                Available.CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = grown;
            }
            else
            {
                Available.CopyTo(_buffer);
            }

            _end = Length;
            _start = 0;
        }

        int read;
        try
        {
            read = _source.Read(_buffer, _end, ReadBytes);
        }
        catch (InvalidDataException)
        {
            InvalidData = true;
            AtEnd = true;
            return false;
        }

        if (read == 0)
        {
            AtEnd = true;
            return false;
        }

        if (TotalRead + read > _maxTotal)
        {
            TooLarge = true;
            AtEnd = true;
            return false;
        }

        TotalRead += read;
        _end += read;
        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _start = _end = 0;
    }
}
