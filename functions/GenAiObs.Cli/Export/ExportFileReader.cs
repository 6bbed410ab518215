using System.IO.Compression;
using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Cli.Export;

/// <summary>How big one delivery read from a file may get before the next one starts.</summary>
/// <param name="MaxEvents">Events (and rejected events) per delivery.</param>
/// <param name="MaxMessageBytes">Bytes of message text per delivery.</param>
public sealed record ExportChunking(int MaxEvents = 4096, long MaxMessageBytes = 16L * 1024 * 1024)
{
    /// <summary>The replay default: ~16 MB per delivery, so a few deliveries in flight stay far below 256 MB.</summary>
    public static ExportChunking Default { get; } = new();

    /// <summary>Everything in one delivery: for small inputs only.</summary>
    public static ExportChunking Whole { get; } = new(int.MaxValue, long.MaxValue);
}

/// <summary>
/// Reads a file given to the CLI incrementally, plain or gzip (detected by the gzip magic bytes),
/// and emits its log events as deliveries of bounded size. Formats: a Lambda subscription or Kinesis
/// event (one, or JSON Lines of them), a decoded DATA_MESSAGE, <c>aws logs filter-log-events</c> /
/// <c>get-log-events</c> output <c>{"events":[{"message":…}]}</c> (pretty-printed or not), a JSON
/// array of any of these, or JSON Lines of raw records (one record per line; a line that is not
/// valid JSON is kept as a record so the parser rejects it by name).
/// </summary>
/// <remarks>
/// Memory is bounded by the delivery size and the longest value that must be held whole (a line, a
/// Lambda event, one element of an events array), never by the file: the events of an export and
/// the elements of a top-level array are read one at a time. Where a delivery ends depends only on
/// the content, so events without an id of their own get the same content-derived ids
/// (<see cref="DeliveryBuilder.Build"/>) on every read of the same file, plain or gzipped.
/// </remarks>
public sealed class ExportFileReader
{
    // A line longer than this is checked: the start of a value spanning lines, or a broken record.
    private const int ProbeBytes = 1 << 20;

    // The largest single value held whole (a Lambda event is at most 6 MB; a DATA_MESSAGE a few tens).
    private const int MaxHeldBytes = 64 << 20;

    private readonly DecoderLimits _limits;
    private readonly ExportChunking _chunking;
    private readonly JsonReaderOptions _options;

    // Deliveries are filled here and disposed on the consumer's thread: a pool of the reader's own
    // holds every in-flight delivery's chunks, where the shared pool would let most of them go.
    private readonly ChunkBudgetPool _pool;
    private long _inputBytes;
    private long _decompressedBytes;

    /// <param name="limits">
    /// Record limits; <see cref="DecoderLimits.MaxDecompressedBytes"/> caps a file's decompressed size
    /// (and so the size of the largest value held whole).
    /// </param>
    /// <param name="chunking">Delivery size; <see cref="ExportChunking.Default"/> when null.</param>
    public ExportFileReader(DecoderLimits limits, ExportChunking? chunking = null)
        : this(limits, chunking, ChunkBudgetPool.Unbounded())
    {
    }

    /// <param name="limits">As above.</param>
    /// <param name="chunking">As above.</param>
    /// <param name="pool">
    /// Where the deliveries' message chunks come from: a bounded pool makes <see cref="Read"/> wait
    /// for the consumer to dispose handed-over deliveries, so only a reader whose deliveries are
    /// disposed on another thread may pass one.
    /// </param>
    internal ExportFileReader(DecoderLimits limits, ExportChunking? chunking, ChunkBudgetPool pool)
    {
        _limits = limits;
        _chunking = chunking ?? ExportChunking.Default;
        _pool = pool;
        _options = new DeliveryBuilder(limits).EnvelopeReaderOptions;
    }

    /// <summary>Bytes read from the inputs so far (compressed bytes for gzip files); safe to read from another thread.</summary>
    public long InputBytesRead => Interlocked.Read(ref _inputBytes);

