using System.IO.Compression;
using GenAiObs.Cli.Export;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// The gzip read-ahead: the same bytes in the same chunks as reading the source directly, and a
/// corrupt source fails at the same place.
/// </summary>
public sealed class ReadAheadStreamTests
{
    [Fact]
    public void Read_WhenTheSourceSpansManyBlocks_ShouldGiveTheChunksOfADirectRead()
    {
        // Arrange: 3.5 MB of gzipped data, read the way ByteWindow reads.
        var data = new byte[(7 << 20) / 2];
        new Random(7).NextBytes(data.AsSpan(0, data.Length / 2));
        var gzip = Gzip(data);

        // Act
        var direct = Chunks(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress));
        var readAhead = Chunks(new ReadAheadStream(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress)));

        // Assert
        Assert.Equal(direct.Select(chunk => chunk.Length), readAhead.Select(chunk => chunk.Length));
        Assert.Equal(data, readAhead.SelectMany(chunk => chunk).ToArray());
    }

    [Fact]
    public void Read_WhenTheGzipIsCorrupt_ShouldGiveTheBytesBeforeTheDamageThenThrowInvalidData()
    {
        // Arrange: damage in the middle of the compressed stream.
        var random = new Random(11);
        var data = new byte[3 << 20];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + random.Next(8));
        }

        var gzip = Gzip(data);
        gzip.AsSpan(gzip.Length / 2, 64).Fill(0xFF);

        // Act
        var direct = ReadUntilFailure(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress));
        var readAhead = ReadUntilFailure(new ReadAheadStream(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress)));

        // Assert
        Assert.IsType<InvalidDataException>(readAhead.Failure);
        Assert.IsType<InvalidDataException>(direct.Failure);
        Assert.True(readAhead.Bytes > 0);
        Assert.Equal(direct.Bytes, readAhead.Bytes);
    }

    [Fact]
    public void Dispose_WhenTheCallerStopsEarly_ShouldStopTheReadAheadAndDisposeTheSource()
    {
        // Arrange: far more data than the read-ahead holds.
        var source = new TrackingStream(new byte[32 << 20]);
        var stream = new ReadAheadStream(source);
        var buffer = new byte[ByteWindow.ReadBytes];

        // Act
        var read = stream.Read(buffer);
        stream.Dispose();

        // Assert
        Assert.Equal(ByteWindow.ReadBytes, read);
        Assert.True(source.Disposed);
        Assert.InRange(source.PositionAtDispose, ByteWindow.ReadBytes, 8L * ByteWindow.ReadBytes);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Reads to the end as ByteWindow does (1 MB asked each time), keeping each read's bytes.</summary>
    private static List<byte[]> Chunks(Stream stream)
    {
        using (stream)
        {
            var chunks = new List<byte[]>();
            var buffer = new byte[ByteWindow.ReadBytes];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                chunks.Add(buffer[..read]);
            }

            return chunks;
        }
    }

    private static (long Bytes, Exception? Failure) ReadUntilFailure(Stream stream)
    {
        using (stream)
        {
            var buffer = new byte[ByteWindow.ReadBytes];
            long total = 0;
            try
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    total += read;
                }
            }
            catch (Exception ex)
            {
                return (total, ex);
            }

            return (total, null);
        }
    }

    private sealed class TrackingStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public bool Disposed { get; private set; }

        public long PositionAtDispose { get; private set; }

        protected override void Dispose(bool disposing)
        {
            if (!Disposed)
            {
                PositionAtDispose = Position;
            }

            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
