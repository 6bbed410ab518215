using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>floor FILE.jsonl.gz</c>: the least any replay of a JSON Lines export can do — gunzip, then
/// one <see cref="Utf8JsonReader"/> pass over every line, nothing else (no copy, no parse, no
/// allocation per record). The end-to-end benchmark compares replay's wall time with this program's.
/// </summary>
public static class FloorMode
{
    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length != 1)
        {
            output.WriteLine("usage: floor FILE.jsonl.gz");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        using var file = new FileStream(args[0], FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var buffer = new byte[4 << 20];
        var filled = 0;
        long lines = 0;
        long tokens = 0;
        long bytes = 0;
        int read;
        while ((read = gzip.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += read;
            bytes += read;
            var consumed = 0;
            int newline;
            while ((newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n')) >= 0)
            {
                tokens += Tokens(buffer.AsSpan(consumed, newline));
                lines++;
                consumed += newline + 1;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        if (filled > 0)
        {
            tokens += Tokens(buffer.AsSpan(0, filled));
            lines++;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"floor: {lines} lines, {tokens} tokens, {bytes / 1048576.0:F1} MB in {clock.Elapsed.TotalSeconds:F3} s"));
        return 0;
    }

    private static long Tokens(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        long count = 0;
        while (reader.Read())
        {
            count++;
        }

        return count;
    }
}
