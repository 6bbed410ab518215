using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GenAiObs.Tests.Delivery;

internal sealed record LoopbackRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string Path => Target.Split('?')[0];

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

internal sealed record LoopbackResponse(int Status, string Body = "", string ContentType = "text/plain", IReadOnlyList<KeyValuePair<string, string>>? Headers = null);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (ephemeral port) for contract tests: it records each
/// request byte for byte and answers with whatever the test's handler returns. One request per
/// connection (Connection: close) keeps the parser trivial.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<LoopbackRequest, LoopbackResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<LoopbackRequest> Requests { get; } = new();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
            {
                var read = await stream.ReadAsync(chunk);
                if (read == 0)
                {
                    return;
                }

                buffer.Write(chunk, 0, read);
            }

            var all = buffer.ToArray();
            var head = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
            var requestLine = head[0].Split(' ');
            var headers = head.Skip(1)
                .Select(line => line.Split(':', 2))
                .Select(parts => new KeyValuePair<string, string>(parts[0], parts.Length > 1 ? parts[1].Trim() : string.Empty))
                .ToList();
            var length = int.Parse(headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value ?? "0", CultureInfo.InvariantCulture);
            var body = new MemoryStream();
            body.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
            while (body.Length < length)
            {
                var read = await stream.ReadAsync(chunk);
                if (read == 0)
                {
                    break;
                }

                body.Write(chunk, 0, read);
            }

            var request = new LoopbackRequest(requestLine[0], requestLine[1], headers, body.ToArray());
            Requests.Enqueue(request);
            LoopbackResponse response;
            try
            {
                response = _handler(request);
            }
            catch (Exception ex)
            {
                response = new LoopbackResponse(599, "handler failed: " + ex.Message);
            }

            var payload = Encoding.UTF8.GetBytes(response.Body);
            var text = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} Status\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Type: {response.ContentType}\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Length: {payload.Length}\r\n")
                .Append("Connection: close\r\n");
            foreach (var (name, value) in response.Headers ?? [])
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
            }

            text.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
            await stream.WriteAsync(payload);
            await stream.FlushAsync();
        }
    }

    private static int IndexOfHeaderEnd(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer();
        for (var i = 0; i + 3 < buffer.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Records requested waits instead of sleeping.</summary>
internal sealed class RecordingDelay
{
    public List<TimeSpan> Waits { get; } = [];

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        lock (Waits)
        {
            Waits.Add(delay);
        }

        return Task.CompletedTask;
    }
}
