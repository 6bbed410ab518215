using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace GenAiObs.Cli.Export;

/// <summary>
/// A read-only stream that reads its source on a thread of its own, a few blocks ahead of the
/// caller. The file reader wraps a gzip file's decompression in it: gunzip was about 60 % of the
/// reader thread's time on a JSON Lines export, so splitting and unescaping now overlap it instead
/// of waiting for it. The source's exceptions reach the caller unchanged, at the position they
/// happened (a corrupt gzip stream still ends the input with <see cref="InvalidDataException"/>).
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    // The size ByteWindow asks for; see ReadSource.
    private const int BlockBytes = ByteWindow.ReadBytes;

    // Four blocks ahead at most: 4 MB whatever the file's size.
    private const int MaxBlocksAhead = 4;

    private readonly Stream _source;
    private readonly BlockingCollection<Block> _blocks = new(MaxBlocksAhead);
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task _reader;
    private Block _current = new(null, 0, null);
    private int _position;
    private bool _ended;

    /// <param name="source">Read to its end on the read-ahead thread; disposed with this stream.</param>
    public ReadAheadStream(Stream source)
    {
        _source = source;
        _reader = Task.Factory.StartNew(ReadSource, _cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (!_ended && _position == _current.Length)
        {
            ReturnCurrent();
            _current = _blocks.Take();
            _position = 0;
            if (_current.Failure is { } failure)
            {
                _ended = true;
                failure.Throw();
            }

            _ended = _current.Length == 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _position);
        _current.Bytes.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_cancel.IsCancellationRequested)
        {
            _cancel.Cancel();
            try
            {
                _reader.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for room: the caller stopped reading early.
            }

            ReturnCurrent();
            while (_blocks.TryTake(out var left))
            {
                Return(left.Bytes);
            }

            _blocks.Dispose();
            _cancel.Dispose();
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The read-ahead thread: one source read per block, of the size the file reader asks for, so
    /// the caller sees the same chunks, and a failure at the same place, as if it read the source
    /// itself. Ends with an empty block, or with the failure.
    /// </summary>
    private void ReadSource()
    {
        while (true)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(BlockBytes);
            Block block;
            try
            {
                block = new Block(bytes, _source.Read(bytes, 0, BlockBytes), null);
            }
            catch (Exception ex)
            {
                Return(bytes);
                block = new Block(null, 0, ExceptionDispatchInfo.Capture(ex));
            }

            try
            {
                _blocks.Add(block, _cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Return(block.Bytes);
                throw;
            }

            if (block.Length == 0)
            {
                return;
            }
        }
    }

    private void ReturnCurrent()
    {
        Return(_current.Bytes);
        _current = new Block(null, 0, null);
    }

    private static void Return(byte[]? bytes)
    {
        if (bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>A block read ahead: <see cref="Length"/> bytes of <see cref="Bytes"/>; length 0 at the end; or the source's failure.</summary>
    private readonly record struct Block(byte[]? Bytes, int Length, ExceptionDispatchInfo? Failure);
}
