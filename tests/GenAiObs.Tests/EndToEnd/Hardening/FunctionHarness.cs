using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Runtime;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// A function served by the real runtime loop against the loopback Runtime API, with stdout (EMF)
/// and stderr (the structured log, shared by the loop and the function) captured — what Lambda
/// and CloudWatch Logs would see of each invocation.
/// </summary>
internal sealed class FunctionHarness : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly LoopbackRuntimeApi _server = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly LambdaRuntimeClient _client;
    private readonly Task<int> _run;
    private int _sequence;

    private FunctionHarness(Func<TextWriter, StructuredLogger, ILambdaFunction> create, TimeProvider time)
    {
        Time = time;
        Stdout = TextWriter.Synchronized(_stdout);
        Stderr = TextWriter.Synchronized(_stderr);
        Logger = new StructuredLogger(Stderr, DiagnosticLevel.Information, time, "genai-obs-hardening");
        var function = create(Stdout, Logger);
        _client = new LambdaRuntimeClient(_server.Address);
        var loop = new RuntimeLoop(_client, new DictionaryEnvironment(), time, Logger);
        _run = Task.Run(() => loop.RunAsync(() => new FunctionHost(function, Logger), _stop.Token));
    }

    /// <summary>The bootstrap's own cold start: settings, logger and function from <paramref name="environment"/> through <see cref="HandlerRegistry.Initialise"/>.</summary>
    private FunctionHarness(IEnvironment environment, TimeProvider time)
    {
        Time = time;
        Stdout = TextWriter.Synchronized(_stdout);
        Stderr = TextWriter.Synchronized(_stderr);
        Logger = new StructuredLogger(Stderr, DiagnosticLevel.Information, time, "genai-obs-hardening");
        _client = new LambdaRuntimeClient(_server.Address);
        var loop = new RuntimeLoop(_client, environment, time, Logger);
        _run = Task.Run(() => loop.RunAsync(() => HandlerRegistry.Initialise(environment, Stdout, Stderr, time), _stop.Token));
    }

    public TimeProvider Time { get; }

    public StructuredLogger Logger { get; }

    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public static FunctionHarness Start(Func<TextWriter, StructuredLogger, ILambdaFunction> create, TimeProvider? time = null) =>
        new(create, time ?? TimeProvider.System);

    /// <summary>Serves the function <c>_HANDLER</c> names, built as the bootstrap builds it at cold start (Program.cs).</summary>
    public static FunctionHarness StartColdStart(IEnvironment environment, TimeProvider? time = null) =>
        new(environment, time ?? TimeProvider.System);

    /// <summary>Delivers one event (a new request id each time, as a Lambda retry is) and returns what the runtime posted.</summary>
    public async Task<PostedResult> InvokeAsync(byte[] lambdaEvent, DateTimeOffset? deadline = null)
    {
        var requestId = "req-" + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server.Enqueue(new QueuedInvocation(requestId, lambdaEvent, (deadline ?? DateTimeOffset.UtcNow.AddMinutes(5)).ToUnixTimeMilliseconds()));
        var posted = await _server.NextPostAsync(Wait);
        return posted.RequestId == requestId ? posted : throw new InvalidOperationException($"expected a post for {requestId}, got {posted.Kind} for {posted.RequestId}");
    }

    /// <summary>Delivers the same event again until the runtime posts a response (Lambda's async retries), at most <paramref name="attempts"/> times.</summary>
    public async Task<(PostedResult Response, IReadOnlyList<PostedResult> Errors)> InvokeUntilSuccessAsync(byte[] lambdaEvent, int attempts, Action<int>? beforeAttempt = null)
    {
        var errors = new List<PostedResult>();
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            beforeAttempt?.Invoke(attempt);
            var posted = await InvokeAsync(lambdaEvent);
            if (posted.Kind == "response")
            {
                return (posted, errors);
            }

            errors.Add(posted);
        }

        throw new InvalidOperationException($"no success after {attempts} deliveries");
    }

    public IReadOnlyList<string> StdoutLines => Lines(Stdout, _stdout);

    /// <summary>Every stderr line, each parsed (a line that is not JSON fails the test).</summary>
    public IReadOnlyList<JsonElement> LogLines => Lines(Stderr, _stderr).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(Wait);
        }
        catch (Exception)
        {
            // Stopping only; the test has asserted what it needed.
        }

        _client.Dispose();
        await _server.DisposeAsync();
        _stop.Dispose();
    }

    // The synchronized wrapper locks on itself; reading under the same lock sees whole lines.
    private static IReadOnlyList<string> Lines(TextWriter synchronizedWriter, StringWriter text)
    {
        lock (synchronizedWriter)
        {
            return text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}
