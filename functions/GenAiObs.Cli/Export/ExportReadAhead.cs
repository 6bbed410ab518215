using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GenAiObs.Core.Envelopes;

namespace GenAiObs.Cli.Export;

/// <summary>
/// Reads the files given to <c>replay</c> ahead of the consumer, on threads of its own, and hands
/// their deliveries over in file order. With several files (a folder of subscription events), each
/// reader thread takes every n-th file, so base64, gunzip and unescaping are spread over the cores the
/// consumer leaves; a single file (a JSON Lines export) is read by one thread, a few deliveries ahead.
/// Whatever the number of threads, the consumer sees the same deliveries in the same order as a
/// sequential read, and memory stays bounded whatever the input's size and however far the consumer
/// lags: each thread holds at most two finished deliveries, and the message chunks of the deliveries
/// the consumer has not given back, the one being filled included, stay within one delivery and 4 MB
/// (<see cref="ChunkBudgetPool"/>).
/// </summary>
public sealed class ExportReadAhead : IAsyncDisposable
{
    // Two threads: on the 2-core machines replay is measured on, one reader plus the consumer left
    // the reader the slower half with subscription events; more threads only wait on the consumer.
    private const int MaxReaders = 2;

    // Message chunks one reader thread may hold in deliveries the consumer has not disposed yet, the
    // one it is filling included: a whole delivery (16 MB of messages in 256 KB chunks) and 4 MB of the
    // next. replay's consumer gives chunks back as it parses (ProcessingOptions.ReleaseMessagesAsProcessed),
    // so the reader finishes the next delivery while the consumer works through the current one.
    // Measured on the end-to-end corpus (JSON Lines, loaded 2-core machine): chunks held at the peak
    // 21-67 MB unbounded, following the consumer's lag; 18-20 MB with this bound, on the corpus and on
    // twice it alike, wall time unchanged.
    private static readonly long MaxChunkBytesPerReader = ExportChunking.Default.MaxMessageBytes + (4L << 20);

    private readonly IReadOnlyList<string> _files;
    private readonly ExportFileReader[] _readers;
    private readonly ChunkBudgetPool[] _pools;
    private readonly Channel<DecodedDelivery?>[] _channels;
    private readonly Task[] _producers;
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Starts reading <paramref name="files"/>; <paramref name="reading"/> gets each file's reading time (Stopwatch ticks, waits excluded), from the reader threads.</summary>
    public ExportReadAhead(IReadOnlyList<string> files, DecoderLimits limits, Action<long> reading)
    {
        _files = files;
        var count = Math.Clamp(files.Count, 1, MaxReaders);
        _readers = new ExportFileReader[count];
        _pools = new ChunkBudgetPool[count];
        _channels = new Channel<DecodedDelivery?>[count];
        _producers = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            _pools[i] = new ChunkBudgetPool(MaxChunkBytesPerReader, _cancel.Token);
            _readers[i] = new ExportFileReader(limits, chunking: null, _pools[i]);
            _channels[i] = Channel.CreateBounded<DecodedDelivery?>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
            _producers[i] = Task.Factory.StartNew(
                () => ReadFiles(index, count, reading, _cancel.Token), _cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Bytes read from the inputs so far (compressed bytes for gzip files); safe from any thread.</summary>
    public long InputBytesRead => _readers.Sum(reader => reader.InputBytesRead);

    /// <summary>Decompressed bytes read so far over every input; safe from any thread.</summary>
    public long DecompressedBytesRead => _readers.Sum(reader => reader.DecompressedBytesRead);

    /// <summary>
    /// Every delivery of every file, in file order; the caller owns and disposes each. A reader's
    /// failure (e.g. <see cref="CliUsageException"/> for an unreadable file) is thrown here when the
    /// consumer reaches the file it happened in.
    /// </summary>
    public async IAsyncEnumerable<DecodedDelivery> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var file = 0; file < _files.Count; file++)
        {
            var channel = _channels[file % _channels.Length].Reader;
            while (true)
            {
                // WaitToReadAsync throws a reader's failure as it is (ReadAsync would wrap it).
                if (!await channel.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("a reader thread stopped before the end of its files");
                }

                if (!channel.TryRead(out var delivery))
                {
                    continue;
                }

                if (delivery is null)
                {
                    break;
                }

                yield return delivery;
            }
        }
    }

    /// <summary>Stops the reader threads and returns the deliveries nobody took.</summary>
    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        foreach (var channel in _channels)
        {
            while (channel.Reader.TryRead(out var left))
            {
                left?.Dispose();
            }
        }

        foreach (var producer in _producers)
        {
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for the consumer, which finished or threw first.
            }
        }

        // A reader blocked on a full channel may have completed one last write before it saw the cancellation.
        foreach (var channel in _channels)
        {
            while (channel.Reader.TryRead(out var left))
            {
                left?.Dispose();
            }
        }

        foreach (var pool in _pools)
        {
            pool.Dispose();
        }

        _cancel.Dispose();
    }

    /// <summary>One reader thread: files <paramref name="first"/>, first + step, …; each file's deliveries, then null for its end.</summary>
    private void ReadFiles(int first, int step, Action<long> reading, CancellationToken cancellationToken)
    {
        var reader = _readers[first];
        var pool = _pools[first];
        var writer = _channels[first].Writer;
        Exception? failure = null;
        try
        {
            for (var file = first; file < _files.Count; file += step)
            {
                // Waits for the consumer (a full channel, chunks not yet returned) are not reading time.
                long waiting = -pool.WaitedTicks;
                var started = Stopwatch.GetTimestamp();
                using (var stream = new FileStream(_files[file], FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan))
                {
                    reader.Read(stream, delivery => waiting += Write(writer, delivery, cancellationToken));
                }

                waiting += pool.WaitedTicks;
                reading(Stopwatch.GetTimestamp() - started - waiting);
                Write(writer, null, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = new CliUsageException($"cannot read input: {ex.Message}");
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            writer.TryComplete(failure);
        }
    }

    /// <summary>Hands one item over, waiting while the channel is full; returns the ticks spent waiting.</summary>
    private static long Write(ChannelWriter<DecodedDelivery?> writer, DecodedDelivery? delivery, CancellationToken cancellationToken)
    {
        if (writer.TryWrite(delivery))
        {
            return 0;
        }

        var blocked = Stopwatch.GetTimestamp();
        try
        {
            writer.WriteAsync(delivery, cancellationToken).AsTask().GetAwaiter().GetResult();
        }
        catch
        {
            delivery?.Dispose();
            throw;
        }

        return Stopwatch.GetTimestamp() - blocked;
    }
}