    /// <summary>Decompressed bytes read so far, summed over every input this reader has read; safe to read from another thread.</summary>
    public long DecompressedBytesRead => Interlocked.Read(ref _decompressedBytes);

    /// <summary>Decodes a small input into one delivery (tests and single events; use <see cref="Read"/> for files).</summary>
    public static DecodedDelivery ReadWhole(ReadOnlySpan<byte> bytes, DecoderLimits? limits = null)
    {
        DecodedDelivery? whole = null;
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        new ExportFileReader(limits ?? DecoderLimits.Default, ExportChunking.Whole).Read(stream, delivery => whole = delivery);
        return whole!;
    }

    /// <summary>
    /// Reads <paramref name="input"/> to its end, handing each delivery to <paramref name="emit"/>,
    /// which owns and disposes it. At least one delivery is emitted (an empty or broken file yields
    /// one that says why). Never throws for bad content.
    /// </summary>
    public void Read(Stream input, Action<DecodedDelivery> emit)
    {
        using var counted = new CountingStream(input, this);
        var gzipped = StartsWithGzipMagic(counted);
        // Gunzip runs a few blocks ahead on a thread of its own (ReadAheadStream): it was most of this
        // thread's time, and splitting and unescaping the lines now overlap it.
        using Stream decompressed = gzipped ? new ReadAheadStream(new GZipStream(counted, CompressionMode.Decompress, leaveOpen: true)) : counted;
        using var window = new ByteWindow(decompressed, _limits.MaxDecompressedBytes);

        // The counter spans every input this reader has read; a file's window counts from zero.
        var before = Interlocked.Read(ref _decompressedBytes);
        var state = new ReadState(window, new DeliveryBuilder(_limits, 0, _pool), emit, _pool);
        try
        {
            SkipByteOrderMark(window);
            while (NextValue(state))
            {
                state.Values++;
                Interlocked.Exchange(ref _decompressedBytes, before + window.TotalRead);
                if (state.Builder.Count >= _chunking.MaxEvents || state.Builder.MessageBytes >= _chunking.MaxMessageBytes)
                {
                    state.Flush(_limits);
                }
            }

            Interlocked.Exchange(ref _decompressedBytes, before + window.TotalRead);
            if (window.TooLarge)
            {
                state.Builder.Reject(RejectReasons.DecompressedTooLarge, "file");
            }
            else if (window.InvalidData || (gzipped && window.TotalRead == 0))
            {
                state.Builder.Reject(RejectReasons.InvalidGzip, "file");
            }
            else if (state.Values == 0)
            {
                state.Builder.Reject(RejectReasons.EmptyBatch, "file is empty");
            }

            if (state.Emitted == 0 || !state.Builder.IsEmpty)
            {
                state.Flush(_limits);
            }
        }
        finally
        {
            state.Builder.Dispose();
        }
    }

    // ---- Line mode: JSON Lines, and the first line of anything

    /// <summary>Adds the next line (or multi-line value) to the current delivery; false at the end of input.</summary>
    private bool NextValue(ReadState state)
    {
        var window = state.Window;
        if (!SkipWhitespace(window, 0, out var start))
        {
            return false;
        }

        window.Consume(start);
        var scanned = 0;
        var probed = false;
        while (true)
        {
            var available = window.Available;
            var newline = available[scanned..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = available[..(scanned + newline)].TrimEnd(" \t\r"u8);
                if (!AddLine(state, line))
                {
                    window.Consume(scanned + newline + 1);
                }

                return true;
            }

            scanned = available.Length;
            if (!probed && scanned >= ProbeBytes)
            {
                probed = true;
                if (ExportValueDecoder.IsValidPrefix(available, _options))
                {
                    WalkValue(state);
                    return true;
                }

                // Not JSON and already longer than any record may be: drop it without holding it.
                DiscardLine(window);
                if (window.TooLarge || window.InvalidData)
                {
                    return false;
                }

                state.Builder.RejectOversizedRecord();
                return true;
            }

            if (!window.ReadMore(MaxHeldBytes))
            {
                if (!window.AtEnd)
                {
                    state.Builder.Reject(RejectReasons.DecompressedTooLarge, "file: line");
                    DiscardLine(window);
                    return true;
                }

                if (window.TooLarge || window.InvalidData || window.Length == 0)
                {
                    return false;
                }

                // The last line, without a newline after it.
                if (!AddLine(state, window.Available.TrimEnd(" \t\r"u8)))
                {
                    window.Consume(window.Length);
                }

                return true;
            }
        }
    }

