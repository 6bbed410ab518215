using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GenAiObs.Testing.Http;

namespace GenAiObs.Benchmarks;

/// <summary>An HTTP request as the loopback server read it.</summary>
public sealed record LoopbackRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>What the handler answers.</summary>
public sealed record LoopbackResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static LoopbackResponse Json(int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, Encoding.UTF8.GetBytes(body), headers);
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (OS-chosen port; keep-alive; Content-Length or chunked
/// request bodies) handing every request to one async handler — the same pattern as the test
/// project's LoopbackRuntimeApi. Used as the Lambda Runtime API for cold-start runs and as a
/// request-counting DynamoDB endpoint for the verification mode.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<LoopbackRequest, CancellationToken, Task<LoopbackResponse>> _handler;
    private readonly List<TcpClient> _clients = [];
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(Func<LoopbackRequest, CancellationToken, Task<LoopbackResponse>> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = AcceptAsync();
    }

    /// <summary>host:port.</summary>
    public string Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped under the accept call.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            client.NoDelay = true;
            lock (_clients)
            {
                _clients.Add(client);
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                var reader = new HttpRequestReader(stream);
                while (!_stop.IsCancellationRequested)
                {
                    var request = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                    if (request is null)
                    {
                        return;
                    }

                    var response = await _handler(new LoopbackRequest(request.Method, request.Path, request.Headers, request.Body), _stop.Token).ConfigureAwait(false);
                    await WriteAsync(stream, response).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The peer went away (a killed process) or the server is stopping.
        }
    }

    private static async Task WriteAsync(NetworkStream stream, LoopbackResponse response)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {(response.Status < 300 ? "OK" : "Error")}\r\n");
        var headers = response.Headers ?? new Dictionary<string, string>();
        if (!headers.ContainsKey("Content-Type"))
        {
            head.Append("Content-Type: application/json\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString())).ConfigureAwait(false);
        await stream.WriteAsync(response.Body).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }
}
