using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Bedrock;

/// <summary>Bedrock refused a logging-configuration call (or could not be reached).</summary>
public sealed class BedrockException : Exception
{
    public BedrockException(string message, int statusCode, string code, bool retryable, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Code = code;
        Retryable = retryable;
    }

    public BedrockException()
        : this("Bedrock request failed", 0, "Unknown", false)
    {
    }

    public BedrockException(string message)
        : this(message, 0, "Unknown", false)
    {
    }

    public BedrockException(string message, Exception innerException)
        : this(message, 0, "Unknown", false, innerException)
    {
    }

    public int StatusCode { get; }
    public string Code { get; }
    public bool Retryable { get; }
}

/// <summary>
/// Amazon Bedrock's model invocation logging configuration (one per account and region) over its
/// REST-JSON API, signed with SigV4 (service <c>bedrock</c>): GET, PUT and DELETE
/// <c>/logging/modelinvocations</c>. The configuration is handled as raw JSON so that a
/// configuration this client did not write (S3 delivery, large-data buckets, video flags) is
/// restored exactly as it was.
/// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_PutModelInvocationLoggingConfiguration.html
/// </summary>
public sealed class BedrockLoggingClient
{
    public const string GetAction = "GetModelInvocationLoggingConfiguration";
    public const string PutAction = "PutModelInvocationLoggingConfiguration";
    public const string DeleteAction = "DeleteModelInvocationLoggingConfiguration";

    /// <summary>Every Bedrock API this client calls (IAM action names without the <c>bedrock:</c> prefix).</summary>
    public static IReadOnlyList<string> BedrockActions { get; } = [GetAction, PutAction, DeleteAction];

    private const string Path = "logging/modelinvocations";
    private const string JsonContentType = "application/json";

    private readonly HttpClient _http;
    private readonly Uri _uri;
    private readonly string _region;
    private readonly IAwsCredentialsSource _credentials;
    private readonly TimeProvider _time;
    private readonly RetryPolicy _retry;
    private readonly DelayAsync _delay;

    public BedrockLoggingClient(HttpClient http, BedrockSettings settings, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _http = http;
        _uri = new Uri(settings.Endpoint, Path);
        _region = settings.Region;
        _credentials = credentials;
        _time = time;
        _retry = retry ?? RetryPolicy.Default;
        _delay = delay ?? RetryPolicy.DelayWith(time);
    }

    /// <summary>The current <c>loggingConfig</c> object, or null when logging is off (Bedrock answers <c>{}</c>).</summary>
    public async Task<JsonElement?> GetAsync(CancellationToken cancellationToken)
    {
        var text = await SendAsync(HttpMethod.Get, null, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            return document.RootElement.TryGetProperty("loggingConfig", out var config)
                   && config.ValueKind == JsonValueKind.Object
                   && config.EnumerateObject().Any()
                ? config.Clone()
                : null;
        }
        catch (JsonException ex)
        {
            throw new BedrockException($"Bedrock {GetAction} answered with invalid JSON", 200, "InvalidResponse", retryable: false, ex);
        }
    }

    /// <summary>Sets the configuration (a <c>loggingConfig</c> JSON object).</summary>
    public async Task PutAsync(JsonElement loggingConfig, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("loggingConfig");
            loggingConfig.WriteTo(writer);
            writer.WriteEndObject();
        }

        await SendAsync(HttpMethod.Put, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns model invocation logging off for the region.</summary>
    public Task DeleteAsync(CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, null, cancellationToken);

    private async Task<string> SendAsync(HttpMethod method, byte[]? body, CancellationToken cancellationToken)
    {
        var action = method == HttpMethod.Get ? GetAction : method == HttpMethod.Put ? PutAction : DeleteAction;
        for (var attempt = 1; ; attempt++)
        {
            BedrockException failure;
            TimeSpan? retryAfter = null;
            try
            {
                using var request = await SignedRequestAsync(method, body ?? [], cancellationToken).ConfigureAwait(false);
                using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return text;
                }

                failure = Error(action, (int)response.StatusCode, text, response.Headers);
                retryAfter = _retry.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow());
            }
            catch (HttpRequestException ex)
            {
                failure = new BedrockException($"Bedrock {action} failed: {ex.HttpRequestError}", 0, "TransportError", retryable: true, ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new BedrockException($"Bedrock {action} timed out", 0, "Timeout", retryable: true, ex);
            }

            if (!failure.Retryable || attempt >= _retry.MaxAttempts)
            {
                throw failure;
            }

            await _delay(retryAfter ?? _retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> SignedRequestAsync(HttpMethod method, byte[] body, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var headers = body.Length > 0 ? new List<KeyValuePair<string, string>> { new("content-type", JsonContentType) } : [];
        var signed = SigV4Signer.Sign(new SigV4Request(method.Method, _uri, headers, body), credentials, _region, "bedrock", _time.GetUtcNow());

        var message = new HttpRequestMessage(method, _uri);
        if (body.Length > 0)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(JsonContentType);
        }

        message.Headers.TryAddWithoutValidation("X-Amz-Date", signed.AmzDate);
        if (signed.SecurityToken is { } token)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        message.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        return message;
    }

    // REST-JSON errors: the type in x-amzn-ErrorType or the body's __type/code, text in message.
    private static BedrockException Error(string action, int status, string body, HttpResponseHeaders headers)
    {
        var code = headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First().Split(':')[0] : "Unknown";
        var text = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (code == "Unknown" && (document.RootElement.TryGetProperty("__type", out var type) || document.RootElement.TryGetProperty("code", out type)) && type.ValueKind == JsonValueKind.String)
                {
                    code = type.GetString()!.Split('#')[^1];
                }

                if ((document.RootElement.TryGetProperty("message", out var message) || document.RootElement.TryGetProperty("Message", out message)) && message.ValueKind == JsonValueKind.String)
                {
                    text = message.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status decides.
        }

        var retryable = status >= 500 || status == (int)HttpStatusCode.TooManyRequests || code is "ThrottlingException" or "InternalServerException" or "ServiceUnavailableException";
        var detail = text.Length > 300 ? text[..300] : text;
        return new BedrockException($"Bedrock {action} failed: {status} {code}{(detail.Length > 0 ? ": " + detail : string.Empty)}", status, code, retryable);
    }
}
