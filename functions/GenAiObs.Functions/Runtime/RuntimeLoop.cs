using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;

namespace GenAiObs.Functions.Runtime;

/// <summary>A function ready to serve, with the logger configured from its settings.</summary>
public sealed record FunctionHost(ILambdaFunction Function, StructuredLogger Logger);

/// <summary>
/// The custom-runtime loop (Lambda Runtime API, https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): initialise once (a failure is posted to <c>init/error</c> and the
/// process exits non-zero), then forever: <c>next</c> → handler → <c>response</c> or <c>error</c>.
/// A handler exception is reported and the loop goes on; a Runtime API failure (500, connection
/// lost) ends the process, as the contract requires.
/// </summary>
public sealed class RuntimeLoop
{
    /// <summary>
    /// The handler's token fires this long before the deadline, so a cancelled handler can still
    /// post its error (and Lambda redelivers) before the sandbox is stopped.
    /// </summary>
    public static readonly TimeSpan DefaultDeadlineMargin = TimeSpan.FromMilliseconds(200);

    public const int ExitInitFailed = 1;
    public const int ExitRuntimeApiFailed = 2;

    private readonly ILambdaRuntimeApi _api;
    private readonly IEnvironment _environment;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deadlineMargin;
    private StructuredLogger _log;

    public RuntimeLoop(ILambdaRuntimeApi api, IEnvironment environment, TimeProvider time, StructuredLogger bootLogger, TimeSpan? deadlineMargin = null)
    {
        _api = api;
        _environment = environment;
        _time = time;
        _log = bootLogger;
        _deadlineMargin = deadlineMargin ?? DefaultDeadlineMargin;
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> fires (returns 0) or the runtime must exit (non-zero).</summary>
    public async Task<int> RunAsync(Func<FunctionHost> initialise, CancellationToken stoppingToken)
    {
        ILambdaFunction function;
        try
        {
            var host = initialise();
            function = host.Function;
            _log = host.Logger;
        }
        catch (Exception exception)
        {
            var error = RuntimeErrors.From(exception);
            _log.Log(DiagnosticLevel.Critical, "Initialisation failed; reporting init/error.", errorType: error.ErrorType);
            try
            {
                await _api.PostInitErrorAsync(error, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception postFailure)
            {
                _log.Log(DiagnosticLevel.Critical, "Could not post init/error.", errorType: postFailure.GetType().Name);
            }

            return ExitInitFailed;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var invocation = await _api.NextAsync(stoppingToken).ConfigureAwait(false);
                await InvokeAsync(function, invocation, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Only Runtime API calls get here (handler failures are caught in InvokeAsync).
                _log.Log(DiagnosticLevel.Critical, "Runtime API failed; exiting so Lambda restarts the runtime.", errorType: exception.GetType().Name);
                return ExitRuntimeApiFailed;
            }
        }

        return 0;
    }

    private async Task InvokeAsync(ILambdaFunction function, LambdaInvocation invocation, CancellationToken stoppingToken)
    {
        // Each invocation carries its own X-Ray trace header; SDK clients read it from the environment.
        _environment.SetVariable(EnvironmentVariables.TraceId, invocation.TraceId);

        using var deadline = DeadlineSource(invocation.Deadline);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
        var context = new InvocationContext(invocation.RequestId, invocation.Deadline, invocation.FunctionArn, invocation.TraceId);

        byte[] response;
        try
        {
            response = await function.HandleAsync(invocation.Event, context, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            _log.Error("Handler cancelled at the invocation deadline.", invocation.RequestId, "HandlerTimeout");
            await _api.PostErrorAsync(invocation.RequestId, RuntimeErrors.Timeout(_deadlineMargin), stoppingToken).ConfigureAwait(false);
            return;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            var error = RuntimeErrors.From(exception);
            _log.Error("Handler failed; reporting the invocation error.", invocation.RequestId, error.ErrorType);
            await _api.PostErrorAsync(invocation.RequestId, error, stoppingToken).ConfigureAwait(false);
            return;
        }

        if (!await _api.PostResponseAsync(invocation.RequestId, response, stoppingToken).ConfigureAwait(false))
        {
            // 400/403/413: the response was refused (e.g. over 6 MB); report it so the failure is visible.
            _log.Error("Runtime API refused the response.", invocation.RequestId, "ResponseRejected");
            await _api.PostErrorAsync(
                invocation.RequestId,
                new RuntimeError("ResponseRejected", $"The Runtime API refused a response of {response.Length} bytes.", []),
                stoppingToken).ConfigureAwait(false);
        }
    }

    private CancellationTokenSource DeadlineSource(DateTimeOffset deadline)
    {
        if (deadline == DateTimeOffset.MaxValue)
        {
            return new CancellationTokenSource();
        }

        var remaining = deadline - _time.GetUtcNow() - _deadlineMargin;
        var maxDelay = TimeSpan.FromMilliseconds(int.MaxValue - 1);
        if (remaining <= TimeSpan.Zero)
        {
            // Already past the deadline: cancel synchronously rather than through a zero timer,
            // so the handler sees it on its first check.
            var expired = new CancellationTokenSource();
            expired.Cancel();
            return expired;
        }

        return new CancellationTokenSource(remaining > maxDelay ? maxDelay : remaining, _time);
    }
}
