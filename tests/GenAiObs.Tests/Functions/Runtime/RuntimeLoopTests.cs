using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using Xunit;

namespace GenAiObs.Tests.Runtime;

/// <summary>The runtime loop in-process, talking HTTP to a loopback Runtime API.</summary>
[Trait("Category", "Integration")]
public sealed class RuntimeLoopTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_WhenHandlerSucceeds_ShouldPostItsResponse()
    {
        await using var server = new LoopbackRuntimeApi();
        var function = new DelegateFunction((body, _, _) => Task.FromResult(Encoding.UTF8.GetBytes($"{{\"bytes\":{body.Length}}}")));
        await using var harness = Harness.Start(server, function);
        server.Enqueue(new QueuedInvocation("req-1", "{\"hello\":1}"u8.ToArray(), FarDeadline()));

        var posted = await server.NextPostAsync();

        Assert.Equal("response", posted.Kind);
        Assert.Equal("req-1", posted.RequestId);
        using var json = JsonDocument.Parse(posted.Body);
        Assert.Equal(11, json.RootElement.GetProperty("bytes").GetInt32());
        Assert.Equal(0, await harness.StopAsync());
    }

    [Fact]
    public async Task RunAsync_WhenHandlerThrows_ShouldPostErrorAndKeepServing()
    {
        await using var server = new LoopbackRuntimeApi();
        var calls = 0;
        var function = new DelegateFunction((_, _, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("prompt text: the canary CANARY-7781")
            : Task.FromResult("{\"ok\":true}"u8.ToArray()));
        await using var harness = Harness.Start(server, function);
        server.Enqueue(new QueuedInvocation("req-fail", "{}"u8.ToArray(), FarDeadline()));
        server.Enqueue(new QueuedInvocation("req-ok", "{}"u8.ToArray(), FarDeadline()));

        var first = await server.NextPostAsync();
        var second = await server.NextPostAsync();

        Assert.Equal(("error", "req-fail"), (first.Kind, first.RequestId));
        Assert.Equal("InvalidOperationException", first.Headers["Lambda-Runtime-Function-Error-Type"]);
        using var error = JsonDocument.Parse(first.Body);
        Assert.Equal("InvalidOperationException", error.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, error.RootElement.GetProperty("stackTrace").ValueKind);
        Assert.DoesNotContain("CANARY", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(("response", "req-ok"), (second.Kind, second.RequestId));
        Assert.Equal(0, await harness.StopAsync());
        Assert.DoesNotContain("CANARY", harness.Diagnostics, StringComparison.Ordinal);
        var logLine = harness.DiagnosticLines().Single(l => l.GetProperty("level").GetString() == "ERROR");
        Assert.Equal("req-fail", logLine.GetProperty("requestId").GetString());
        Assert.Equal("InvalidOperationException", logLine.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task RunAsync_WhenInvocationsCarryTraceIds_ShouldSetTheTraceVariablePerInvocation()
    {
        await using var server = new LoopbackRuntimeApi();
        var environment = new DictionaryEnvironment();
        var seen = new ConcurrentQueue<(string? Variable, string? Context)>();
        var function = new DelegateFunction((_, context, _) =>
        {
            seen.Enqueue((environment.GetVariable(EnvironmentVariables.TraceId), context.TraceId));
            return Task.FromResult("{}"u8.ToArray());
        });
        await using var harness = Harness.Start(server, function, environment);
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        server.Enqueue(new QueuedInvocation("req-traced", "{}"u8.ToArray(), FarDeadline(), trace));
        server.Enqueue(new QueuedInvocation("req-untraced", "{}"u8.ToArray(), FarDeadline()));

        await server.NextPostAsync();
        await server.NextPostAsync();

        Assert.Equal([(trace, trace), (null, null)], seen.ToArray());
        Assert.Equal(0, await harness.StopAsync());
    }

    [Fact]
    public async Task RunAsync_WhenDeadlineArrives_ShouldCancelTheHandler200MillisecondsBeforeItAndPostATimeoutError()
    {
        await using var server = new LoopbackRuntimeApi();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);
        var time = new ManualTimeProvider(start);
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var function = new DelegateFunction(async (_, _, token) =>
        {
            started.TrySetResult(token);
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return [];
        });
        await using var harness = Harness.Start(server, function, time: time);
        server.Enqueue(new QueuedInvocation("req-slow", "{}"u8.ToArray(), start.AddSeconds(10).ToUnixTimeMilliseconds()));
        var token = await started.Task.WaitAsync(Wait);

        // The manual clock fires due timers inside Advance, so the token's state is exact at each
        // step: still running 1 ms before deadline − 200 ms, cancelled at deadline − 200 ms.
        time.Advance(TimeSpan.FromMilliseconds(10_000 - 200 - 1));
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(token.IsCancellationRequested);
        var posted = await server.NextPostAsync();

        Assert.Equal(("error", "req-slow"), (posted.Kind, posted.RequestId));
        using var error = JsonDocument.Parse(posted.Body);
        Assert.Equal("HandlerTimeout", error.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("The handler was cancelled 200 ms before the invocation deadline.", error.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal(0, await harness.StopAsync());
    }

    [Fact]
    public async Task RunAsync_WhenDeadlineHasPassed_ShouldHandTheHandlerACancelledToken()
    {
        await using var server = new LoopbackRuntimeApi();
        var function = new DelegateFunction((_, _, token) =>
            Task.FromResult(Encoding.UTF8.GetBytes($"{{\"cancelled\":{(token.IsCancellationRequested ? "true" : "false")}}}")));
        await using var harness = Harness.Start(server, function);
        server.Enqueue(new QueuedInvocation("req-late", "{}"u8.ToArray(), DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds()));

        var posted = await server.NextPostAsync();

        using var json = JsonDocument.Parse(posted.Body);
        Assert.True(json.RootElement.GetProperty("cancelled").GetBoolean());
        Assert.Equal(0, await harness.StopAsync());
    }

    [Fact]
    public async Task RunAsync_WhenResponseIsRefused_ShouldReportAnErrorAndKeepServing()
    {
        await using var server = new LoopbackRuntimeApi();
        var function = new DelegateFunction((_, _, _) => Task.FromResult("{\"big\":true}"u8.ToArray()));
        await using var harness = Harness.Start(server, function);
        server.Enqueue(new QueuedInvocation("req-big", "{}"u8.ToArray(), FarDeadline(), ResponseStatusCode: 413));
        server.Enqueue(new QueuedInvocation("req-next", "{}"u8.ToArray(), FarDeadline()));

        var refused = await server.NextPostAsync();
        var error = await server.NextPostAsync();
        var next = await server.NextPostAsync();

        Assert.Equal(("response", "req-big"), (refused.Kind, refused.RequestId));
        Assert.Equal(("error", "req-big"), (error.Kind, error.RequestId));
        Assert.Equal("ResponseRejected", error.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.Equal(("response", "req-next"), (next.Kind, next.RequestId));
        Assert.Equal(0, await harness.StopAsync());
    }

    [Fact]
    public async Task RunAsync_WhenRuntimeApiAnswers500_ShouldExitNonZero()
    {
        await using var server = new LoopbackRuntimeApi();
        var function = new DelegateFunction((_, _, _) => Task.FromResult("{}"u8.ToArray()));
        await using var harness = Harness.Start(server, function);
        server.Enqueue(new QueuedInvocation("unused", [], FarDeadline(), StatusCode: 500));

        var exitCode = await harness.Run.WaitAsync(Wait);

        Assert.Equal(RuntimeLoop.ExitRuntimeApiFailed, exitCode);
        Assert.Contains(harness.DiagnosticLines(), l => l.GetProperty("level").GetString() == "CRITICAL");
    }

    [Fact]
    public async Task RunAsync_WhenHandlerSettingIsMissing_ShouldPostInitErrorNamingTheVariable()
    {
        await using var server = new LoopbackRuntimeApi();
        var environment = new DictionaryEnvironment { { EnvironmentVariables.ServiceName, "svc" } };

        var (exitCode, posted) = await RunInitAsync(server, environment);

        Assert.Equal(RuntimeLoop.ExitInitFailed, exitCode);
        Assert.Equal("init-error", posted.Kind);
        using var error = JsonDocument.Parse(posted.Body);
        Assert.Equal("SettingsException", error.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("_HANDLER", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal("SettingsException", posted.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.Equal(0, server.NextRequests);
    }

    [Fact]
    public async Task RunAsync_WhenHandlerIsUnknown_ShouldPostInitErrorNamingIt()
    {
        await using var server = new LoopbackRuntimeApi();
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, "no-such-function" } };

        var (exitCode, posted) = await RunInitAsync(server, environment);

        Assert.Equal(RuntimeLoop.ExitInitFailed, exitCode);
        using var error = JsonDocument.Parse(posted.Body);
        Assert.Equal("UnknownHandlerException", error.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("no-such-function", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WhenASettingIsMalformed_ShouldPostInitErrorNamingTheVariable()
    {
        await using var server = new LoopbackRuntimeApi();
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.InvocationLogs },
            { EnvironmentVariables.MaxEventAgeHours, "1000000" },
            { EnvironmentVariables.MaxPrincipals, "lots" },
        };

        var (_, posted) = await RunInitAsync(server, environment);

        using var error = JsonDocument.Parse(posted.Body);
        Assert.Contains(EnvironmentVariables.MaxPrincipals, error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, PostedResult Posted)> RunInitAsync(LoopbackRuntimeApi server, DictionaryEnvironment environment)
    {
        using var client = new LambdaRuntimeClient(server.Address);
        using var diagnostics = new StringWriter();
        var loop = new RuntimeLoop(client, environment, TimeProvider.System, new StructuredLogger(diagnostics, DiagnosticLevel.Information, TimeProvider.System, "test"));

        var exitCode = await loop.RunAsync(
            () => HandlerRegistry.Initialise(environment, TextWriter.Null, diagnostics, TimeProvider.System),
            CancellationToken.None).WaitAsync(Wait);

        return (exitCode, await server.NextPostAsync());
    }

    private static long FarDeadline() => DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();

    private sealed class DelegateFunction : ILambdaFunction
    {
        private readonly Func<ReadOnlyMemory<byte>, InvocationContext, CancellationToken, Task<byte[]>> _handle;

        public DelegateFunction(Func<ReadOnlyMemory<byte>, InvocationContext, CancellationToken, Task<byte[]>> handle)
        {
            _handle = handle;
        }

        public Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken) =>
            _handle(eventBody, context, cancellationToken);
    }

    /// <summary>A running loop with its client, captured diagnostics and a stop switch.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly LambdaRuntimeClient _client;
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _diagnostics = new();

        private Harness(LoopbackRuntimeApi server, ILambdaFunction function, IEnvironment environment, TimeProvider time)
        {
            _client = new LambdaRuntimeClient(server.Address);
            var logger = new StructuredLogger(TextWriter.Synchronized(_diagnostics), DiagnosticLevel.Debug, time, "test");
            var loop = new RuntimeLoop(_client, environment, time, logger);
            Run = Task.Run(() => loop.RunAsync(() => new FunctionHost(function, logger), _stop.Token));
        }

        public Task<int> Run { get; }

        public string Diagnostics => _diagnostics.ToString();

        public static Harness Start(LoopbackRuntimeApi server, ILambdaFunction function, IEnvironment? environment = null, TimeProvider? time = null) =>
            new(server, function, environment ?? new DictionaryEnvironment(), time ?? TimeProvider.System);

        public List<JsonElement> DiagnosticLines() =>
            Diagnostics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            return await Run.WaitAsync(Wait);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await Run.WaitAsync(Wait);
            }
            catch (Exception)
            {
                // The test already asserted what it needed; disposal only stops the loop.
            }

            _client.Dispose();
            _stop.Dispose();
            _diagnostics.Dispose();
        }
    }
}
