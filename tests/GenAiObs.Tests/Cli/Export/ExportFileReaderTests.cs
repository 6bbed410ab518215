using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Cli.Export;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// Streaming replay's reader: every input format read in deliveries of bounded size, the same
/// events and ids however the file is cut into deliveries or compressed, and memory that does not
/// grow with the file.
/// </summary>
public sealed class ExportFileReaderTests
{
    private static readonly byte[] Record = TestEvents.CompactFixture("invoke-titan.json");
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public void Read_WhenJsonLinesExceedOneDelivery_ShouldSplitThemAndGiveTheSameIdsPlainOrGzipped()
    {
        // Arrange: 1,000 records, at most 64 per delivery.
        var file = JsonLines(1000, i => RecordAt(i));
        var chunking = new ExportChunking(MaxEvents: 64);

        // Act
        var plain = ReadAll(file, chunking);
        var gzipped = ReadAll(TestEvents.Gzip(file), chunking);

        // Assert
        Assert.Equal(16, plain.Count);
        Assert.All(plain, delivery => Assert.InRange(delivery.Ids.Count, 1, 64));
        Assert.Equal(1000, plain.Sum(d => d.Ids.Count));
        Assert.Equal(plain.SelectMany(d => d.Ids), gzipped.SelectMany(d => d.Ids));
        Assert.Equal(1000, plain.SelectMany(d => d.Ids).Distinct().Count());
        Assert.Equal("0", plain[0].Ids[0].Split('-')[1]);
        Assert.Equal("999", plain[^1].Ids[^1].Split('-')[1]);
        Assert.All(plain, delivery => Assert.Empty(delivery.Rejections));
    }

    [Fact]
    public void Read_WhenTheSameFileIsReadAgain_ShouldGiveTheSameDeliveriesAndWhenOneRecordChanges_ShouldChangeOnlyItsDeliverysIds()
    {
        var file = JsonLines(300, i => RecordAt(i));
        var changed = JsonLines(300, i => i == 250 ? RecordAt(i, "us.amazon.nova-pro-v1:0") : RecordAt(i));
        var chunking = new ExportChunking(MaxEvents: 100);

        var first = ReadAll(file, chunking);
        var again = ReadAll(file, chunking);
        var other = ReadAll(changed, chunking);

        Assert.Equal(first.Select(d => string.Join(',', d.Ids)), again.Select(d => string.Join(',', d.Ids)));
        Assert.Equal(first[0].Ids, other[0].Ids);
        Assert.Equal(first[1].Ids, other[1].Ids);
        Assert.NotEqual(first[2].Ids[0], other[2].Ids[0]);
    }

    [Fact]
    public void Read_WhenPrettyPrintedFilterLogEventsExport_ShouldStreamItsEventsInDeliveries()
    {
        // Arrange: what `aws logs filter-log-events` prints (indented), 300 events.
        var events = Enumerable.Range(0, 300).Select(i => new
        {
            logStreamName = "aws/bedrock/modelinvocations",
            timestamp = 1_795_000_000_000L + i,
            message = Encoding.UTF8.GetString(Record),
            ingestionTime = 1_795_000_000_100L + i,
            eventId = "3812" + i.ToString("D4", CultureInfo.InvariantCulture),
        }).ToArray();
        var file = JsonSerializer.SerializeToUtf8Bytes(new { events, searchedLogStreams = Array.Empty<object>() }, Indented);

        // Act
        var deliveries = ReadAll(file, new ExportChunking(MaxEvents: 50));

        // Assert
        Assert.Equal(6, deliveries.Count);
        Assert.Equal(events.Select(e => e.eventId), deliveries.SelectMany(d => d.Ids));
        Assert.Equal(1_795_000_000_299L, deliveries[^1].LastTimestamp);
        Assert.All(deliveries, d => Assert.Empty(d.Rejections));
        Assert.All(deliveries, d => Assert.True(d.MessagesEqual(Record)));
    }

    [Fact]
    public void Read_WhenAPrettyPrintedArraySpansLines_ShouldDecodeEachElement()
    {
        var file = Encoding.UTF8.GetBytes("[\n  " + Encoding.UTF8.GetString(Record) + ",\n  " + Encoding.UTF8.GetString(TestEvents.SubscriptionEvent(TestEvents.DataMessage([("s1", 5L, Record)]))) + "\n]\n");

        var deliveries = ReadAll(file, ExportChunking.Default);

        var single = Assert.Single(deliveries);
        Assert.Equal(2, single.Ids.Count);
        Assert.Equal("s1", single.Ids[1]);
        Assert.Empty(single.Rejections);
    }

    [Fact]
    public void Read_WhenLinesAreLongerThanTheReadBlock_ShouldKeepEachWhole()
    {
        // Arrange: two subscription events of ~2.5 MB each (incompressible prompts) between raw records.
        var random = new Random(3);
        var first = BigSubscriptionEvent(random, "a");
        var second = BigSubscriptionEvent(random, "b");
        var file = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(Record) + "\n" + Encoding.UTF8.GetString(first.Event) + "\n" + Encoding.UTF8.GetString(second.Event) + "\n" + Encoding.UTF8.GetString(Record));
        Assert.True(first.Event.Length > 2 * 1024 * 1024, $"the event should outgrow a 1 MB read, was {first.Event.Length} bytes");

