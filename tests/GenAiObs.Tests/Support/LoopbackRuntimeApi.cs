using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using GenAiObs.Testing.Http;

namespace GenAiObs.Tests.Runtime;

/// <summary>An invocation the test server hands out on <c>next</c>.</summary>
internal sealed record QueuedInvocation(
    string RequestId,
    byte[] Event,
    long DeadlineMs,
    string? TraceId = null,
    string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:genai-obs-test",
    int StatusCode = 200,
    int ResponseStatusCode = 202);

/// <summary>What the runtime posted back: a response, an invocation error or an init error.</summary>
internal sealed record PostedResult(string Kind, string? RequestId, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port chosen by the OS, held for the server's
/// life so parallel tests never race for it) implementing the Lambda Runtime API contract
/// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): <c>next</c> long-polls a queue, <c>response</c>/<c>error</c>/<c>init/error</c>
/// are recorded and answered 202.
/// </summary>
internal sealed class LoopbackRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<QueuedInvocation> _queue = Channel.CreateUnbounded<QueuedInvocation>();
    private readonly Channel<PostedResult> _posted = Channel.CreateUnbounded<PostedResult>();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly ConcurrentDictionary<string, int> _responseStatus = new(StringComparer.Ordinal);
    private readonly Task _acceptLoop;
    private int _nextRequests;

    public LoopbackRuntimeApi()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = AcceptAsync();
    }

    /// <summary>The value for <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Address { get; }

    /// <summary>How many <c>next</c> requests arrived (including the one waiting now).</summary>
    public int NextRequests => Volatile.Read(ref _nextRequests);

    public void Enqueue(QueuedInvocation invocation) => _queue.Writer.TryWrite(invocation);

    /// <summary>The next posted result, in arrival order.</summary>
    public async Task<PostedResult> NextPostAsync(TimeSpan? timeout = null) =>
        await _posted.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The listener was stopped under the accept call.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _clients.Add(client);
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

                    await HandleAsync(request, stream).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (IOException)
        {
            // The runtime closed the connection (for example, the process exited).
        }
    }

    private async Task HandleAsync(HttpRequest request, NetworkStream stream)
    {
        if (!request.Path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            await WriteAsync(stream, 404, "{\"errorMessage\":\"not found\"}", null).ConfigureAwait(false);
            return;
        }

        var route = request.Path[Prefix.Length..];
        if (request.Method == "GET" && route == "invocation/next")
        {
            Interlocked.Increment(ref _nextRequests);
            var invocation = await _queue.Reader.ReadAsync(_stop.Token).ConfigureAwait(false);
            _responseStatus[invocation.RequestId] = invocation.ResponseStatusCode;
            if (invocation.StatusCode != 200)
            {
                await WriteAsync(stream, invocation.StatusCode, "{\"errorMessage\":\"injected\",\"errorType\":\"Test\"}", null).ConfigureAwait(false);
                return;
            }

            var headers = new Dictionary<string, string>
            {
                ["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId,
                ["Lambda-Runtime-Deadline-Ms"] = invocation.DeadlineMs.ToString(CultureInfo.InvariantCulture),
                ["Lambda-Runtime-Invoked-Function-Arn"] = invocation.FunctionArn,
            };
            if (invocation.TraceId is not null)
            {
                headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
            }

            await WriteAsync(stream, 200, invocation.Event, headers).ConfigureAwait(false);
            return;
        }

        if (request.Method == "POST" && route == "init/error")
        {
            _posted.Writer.TryWrite(new PostedResult("init-error", null, request.Body, request.Headers));
            await WriteAsync(stream, 202, "{\"status\":\"OK\"}", null).ConfigureAwait(false);
            return;
        }

        var parts = route.Split('/');
        if (request.Method == "POST" && parts.Length == 3 && parts[0] == "invocation" && parts[2] is "response" or "error")
        {
            var requestId = Uri.UnescapeDataString(parts[1]);
            _posted.Writer.TryWrite(new PostedResult(parts[2], requestId, request.Body, request.Headers));
            var status = parts[2] == "response" ? _responseStatus.GetValueOrDefault(requestId, 202) : 202;
            await WriteAsync(stream, status, status == 202 ? "{\"status\":\"OK\"}" : "{\"errorMessage\":\"refused\",\"errorType\":\"Test\"}", null).ConfigureAwait(false);
            return;
        }

        await WriteAsync(stream, 404, "{\"errorMessage\":\"not found\"}", null).ConfigureAwait(false);
    }

    private static Task WriteAsync(NetworkStream stream, int status, string body, Dictionary<string, string>? headers) =>
        WriteAsync(stream, status, Encoding.UTF8.GetBytes(body), headers);

    private static async Task WriteAsync(NetworkStream stream, int status, byte[] body, Dictionary<string, string>? headers)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n");
        head.Append("Content-Type: application/json\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        foreach (var (name, value) in headers ?? [])
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString())).ConfigureAwait(false);
        await stream.WriteAsync(body).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        202 => "Accepted",
        404 => "Not Found",
        413 => "Payload Too Large",
        500 => "Internal Server Error",
        _ => "Status",
    };
}
