using System.Globalization;
using System.Text;

namespace GenAiObs.Testing.Http;

// Shared by the test project's loopback servers and, linked as source, by the benchmark
// program's loopback servers, so the two never carry diverging copies of the HTTP parsing.

/// <summary>One HTTP/1.1 request as a loopback test server received it.</summary>
internal sealed record HttpRequest(string Method, string Path, Dictionary<string, string> Headers, byte[] Body);

/// <summary>Reads HTTP/1.1 requests (Content-Length or chunked bodies) from one keep-alive connection.</summary>
internal sealed class HttpRequestReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public HttpRequestReader(Stream stream)
    {
        _stream = stream;
    }

    public async Task<HttpRequest?> ReadAsync(CancellationToken cancellationToken)
    {
        var requestLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (requestLine is null)
        {
            return null;
        }

        var parts = requestLine.Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body;
        if (headers.TryGetValue("Content-Length", out var length))
        {
            body = await ReadExactAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var collected = new MemoryStream();
            while (true)
            {
                var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("truncated chunk");
                var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }

                collected.Write(await ReadExactAsync(size, cancellationToken).ConfigureAwait(false));
                await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }

            body = collected.ToArray();
        }
        else
        {
            body = [];
        }

        return new HttpRequest(parts[0], parts[1], headers, body);
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return line.Count == 0 ? null : throw new IOException("connection closed mid-line");
            }

            var b = _buffer[_start++];
            if (b == '\n')
            {
                if (line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                }

                return Encoding.ASCII.GetString(line.ToArray());
            }

            line.Add(b);
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("connection closed mid-body");
            }

            var take = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }
}