        // Act
        var deliveries = ReadAll(TestEvents.Gzip(file), ExportChunking.Default);

        // Assert
        var ids = deliveries.SelectMany(d => d.Ids).ToList();
        Assert.Equal(2 + first.Count + second.Count, ids.Count);
        Assert.Equal("a0", ids[1]);
        Assert.Equal("b" + (second.Count - 1).ToString(CultureInfo.InvariantCulture), ids[^2]);
        Assert.All(deliveries, d => Assert.Empty(d.Rejections));
    }

    [Fact]
    public void Read_WhenALongLineIsNotJson_ShouldRejectItByNameAndKeepTheNextLines()
    {
        var file = Encoding.UTF8.GetBytes(new string('x', 3 * 1024 * 1024) + "\n" + Encoding.UTF8.GetString(Record) + "\n");

        var deliveries = ReadAll(file, ExportChunking.Default);

        var single = Assert.Single(deliveries);
        Assert.Single(single.Ids);
        Assert.Equal(RejectReasons.MessageTooLarge, Assert.Single(single.Rejections).Reason);
    }

    [Fact]
    public async Task Read_WhenTheConsumerHoldsHandedOverDeliveries_ShouldWaitAtTheChunkBudgetInsteadOfReadingAhead()
    {
        // Arrange: 16 MB of 32 KB records in 1 MB deliveries, chunks bounded to 4 MB, the consumer on another thread.
        var line = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Record).Replace("\"inputBodyJson\":{", "\"inputBodyJson\":{\"pad\":\"" + new string('p', 32 * 1024) + "\",", StringComparison.Ordinal) + "\n");
        var lines = (16L * 1024 * 1024) / line.Length;
        using var pool = new ChunkBudgetPool(4L * 1024 * 1024);
        var reader = new ExportFileReader(DecoderLimits.Default, new ExportChunking(MaxMessageBytes: 1024 * 1024), pool);
        using var handedOver = new BlockingCollection<DecodedDelivery>();
        var reading = Task.Run(() =>
        {
            try
            {
                reader.Read(new RepeatingStream(line, lines), handedOver.Add);
            }
            finally
            {
                handedOver.CompleteAdding();
            }
        });

        // Act: hold the first delivery until the reader waits for it (or, unbounded, has read the whole input).
        var first = handedOver.Take();
        SpinWait.SpinUntil(() => pool.IsWaiting || reading.IsCompleted);
        var waitedForTheConsumer = pool.IsWaiting && !reading.IsCompleted;
        var events = (long)first.Events.Count;
        first.Dispose();
        foreach (var delivery in handedOver.GetConsumingEnumerable())
        {
            events += delivery.Events.Count;
            delivery.Dispose();
        }

        await reading;

        // Assert: every record read, never more than the budget of chunks held, all of them back.
        Assert.True(waitedForTheConsumer, "the reader read the whole input while the consumer held its first delivery");
        Assert.Equal(lines, events);
        Assert.InRange(pool.PeakBytes, 1024 * 1024, 4L * 1024 * 1024);
        Assert.Equal(0, pool.OutstandingBytes);
    }

    [Fact]
    public void Read_WhenTheFileIsFarLargerThanADelivery_ShouldAllocateFarLessThanTheFile()
    {
        // Arrange: 64 MB of 32 KB records streamed from a generator (never held by the test).
        var line = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Record).Replace("\"inputBodyJson\":{", "\"inputBodyJson\":{\"pad\":\"" + new string('p', 32 * 1024) + "\",", StringComparison.Ordinal) + "\n");
        var lines = (64L * 1024 * 1024) / line.Length;
        var reader = new ExportFileReader(DecoderLimits.Default, new ExportChunking(MaxMessageBytes: 4L * 1024 * 1024));
        var events = 0L;
        var deliveries = 0;
        reader.Read(new RepeatingStream(line, lines), delivery =>
        {
            events += delivery.Events.Count;
            deliveries++;
            delivery.Dispose();
        });

        // Act: the same again, measured (the pooled buffers are warm now).
        var before = GC.GetAllocatedBytesForCurrentThread();
        reader.Read(new RepeatingStream(line, lines), delivery => delivery.Dispose());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: every record read, in ~4 MB deliveries, with allocations a small fraction of the 64 MB read.
        Assert.Equal(lines, events);
        Assert.InRange(deliveries, 16, 17);
        Assert.True(allocated < 8L * 1024 * 1024, $"reading 64 MB allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Read_WhenAnEventsExportIsCutShort_ShouldKeepTheEventsBeforeTheCutAndSayWhy()
    {
        var full = JsonSerializer.SerializeToUtf8Bytes(
            new { events = Enumerable.Range(0, 10).Select(i => new { eventId = "e" + i.ToString(CultureInfo.InvariantCulture), timestamp = 1L + i, message = Encoding.UTF8.GetString(Record) }) },
            Indented);
        var cut = full[..(full.Length * 2 / 3)];

        var deliveries = ReadAll(cut, ExportChunking.Default);

        var single = Assert.Single(deliveries);
        Assert.InRange(single.Ids.Count, 5, 7);
        Assert.Equal(RejectReasons.InvalidPayloadJson, Assert.Single(single.Rejections).Reason);
    }

    [Fact]
    public void Read_WhenOneReaderReadsTwoFiles_ShouldCountTheBytesOfBoth()
    {
        // Arrange: a plain file and a gzipped one; replay reads every file with one reader and its
        // progress and stage report divide by these totals.
        var plain = JsonLines(40, i => RecordAt(i));
        var second = JsonLines(25, i => RecordAt(i + 40));
        var gzipped = TestEvents.Gzip(second);
        var reader = new ExportFileReader(DecoderLimits.Default, new ExportChunking(MaxEvents: 16));

        // Act
        reader.Read(new MemoryStream(plain, writable: false), delivery => delivery.Dispose());
        var afterFirst = (reader.InputBytesRead, reader.DecompressedBytesRead);
        reader.Read(new MemoryStream(gzipped, writable: false), delivery => delivery.Dispose());

        // Assert: input bytes are the files' sizes on disk; decompressed bytes the plain JSON of both.
        Assert.Equal((plain.LongLength, plain.LongLength), afterFirst);
        Assert.Equal(plain.LongLength + gzipped.LongLength, reader.InputBytesRead);
        Assert.Equal(plain.LongLength + second.LongLength, reader.DecompressedBytesRead);
    }

    [Fact]
    public void Progress_WhenAQuarterIsReadAfterTenSeconds_ShouldShowRateShareAndEta()
    {
        var line = GenAiObs.Cli.ReplayCommand.Progress(events: 10_000, read: 25L << 20, decompressed: 200L << 20, inputBytes: 100L << 20, elapsed: TimeSpan.FromSeconds(10));

        Assert.Equal("… 10,000 records, 25 of 100 MB read (200 MB decompressed), 1,000 records/s, 25%, ETA 30 s", line.Replace("25 %", "25%", StringComparison.Ordinal));
    }

    // ---- Helpers

    private static byte[] RecordAt(int index, string model = "amazon.titan-text-express-v1") =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Record)
            .Replace("\"requestId\":\"", "\"requestId\":\"" + index.ToString(CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal)
            .Replace("amazon.titan-text-express-v1", model, StringComparison.Ordinal));

    private static byte[] JsonLines(int count, Func<int, byte[]> line)
    {
        using var stream = new MemoryStream();
        for (var i = 0; i < count; i++)
        {
            stream.Write(line(i));
            stream.WriteByte((byte)'\n');
        }

        return stream.ToArray();
    }

    private static (byte[] Event, int Count) BigSubscriptionEvent(Random random, string idPrefix)
    {
        var events = new List<(string, long, byte[])>();
        for (var i = 0; i < 40; i++)
        {
            var noise = new byte[48 * 1024];
            random.NextBytes(noise);
            var message = Encoding.UTF8.GetBytes("{\"schemaType\":\"ModelInvocationLog\",\"noise\":\"" + Convert.ToBase64String(noise) + "\"}");
            events.Add((idPrefix + i.ToString(CultureInfo.InvariantCulture), 1_795_000_000_000L + i, message));
        }

        return (TestEvents.SubscriptionEvent(TestEvents.DataMessage(events)), events.Count);
    }

    private static List<Summary> ReadAll(byte[] file, ExportChunking chunking)
    {
        var deliveries = new List<Summary>();
        new ExportFileReader(DecoderLimits.Default, chunking).Read(new MemoryStream(file, writable: false), delivery =>
        {
            using (delivery)
            {
                deliveries.Add(new Summary(
                    delivery.Events.Select(e => e.Id).ToList(),
                    delivery.Rejections.ToList(),
                    delivery.Events.Count > 0 ? delivery.Events[^1].TimestampMs : 0,
                    delivery.Events.Select(e => e.Message.ToArray()).ToList()));
            }
        });
        return deliveries;
    }

    private sealed record Summary(List<string> Ids, List<Rejection> Rejections, long LastTimestamp, List<byte[]> Messages)
    {
        public bool MessagesEqual(byte[] expected) => Messages.All(m => m.AsSpan().SequenceEqual(expected));
    }

    /// <summary>A read-only stream of <c>count</c> copies of <c>line</c>, produced as it is read.</summary>
    private sealed class RepeatingStream(byte[] line, long count) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => line.Length * count;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < Length)
            {
                var inLine = (int)(_position % line.Length);
                var take = Math.Min(buffer.Length - written, line.Length - inLine);
                line.AsSpan(inLine, take).CopyTo(buffer[written..]);
                written += take;
                _position += take;
            }

            return written;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
