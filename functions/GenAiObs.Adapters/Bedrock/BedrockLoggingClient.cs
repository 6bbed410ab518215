using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Bedrock;

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

    private readonly Uri _uri;
    private readonly AwsSignedSender _sender;

    public BedrockLoggingClient(HttpClient http, BedrockSettings settings, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _uri = new Uri(settings.Endpoint, Path);
        _sender = new AwsSignedSender(http, settings.Region, "bedrock", credentials, time, retry, delay);
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
            throw new AwsServiceException($"Bedrock {GetAction} answered with invalid JSON", 200, "InvalidResponse", retryable: false, inner: ex);
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
        var request = new AwsRequest($"Bedrock {action}", method, _uri, body is null ? null : JsonContentType, body ?? [], []);
        var response = await _sender.SendAsync(request, (status, text, headers) => Error(action, status, text, headers), cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    // REST-JSON errors: the type in x-amzn-ErrorType or the body's __type/code, text in message.
    private static AwsServiceException Error(string action, int status, string body, HttpResponseHeaders headers)
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
        return new AwsServiceException($"Bedrock {action} failed: {status} {code}{(detail.Length > 0 ? ": " + detail : string.Empty)}", status, code, retryable);
    }
}