    /// <summary>Adds one complete line. Returns true when the line turned out to start a multi-line value, which was then read (and consumed) whole.</summary>
    private bool AddLine(ReadState state, ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return false;
        }

        var kind = ExportValueDecoder.Classify(line, _options);
        if (kind == ExportValueKind.Incomplete)
        {
            WalkValue(state);
            return true;
        }

        ExportValueDecoder.Add(line, kind, state.Builder, allowArray: true);
        return false;
    }

    // ---- Values spanning lines: streamed element by element

    /// <summary>Reads the object or array starting at the window's position, streaming an export's events or an array's elements.</summary>
    private void WalkValue(ReadState state)
    {
        var ok = state.Window.Available[0] == (byte)'[' ? WalkArray(state) : WalkObject(state);
        if (!ok)
        {
            // Broken (the reason is recorded): carry on with the next line that starts a value in its
            // first column — the next line of a JSON Lines file; the indented rest of a pretty-printed
            // document is dropped with it.
            DiscardLine(state.Window);
            while (SkipToLineStart(state.Window) is not (byte)'{' and not (byte)'[' and not 0)
            {
                DiscardLine(state.Window);
            }
        }
    }

    private bool WalkArray(ReadState state)
    {
        var window = state.Window;
        var position = 1;
        var any = false;
        while (true)
        {
            if (!SkipWhitespace(window, position, out position))
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, "file: array");
                return false;
            }

            var next = window.Available[position];
            if (next == (byte)']')
            {
                window.Consume(position + 1);
                if (!any)
                {
                    state.Builder.Reject(RejectReasons.EmptyBatch, "file array is empty");
                }

                return true;
            }

            if (next == (byte)',')
            {
                position++;
                continue;
            }

            if (!TryCompleteValue(state, position, "file: array", out var length))
            {
                return false;
            }

            any = true;
            var element = window.Available.Slice(position, length);
            ExportValueDecoder.Add(element, ExportValueDecoder.Classify(element, _options), state.Builder, allowArray: false);
            window.Consume(position + length);
            position = 0;
            state.FlushIfFull(_chunking, _limits);
        }
    }

    private bool WalkObject(ReadState state)
    {
        var window = state.Window;
        var position = 1;
        var export = false;
        var sawEvents = false;
        var countBefore = state.Builder.Count;
        while (true)
        {
            if (!SkipWhitespace(window, position, out position))
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, "file: object");
                return false;
            }

            var next = window.Available[position];
            if (next == (byte)'}')
            {
                if (!export)
                {
                    // Not an events export: the whole object is one value (a pretty-printed record, event or payload).
                    var value = window.Available[..(position + 1)];
                    ExportValueDecoder.Add(value, ExportValueDecoder.Classify(value, _options), state.Builder, allowArray: true);
                }
                else if (state.Builder.Count == countBefore && !sawEvents)
                {
                    state.Builder.Reject(RejectReasons.EmptyBatch, "events is empty");
                }

                window.Consume(position + 1);
                return true;
            }

            if (next == (byte)',')
            {
                position++;
                continue;
            }

            if (next != (byte)'"')
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, "file: object");
                return false;
            }

            if (!TryCompleteValue(state, position, "file: object", out var nameLength))
            {
                return false;
            }

            var name = ReadName(window.Available.Slice(position, nameLength));
            position += nameLength;
            if (!SkipWhitespace(window, position, out position) || window.Available[position] != (byte)':'
                || !SkipWhitespace(window, position + 1, out position))
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, "file: object");
                return false;
            }

            if (name == PropertyKind.Events && window.Available[position] == (byte)'[' && !export)
            {
                // An events export: from here on, events are read one at a time and nothing before them is kept.
                export = true;
                window.Consume(position + 1);
                if (!WalkEvents(state, out var any))
                {
                    return false;
                }

                sawEvents |= any;
                position = 0;
                continue;
            }

            if (name == PropertyKind.NotAnExport && !export)
            {
                // A record, Lambda event or DATA_MESSAGE spread over lines: hold it whole.
                if (!TryCompleteValue(state, 0, "file: object", out var wholeLength))
                {
                    return false;
                }

                var whole = window.Available[..wholeLength];
                ExportValueDecoder.Add(whole, ExportValueDecoder.Classify(whole, _options), state.Builder, allowArray: true);
                window.Consume(wholeLength);
                return true;
            }

            if (!TryCompleteValue(state, position, "file: object", out var valueLength))
            {
                return false;
            }

            position += valueLength;
            if (export)
            {
                window.Consume(position);
                position = 0;
            }
        }
    }

    /// <summary>The elements of an events array (the window is just past its '['), each a log event.</summary>
    private bool WalkEvents(ReadState state, out bool any)
    {
        var window = state.Window;
        var position = 0;
        any = false;
        while (true)
        {
            if (!SkipWhitespace(window, position, out position))
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, "file: events");
                return false;
            }

            var next = window.Available[position];
            if (next == (byte)']')
            {
                window.Consume(position + 1);
                return true;
            }

            if (next == (byte)',')
            {
                position++;
                continue;
            }

            if (!TryCompleteValue(state, position, "file: events", out var length))
            {
                return false;
            }

            if (!state.Builder.AddLogEvent(window.Available.Slice(position, length)))
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, "file: events");
                return false;
            }

            any = true;
            window.Consume(position + length);
            position = 0;
            state.FlushIfFull(_chunking, _limits);
        }
    }

    /// <summary>
    /// Makes sure the JSON value starting at <paramref name="position"/> is in the window, reading
    /// more as needed (doubling what is held each time, so a large value is rescanned a few times at
    /// most). On failure the reason is recorded, with <paramref name="where"/> as its detail.
    /// </summary>
    private bool TryCompleteValue(ReadState state, int position, string where, out int length)
    {
        var window = state.Window;
        length = 0;
        while (true)
        {
            var reader = new Utf8JsonReader(window.Available[position..], window.AtEnd, new JsonReaderState(_options));
            try
            {
                if (reader.Read() && reader.TrySkip())
                {
                    length = (int)reader.BytesConsumed;
                    return true;
                }
            }
            catch (JsonException)
            {
                state.Builder.Reject(RejectReasons.InvalidPayloadJson, where);
                return false;
            }

            if (window.AtEnd)
            {
                // Only whitespace was left, or the input broke off (a cut file, a corrupt gzip, the size cap).
                state.Builder.Reject(window.TooLarge ? RejectReasons.DecompressedTooLarge : RejectReasons.InvalidPayloadJson, where);
                return false;
            }

            var target = Math.Max(window.Length * 2L, window.Length + (1 << 20));
            while (window.Length < target && window.ReadMore(MaxHeldBytes))
            {
            }

            if (!window.AtEnd && window.Length < target)
            {
                state.Builder.Reject(RejectReasons.DecompressedTooLarge, where + " (larger than " + (MaxHeldBytes >> 20) + " MB)");
                return false;
            }
        }
    }

    // ---- Helpers

    private static bool StartsWithGzipMagic(Stream stream)
    {
        if (!stream.CanSeek)
        {
            return false;
        }

        Span<byte> magic = stackalloc byte[2];
        var read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Seek(0, SeekOrigin.Begin);
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static void SkipByteOrderMark(ByteWindow window)
    {
        while (window.Length < 3 && window.ReadMore(MaxHeldBytes))
        {
        }

        if (window.Available.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            window.Consume(3);
        }
    }

    /// <summary>The position of the first non-whitespace byte at or after <paramref name="position"/>, reading more as needed.</summary>
    private static bool SkipWhitespace(ByteWindow window, int position, out int found)
    {
        while (true)
        {
            var offset = window.Available[position..].IndexOfAnyExcept(" \t\r\n"u8);
            if (offset >= 0)
            {
                found = position + offset;
                return true;
            }

            position = window.Length;
            if (!window.ReadMore(MaxHeldBytes))
            {
                found = position;
                return false;
            }
        }
    }

    /// <summary>The first byte of the line at the window's position (0 at the end of input).</summary>
    private static byte SkipToLineStart(ByteWindow window)
    {
        while (window.Length == 0)
        {
            if (!window.ReadMore(MaxHeldBytes))
            {
                return 0;
            }
        }

        return window.Available[0];
    }

    /// <summary>Drops input up to and including the next newline; returns how many bytes were dropped.</summary>
    private static int DiscardLine(ByteWindow window)
    {
        var dropped = 0;
        while (true)
        {
            var newline = window.Available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                window.Consume(newline + 1);
                return dropped + newline;
            }

            dropped += window.Length;
            window.Consume(window.Length);
            if (!window.ReadMore(MaxHeldBytes))
            {
                return dropped;
            }
        }
    }

    private PropertyKind ReadName(ReadOnlySpan<byte> token)
    {
        var reader = new Utf8JsonReader(token, _options);
        try
        {
            reader.Read();
            return reader.ValueTextEquals("events"u8) ? PropertyKind.Events
                : reader.ValueTextEquals("awslogs"u8) || reader.ValueTextEquals("Records"u8) || reader.ValueTextEquals("logEvents"u8)
                  || reader.ValueTextEquals("messageType"u8) || reader.ValueTextEquals("schemaType"u8)
                  || reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("spanId"u8) ? PropertyKind.NotAnExport
                : PropertyKind.Other;
        }
        catch (InvalidOperationException)
        {
            return PropertyKind.NotAnExport;
        }
    }

    private enum PropertyKind
    {
        Other,
        Events,
        NotAnExport,
    }

    /// <summary>The window, the delivery being filled, and where deliveries go.</summary>
    private sealed class ReadState(ByteWindow window, DeliveryBuilder builder, Action<DecodedDelivery> emit, ChunkBudgetPool pool)
    {
        public ByteWindow Window { get; } = window;

        public DeliveryBuilder Builder { get; private set; } = builder;

        public int Values { get; set; }

        public int Emitted { get; private set; }

        public void FlushIfFull(ExportChunking chunking, DecoderLimits limits)
        {
            if (Builder.Count >= chunking.MaxEvents || Builder.MessageBytes >= chunking.MaxMessageBytes)
            {
                Flush(limits);
            }
        }

        public void Flush(DecoderLimits limits)
        {
            var full = Builder;
            Builder = new DeliveryBuilder(limits, full.NextOrdinal, pool);
            Emitted++;
            var delivery = full.Build();
            pool.HandOver();
            emit(delivery);
        }
    }

    /// <summary>Counts the bytes read from the input, for progress and ETA.</summary>
    private sealed class CountingStream(Stream inner, ExportFileReader owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Interlocked.Add(ref owner._inputBytes, read);
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            var before = inner.Position;
            var after = inner.Seek(offset, origin);
            Interlocked.Add(ref owner._inputBytes, after - before);
            return after;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
