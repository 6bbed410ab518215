using System.Net;
using System.Net.Http.Headers;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// A receiver did not take a notification. Never carries the endpoint URL (a Slack webhook URL
/// is a secret) nor message content; <see cref="Retryable"/> tells whether trying later may help.
/// </summary>
public sealed class ReceiverDeliveryException : Exception
{
    public ReceiverDeliveryException(string receiver, int statusCode, string detail, bool retryable, Exception? inner = null)
        : base($"{receiver} delivery failed: {(statusCode == 0 ? "no response" : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}{(detail.Length > 0 ? " " + detail : string.Empty)}", inner)
    {
        Receiver = receiver;
        StatusCode = statusCode;
        Retryable = retryable;
    }

    public ReceiverDeliveryException()
        : this("receiver", 0, string.Empty, false)
    {
    }

    public ReceiverDeliveryException(string message)
        : this("receiver", 0, message, false)
    {
    }

    public ReceiverDeliveryException(string message, Exception innerException)
        : this("receiver", 0, message, false, innerException)
    {
    }

    public string Receiver { get; } = "receiver";
    public int StatusCode { get; }
    public bool Retryable { get; }
}

/// <summary>
/// POSTs JSON to a receiver with bounded retries: 429 waits for Retry-After (bounded by the
/// policy) or backs off; 5xx and transport failures back off; other 4xx fail at once (the
/// request itself is wrong, e.g. a revoked webhook or an invalid routing key). When retries
/// run out the exception propagates so the notifier invocation fails and SNS/Lambda retry it.
/// </summary>
public sealed class WebhookSender(HttpClient http, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
{
    private readonly RetryPolicy _retry = retry ?? RetryPolicy.Default;
    private readonly DelayAsync _delay = delay ?? RetryPolicy.DelayWith(time);

    /// <summary>Returns the response body of the first 2xx answer.</summary>
    public async Task<string> PostJsonAsync(string receiver, Uri endpoint, byte[] json, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            ReceiverDeliveryException failure;
            TimeSpan? wait = null;
            try
            {
                using var content = new ByteArrayContent(json);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using var response = await http.PostAsync(endpoint, content, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return body;
                }

                var detail = Short(body);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    failure = new ReceiverDeliveryException(receiver, status, detail, retryable: true);
                    wait = _retry.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow());
                }
                else
                {
                    failure = new ReceiverDeliveryException(receiver, status, detail, retryable: status >= 500);
                }
            }
            catch (HttpRequestException ex)
            {
                failure = new ReceiverDeliveryException(receiver, 0, ex.HttpRequestError.ToString(), retryable: true, ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new ReceiverDeliveryException(receiver, 0, "timeout", retryable: true, ex);
            }

            if (!failure.Retryable || attempt >= _retry.MaxAttempts)
            {
                throw failure;
            }

            await _delay(wait ?? _retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    // Receivers answer with short codes (Slack: "invalid_payload"; PagerDuty: a JSON status);
    // keep only a bounded, single-line excerpt.
    private static string Short(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length > 120 ? line[..120] : line;
    }
}
