using System.Net.Http.Headers;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Aws;

/// <summary>One call to an AWS API: what to send and how to name it in errors.</summary>
/// <param name="Operation">Service and action for messages, e.g. <c>SNS Publish</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The endpoint and path.</param>
/// <param name="ContentType">The body's content type; null for a request without a body.</param>
/// <param name="Body">The body (empty when none).</param>
/// <param name="Headers">Further headers to send and sign, lower-case names (e.g. <c>x-amz-target</c>).</param>
public sealed record AwsRequest(string Operation, HttpMethod Method, Uri Uri, string? ContentType, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>A successful answer: its HTTP status and body text.</summary>
public sealed record AwsResponse(int StatusCode, string Body);

/// <summary>
/// Sends SigV4-signed requests to one AWS service in one region and retries what retrying can
/// fix: transport failures, timeouts and the answers the service's error reader marks retryable
/// (throttling, 5xx), with <see cref="RetryPolicy"/>'s backoff or the server's Retry-After.
/// Each protocol (REST-JSON, JSON 1.1, Query) supplies only its body and its error reader.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
/// </summary>
public sealed class AwsSignedSender
{
    private readonly HttpClient _http;
    private readonly string _region;
    private readonly string _service;
    private readonly IAwsCredentialsSource _credentials;
    private readonly TimeProvider _time;
    private readonly RetryPolicy _retry;
    private readonly DelayAsync _delay;

    /// <param name="service">The SigV4 signing name, e.g. <c>sns</c>, <c>bedrock</c>, <c>pricing</c>.</param>
    public AwsSignedSender(HttpClient http, string region, string service, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _http = http;
        _region = region;
        _service = service;
        _credentials = credentials;
        _time = time;
        _retry = retry ?? RetryPolicy.Default;
        _delay = delay ?? RetryPolicy.DelayWith(time);
    }

    /// <summary>Sends the request, retrying as described; returns the first successful answer.</summary>
    /// <exception cref="AwsServiceException">The service refused it (after retries when retryable), or it could not be reached.</exception>
    public async Task<AwsResponse> SendAsync(AwsRequest request, AwsErrorReader readError, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            AwsServiceException failure;
            TimeSpan? retryAfter = null;
            try
            {
                using var message = await SignedMessageAsync(request, cancellationToken).ConfigureAwait(false);
                using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return new AwsResponse((int)response.StatusCode, text);
                }

                failure = readError((int)response.StatusCode, text, response.Headers);
                retryAfter = _retry.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow());
            }
            catch (HttpRequestException ex)
            {
                failure = new AwsServiceException($"{request.Operation} failed: {ex.HttpRequestError}", 0, "TransportError", retryable: true, inner: ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new AwsServiceException($"{request.Operation} timed out", 0, "Timeout", retryable: true, inner: ex);
            }

            if (!failure.Retryable || attempt >= _retry.MaxAttempts)
            {
                throw failure;
            }

            await _delay(retryAfter ?? _retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> SignedMessageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var signedHeaders = new List<KeyValuePair<string, string>>(request.Headers.Count + 1);
        if (request.ContentType is { } contentType)
        {
            signedHeaders.Add(new("content-type", contentType));
        }

        signedHeaders.AddRange(request.Headers);
        var signed = SigV4Signer.Sign(new SigV4Request(request.Method.Method, request.Uri, signedHeaders, request.Body), credentials, _region, _service, _time.GetUtcNow());

        var message = new HttpRequestMessage(request.Method, request.Uri);
        if (request.ContentType is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }

        foreach (var header in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        message.Headers.TryAddWithoutValidation("X-Amz-Date", signed.AmzDate);
        if (signed.SecurityToken is { } token)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        message.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        return message;
    }
}
