using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace GenAiObs.Functions.Runtime;

/// <summary>One invocation handed out by <c>GET /runtime/invocation/next</c>.</summary>
public sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string? FunctionArn,
    string? TraceId,
    string? ClientContext,
    string? CognitoIdentity,
    byte[] Event);

/// <summary>The body of an error report: <c>{"errorMessage","errorType","stackTrace"}</c>.</summary>
public sealed record RuntimeError(string ErrorType, string ErrorMessage, IReadOnlyList<string> StackTrace);

/// <summary>HTTP client of the Runtime API at <c>http://{AWS_LAMBDA_RUNTIME_API}/2018-06-01</c>.</summary>
public sealed class LambdaRuntimeClient : ILambdaRuntimeApi, IDisposable
{
    private const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
    private readonly HttpClient _http;

    public LambdaRuntimeClient(string runtimeApiAddress, HttpMessageHandler? handler = null)
    {
        // `next` blocks until an invocation arrives, and Lambda freezes the sandbox between
        // invocations, so any client-side timeout would fire spuriously after a thaw (and a
        // cancelled `next` loses the invocation). Only the deadline bounds the handler's work.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri($"http://{runtimeApiAddress}/2018-06-01/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<LambdaInvocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("runtime/invocation/next", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RuntimeApiException($"Runtime API answered {(int)response.StatusCode} to next.", response.StatusCode);
        }

        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new RuntimeApiException("Runtime API next carried no Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new LambdaInvocation(
            requestId,
            deadline,
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"),
            Header(response, "Lambda-Runtime-Trace-Id"),
            Header(response, "Lambda-Runtime-Client-Context"),
            Header(response, "Lambda-Runtime-Cognito-Identity"),
            body);
    }

    public async Task<bool> PostResponseAsync(string requestId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken).ConfigureAwait(false);
    }

    public Task PostErrorAsync(string requestId, RuntimeError error, CancellationToken cancellationToken) =>
        PostErrorCoreAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", error, cancellationToken);

    public Task PostInitErrorAsync(RuntimeError error, CancellationToken cancellationToken) =>
        PostErrorCoreAsync("runtime/init/error", error, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task PostErrorCoreAsync(string path, RuntimeError error, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", error.ErrorMessage);
            writer.WriteString("errorType", error.ErrorType);
            writer.WriteStartArray("stackTrace");
            foreach (var frame in error.StackTrace)
            {
                writer.WriteStringValue(frame);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await PostAsync(path, content, cancellationToken, error.ErrorType).ConfigureAwait(false);
    }

    private async Task<bool> PostAsync(string path, HttpContent content, CancellationToken cancellationToken, string? errorType = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            // The Runtime API: a 500 means the runtime is in an unrecoverable state and must exit.
            throw new RuntimeApiException($"Runtime API answered {status} to {path}.", response.StatusCode);
        }

        return status is >= 200 and < 300;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
