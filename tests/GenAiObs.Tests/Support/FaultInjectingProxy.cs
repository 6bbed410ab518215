using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GenAiObs.Tests.Hardening;

/// <summary>An answer the proxy gives instead of forwarding.</summary>
internal sealed record ProxyFault(int Status, string Type)
{
    /// <summary>DynamoDB throttling: HTTP 400 with the JSON 1.0 error type.</summary>
    public static ProxyFault Throttled { get; } = new(400, "ProvisionedThroughputExceededException");

    public static ProxyFault ServerError { get; } = new(500, "InternalServerError");

    public static ProxyFault Unavailable { get; } = new(503, "ServiceUnavailable");

    public byte[] Response()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"__type":"com.amazonaws.dynamodb.v20120810#{{Type}}","message":"injected by the test proxy"}""");
        var head = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {Status} Injected\r\nx-amzn-RequestId: INJECTED{Guid.NewGuid():N}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {body.Length}\r\nConnection: keep-alive\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }
}

/// <summary>
/// A loopback HTTP/1.1 proxy in front of a real DynamoDB-compatible server (dynalite) that can
/// play the server's bad days: refuse connections (as if stopped), hold requests until the test
/// lets them through (slow: they still reach the server afterwards, as a late write does), and
/// answer throttling or 5xx instead of forwarding — for the next N requests or a seeded fraction,
/// optionally of one operation (X-Amz-Target). Keep-alive connections are served request by
/// request; bodies are framed by Content-Length (what the SDK and dynalite use).
/// </summary>
internal sealed class FaultInjectingProxy : IAsyncDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly int _port;
    private readonly Lock _lock = new();
    private readonly Queue<(string? Operation, Func<string, bool>? Body, ProxyFault Fault)> _next = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _injected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _forwarded = new(StringComparer.Ordinal);
    private (double Fraction, ProxyFault Fault, Random Random, string? Operation)? _fraction;
    private (string? Operation, int Left)? _hold;
    private TaskCompletionSource _release = NewSignal();
    private TaskCompletionSource _held = NewSignal();
    private readonly List<(string Operation, int Count, TaskCompletionSource Signal)> _forwardWaiters = [];
    private int _heldCount;
    private int _heldTarget = int.MaxValue;
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    public FaultInjectingProxy(Uri upstream)
    {
        var addresses = Dns.GetHostAddresses(upstream.Host);
        _upstream = new IPEndPoint(addresses.First(a => a.AddressFamily == AddressFamily.InterNetwork), upstream.Port);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        StartAccepting();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{_port}");

    public string EndpointUrl => Endpoint.ToString().TrimEnd('/');

    /// <summary>Requests that reached the proxy, by operation (e.g. <c>UpdateItem</c>).</summary>
    public int Seen(string operation) => _seen.GetValueOrDefault(operation);

    public int Injected(string operation) => _injected.GetValueOrDefault(operation);

    public int Forwarded(string operation) => _forwarded.GetValueOrDefault(operation);

    /// <summary>Completes once <paramref name="count"/> requests of <paramref name="operation"/> have been answered by the server.</summary>
    public Task ForwardedAtLeastAsync(string operation, int count, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (Forwarded(operation) >= count)
            {
                return Task.CompletedTask;
            }

            var signal = NewSignal();
            _forwardWaiters.Add((operation, count, signal));
            return signal.Task.WaitAsync(timeout);
        }
    }

    /// <summary>Stops listening and drops every open connection: clients get "connection refused", as with a stopped server.</summary>
    public void StopAccepting()
    {
        lock (_lock)
        {
            _stop.Cancel();
            _listener?.Stop();
            _listener = null;
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void StartAccepting()
    {
        lock (_lock)
        {
            if (_listener is not null)
            {
                return;
            }

            _stop = new CancellationTokenSource();
            var listener = new TcpListener(IPAddress.Loopback, _port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _ = AcceptAsync(listener, _stop.Token);
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (of <paramref name="operation"/>, or any; and
    /// when <paramref name="body"/> is given, only those whose body text it accepts) get <paramref name="fault"/>.
    /// </summary>
    public void FailNext(int count, ProxyFault fault, string? operation = null, Func<string, bool>? body = null)
    {
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _next.Enqueue((operation, body, fault));
            }
        }
    }

    /// <summary>Each request (of <paramref name="operation"/>, or any) gets <paramref name="fault"/> with this probability (seeded).</summary>
    public void FailFraction(double fraction, ProxyFault fault, int seed, string? operation = null)
    {
        lock (_lock)
        {
            _fraction = (fraction, fault, new Random(seed), operation);
        }
    }

    /// <summary>Back to forwarding everything (pending FailNext faults and fractions dropped).</summary>
    public void Heal()
    {
        lock (_lock)
        {
            _next.Clear();
            _fraction = null;
        }
    }

    /// <summary>Holds the next <paramref name="count"/> requests of <paramref name="operation"/> until <see cref="ReleaseHeld"/>.</summary>
    public void HoldNext(int count, string? operation = null)
    {
        lock (_lock)
        {
            _hold = (operation, count);
            _heldCount = 0;
            _heldTarget = count;
            _held = NewSignal();
            _release = NewSignal();
        }
    }

    /// <summary>Completes when every request asked for by <see cref="HoldNext"/> is being held.</summary>
    public Task AllHeldAsync(TimeSpan timeout) => _held.Task.WaitAsync(timeout);

    /// <summary>Lets held requests through to the server (their responses go to whoever still listens).</summary>
    public void ReleaseHeld()
    {
        lock (_lock)
        {
            _hold = null;
            _release.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseHeld();
        StopAccepting();
        await Task.Yield();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _connections[client] = 0;
            _ = Task.Run(() => ServeAsync(client), CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        TcpClient? upstream = null;
        try
        {
            var clientStream = client.GetStream();
            var fromClient = new HttpFrameReader(clientStream);
            HttpFrameReader? fromUpstream = null;
            while (await fromClient.ReadMessageAsync() is { } request)
            {
                var operation = request.Header("X-Amz-Target") is { } target ? target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..] : "(none)";
                _seen.AddOrUpdate(operation, 1, (_, n) => n + 1);
                var (fault, hold) = Decide(operation, request);
                if (fault is not null)
                {
                    _injected.AddOrUpdate(operation, 1, (_, n) => n + 1);
                    await clientStream.WriteAsync(fault.Response());
                    continue;
                }

                if (hold is not null)
                {
                    await hold;
                }

                if (upstream is null)
                {
                    upstream = new TcpClient();
                    await upstream.ConnectAsync(_upstream);
                    fromUpstream = new HttpFrameReader(upstream.GetStream());
                }

                await upstream.GetStream().WriteAsync(request.Raw);
                var response = await fromUpstream!.ReadMessageAsync() ?? throw new IOException("upstream closed the connection");
                CountForwarded(operation);
                await clientStream.WriteAsync(response.Raw);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The client went away (or the proxy was stopped under it).
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private void CountForwarded(string operation)
    {
        lock (_lock)
        {
            var forwarded = _forwarded.AddOrUpdate(operation, 1, (_, n) => n + 1);
            foreach (var waiter in _forwardWaiters.Where(w => w.Operation == operation && forwarded >= w.Count).ToList())
            {
                waiter.Signal.TrySetResult();
                _forwardWaiters.Remove(waiter);
            }
        }
    }

    private (ProxyFault? Fault, Task? Hold) Decide(string operation, HttpFrame request)
    {
        lock (_lock)
        {
            if (_hold is { } hold && (hold.Operation is null || hold.Operation == operation) && hold.Left > 0)
            {
                _hold = hold.Left > 1 ? (hold.Operation, hold.Left - 1) : null;
                if (++_heldCount >= _heldTarget)
                {
                    _held.TrySetResult();
                }

                return (null, _release.Task);
            }

            if (_next.TryPeek(out var next) && (next.Operation is null || next.Operation == operation) && (next.Body is null || next.Body(request.BodyText)))
            {
                _next.Dequeue();
                return (next.Fault, null);
            }

            if (_fraction is { } fraction && (fraction.Operation is null || fraction.Operation == operation) && fraction.Random.NextDouble() < fraction.Fraction)
            {
                return (fraction.Fault, null);
            }

            return (null, null);
        }
    }
}

/// <summary>One HTTP/1.1 message as read off the wire: its head and the raw bytes (head and body).</summary>
internal sealed record HttpFrame(string Head, byte[] Raw)
{
    /// <summary>The body (after the head), as UTF-8 text.</summary>
    public string BodyText
    {
        get
        {
            var start = Encoding.ASCII.GetByteCount(Head) + 4;
            return start >= Raw.Length ? string.Empty : Encoding.UTF8.GetString(Raw, start, Raw.Length - start);
        }
    }

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}

/// <summary>Reads Content-Length-framed HTTP/1.1 messages from a stream, one after another.</summary>
internal sealed class HttpFrameReader(Stream stream)
{
    private readonly byte[] _chunk = new byte[16 * 1024];
    private readonly MemoryStream _pending = new();

    public async Task<HttpFrame?> ReadMessageAsync()
    {
        int headEnd;
        while ((headEnd = IndexOfHeadEnd()) < 0)
        {
            var read = await stream.ReadAsync(_chunk);
            if (read == 0)
            {
                return null;
            }

            _pending.Write(_chunk, 0, read);
        }

        var buffered = _pending.ToArray();
        var head = Encoding.ASCII.GetString(buffered, 0, headEnd);
        var frame = new HttpFrame(head, []);
        if (frame.Header("Transfer-Encoding") is not null || frame.Header("Expect") is not null)
        {
            throw new IOException("the test proxy only frames Content-Length messages");
        }

        var length = int.Parse(frame.Header("Content-Length") ?? "0", CultureInfo.InvariantCulture);
        var total = headEnd + 4 + length;
        while (buffered.Length < total)
        {
            var read = await stream.ReadAsync(_chunk);
            if (read == 0)
            {
                return null;
            }

            _pending.Write(_chunk, 0, read);
            buffered = _pending.ToArray();
        }

        _pending.SetLength(0);
        _pending.Write(buffered, total, buffered.Length - total);
        return frame with { Raw = buffered[..total] };
    }

    private int IndexOfHeadEnd()
    {
        var bytes = _pending.GetBuffer();
        for (var i = 0; i + 3 < _pending.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
