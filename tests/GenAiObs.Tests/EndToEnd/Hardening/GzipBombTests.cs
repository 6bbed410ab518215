using GenAiObs.Cli.Export;
using System.IO.Compression;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// A decompression bomb (200 MB of zeros in ~200 KB of gzip) against the 64 MB cap: the delivery
/// is rejected by name and decoding it allocates a small fraction of the cap, not the bomb.
/// </summary>
public sealed class GzipBombTests
{
    private const long BombBytes = 200L * 1024 * 1024;

    // Built once: compressing 200 MB of zeros takes a moment, and every test reads the same bytes.
    private static readonly Lazy<byte[]> Bomb = new(() => BuildBomb(BombBytes, honestTrailer: true));
    private static readonly Lazy<byte[]> ForgedBomb = new(() => BuildBomb(BombBytes, honestTrailer: false));

    [Fact]
    public void DecodeLambdaEvent_WhenPayloadIsAGzipBomb_ShouldRejectItWithBoundedAllocation()
    {
        // Arrange
        var lambdaEvent = System.Text.Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + Convert.ToBase64String(Bomb.Value) + "\"}}");

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.True(Bomb.Value.Length < 1024 * 1024, $"the bomb should be small on the wire, was {Bomb.Value.Length} bytes");
        var rejection = Assert.Single(delivery.Rejections);
        Assert.Equal((null, RejectReasons.DecompressedTooLarge), (rejection.EventId, rejection.Reason));
        Assert.Empty(delivery.Events);
        Assert.True(allocated < DecoderLimits.Default.MaxDecompressedBytes / 8, $"decoding the bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void DecodeLambdaEvent_WhenPoolsAreWarm_ShouldMeasureABombWithinTheScratchBuffer()
    {
        // Arrange: docs/operations.md says a bomb is measured in a pooled 64 KB scratch buffer; once the
        // pools are warm (every Lambda invocation after the first), rejecting one allocates less
        // than that buffer — not the 64 MB cap, not the 200 MB of zeros.
        var lambdaEvent = System.Text.Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + Convert.ToBase64String(Bomb.Value) + "\"}}");
        LambdaEventDecoder.Decode(lambdaEvent).Dispose();

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.Equal(RejectReasons.DecompressedTooLarge, Assert.Single(delivery.Rejections).Reason);
        Assert.True(allocated < 64 * 1024, $"rejecting the bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void DecodeFile_WhenTheBombForgesASmallSizeInItsTrailer_ShouldStillStopAtTheCap()
    {
        // Arrange: the gzip trailer claims 1 KB; only inflating can tell the truth.
        var bomb = ForgedBomb.Value;

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var delivery = ExportFileReader.ReadWhole(bomb);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: rejected, and never more than the cap's worth of buffer (not the bomb's 200 MB).
        Assert.Equal(RejectReasons.DecompressedTooLarge, Assert.Single(delivery.Rejections).Reason);
        Assert.True(allocated < DecoderLimits.Default.MaxDecompressedBytes / 8, $"decoding the forged bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void ProcessLambdaEvent_WhenABombIsOneOfTwoKinesisRecords_ShouldKeepTheOtherRecordsEvents()
    {
        // Arrange
        var good = TestEvents.GzipBase64(TestEvents.DataMessage(TestEvents.CompactFixture("converse-anthropic.json")));
        var lambdaEvent = TestEvents.KinesisEvent(Convert.ToBase64String(Bomb.Value), good);

        // Act
        var result = new BatchProcessor(PriceTable.LoadDefault()).ProcessLambdaEvent(lambdaEvent);

        // Assert
        Assert.Single(result.Invocations);
        Assert.Equal(RejectReasons.DecompressedTooLarge, Assert.Single(result.Rejections).Reason);
    }

    [Fact]
    public void DecodeLambdaEvent_WhenPayloadIsJustUnderTheCap_ShouldDecodeIt()
    {
        // Arrange: a legitimate payload padded with whitespace to within 1 KB of a 4 MB cap.
        var limits = new DecoderLimits(MaxDecompressedBytes: 4L * 1024 * 1024);
        var payload = TestEvents.DataMessage(TestEvents.CompactFixture("converse-anthropic.json"));
        var padded = new byte[limits.MaxDecompressedBytes - 1024];
        payload.CopyTo(padded, 0);
        padded.AsSpan(payload.Length).Fill((byte)' ');

        // Act
        using var delivery = LambdaEventDecoder.Decode(TestEvents.SubscriptionEvent(padded), limits);

        // Assert
        Assert.Empty(delivery.Rejections);
        Assert.Single(delivery.Events);
    }

    /// <summary>gzip of <paramref name="size"/> zero bytes; optionally with a trailer (ISIZE) that lies.</summary>
    internal static byte[] BuildBomb(long size, bool honestTrailer)
    {
        var zeros = new byte[1024 * 1024];
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (long written = 0; written < size; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        var bytes = output.ToArray();
        if (!honestTrailer)
        {
            // RFC 1952: the last four bytes are ISIZE, the uncompressed length mod 2^32 (little endian).
            BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 4), 1024u);
        }

        return bytes;
    }
}
