using System.Globalization;
using System.Text;
using GenAiObs.Cli;
using GenAiObs.Cli.Export;
using GenAiObs.Core.Envelopes;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// replay's read-ahead: files read on reader threads of their own, handed over in file order, so
/// the consumer sees exactly what one sequential reader would give it.
/// </summary>
public sealed class ExportReadAheadTests : IDisposable
{
    private static readonly byte[] Record = TestEvents.CompactFixture("invoke-titan.json");
    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-readahead-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ReadAllAsync_WhenManyFilesAreReadByTwoThreads_ShouldYieldTheSequentialReadersDeliveriesInFileOrder()
    {
        // Arrange: seven files of different sizes (the threads finish them at different times), one gzipped.
        var sizes = new[] { 5, 9, 2, 12, 6, 1, 8 };
        var files = sizes.Select((records, i) => WriteFile(i, records, gzip: i == 3)).ToList();
        var expected = new List<string>();
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            new ExportFileReader(DecoderLimits.Default).Read(stream, delivery =>
            {
                using (delivery)
                {
                    expected.AddRange(Describe(delivery));
                }
            });
        }

        long readingTicks = 0;

        // Act
        var actual = new List<string>();
        var readAhead = new ExportReadAhead(files, DecoderLimits.Default, ticks => Interlocked.Add(ref readingTicks, ticks));
        await using (readAhead)
        {
            await foreach (var delivery in readAhead.ReadAllAsync())
            {
                using (delivery)
                {
                    actual.AddRange(Describe(delivery));
                }
            }
        }

        // Assert
        Assert.Equal(sizes.Sum(), expected.Count);
        Assert.Equal(expected, actual);
        Assert.True(readingTicks > 0);
        Assert.Equal(files.Sum(file => new FileInfo(file).Length), readAhead.InputBytesRead);
    }

    [Fact]
    public async Task ReadAllAsync_WhenALaterFileCannotBeRead_ShouldYieldTheFilesBeforeItThenThrowAUsageError()
    {
        // Arrange: the third input is a directory, which cannot be opened as a file.
        var files = new List<string> { WriteFile(0, records: 3, gzip: false), WriteFile(1, records: 4, gzip: false), Directory.CreateDirectory(Path.Combine(_directory, "not-a-file")).FullName, WriteFile(3, records: 2, gzip: false) };
        var events = 0;

        // Act
        var readAhead = new ExportReadAhead(files, DecoderLimits.Default, _ => { });
        var failure = await Assert.ThrowsAsync<CliUsageException>(async () =>
        {
            await using (readAhead)
            {
                await foreach (var delivery in readAhead.ReadAllAsync())
                {
                    using (delivery)
                    {
                        events += delivery.Events.Count;
                    }
                }
            }
        });

        // Assert
        Assert.Equal(7, events);
        Assert.StartsWith("cannot read input:", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Each event as "id message", the content a consumer sees.</summary>
    private static IEnumerable<string> Describe(DecodedDelivery delivery) =>
        delivery.Events.Select(e => e.Id + " " + Encoding.UTF8.GetString(e.Message.Span));

    /// <summary>A JSON Lines file of <paramref name="records"/> records whose request ids name the file and the line.</summary>
    private string WriteFile(int file, int records, bool gzip)
    {
        var text = new StringBuilder();
        for (var i = 0; i < records; i++)
        {
            text.Append(Encoding.UTF8.GetString(Record).Replace("\"requestId\":\"", "\"requestId\":\"" + file.ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal)).Append('\n');
        }

        var path = Path.Combine(_directory, "file-" + file.ToString(CultureInfo.InvariantCulture) + (gzip ? ".jsonl.gz" : ".jsonl"));
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        File.WriteAllBytes(path, gzip ? TestEvents.Gzip(bytes) : bytes);
        return path;
    }
}
