using System.Net;
using System.Net.Http.Headers;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// POSTs JSON to a receiver, once, and classifies the answer the way Alertmanager's
/// <c>notify.Retrier</c> does: 2xx delivered; 429 (with its Retry-After), 5xx and transport
/// failures retryable; any other answer final (the request itself is wrong, e.g. a revoked
/// webhook or an invalid routing key). Redirects are never followed: the client comes from
/// <see cref="CreateClient"/>, and a 3xx is a final failure — a webhook URL that redirects is
/// not the documented endpoint, and following it would hand the alert (and for some receivers
/// the credential in the path) to another host.
/// </summary>
public sealed class HttpPoster(HttpClient http, TimeProvider time, RetryPolicy? retry = null)
{
    /// <summary>
    /// One receiver call's ceiling. Lambda stops the notifier after its timeout (30 s in the
    /// template); a hung endpoint must fail the attempt early enough for the retries to run.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly RetryPolicy _retry = retry ?? RetryPolicy.Default;

    /// <summary>The HTTP client every receiver uses: no automatic redirects, <see cref="RequestTimeout"/> per call.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = RequestTimeout,
        };

    /// <summary>
    /// One attempt. <paramref name="secrets"/> (a routing key, a webhook URL and its path) are cut
    /// out of the error excerpt a failure carries: receivers, proxies and WAF pages sometimes echo
    /// the request, and the excerpt goes to logs and to the invocation's error report.
    /// </summary>
    public async Task<IntegrationResult> PostJsonAsync(Uri endpoint, byte[] json, IReadOnlyCollection<string> secrets, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(json);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await http.PostAsync(endpoint, content, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return IntegrationResult.Delivered;
            }

            if (status is >= 300 and < 400)
            {
                return IntegrationResult.Fail("redirect not followed", retry: false, status);
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var detail = Short(Redact(body, secrets));
            return response.StatusCode == HttpStatusCode.TooManyRequests
                ? new IntegrationResult(IntegrationOutcome.Failed, true, status, detail, _retry.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()))
                : IntegrationResult.Fail(detail, retry: status >= 500, status);
        }
        catch (HttpRequestException ex)
        {
            return IntegrationResult.Fail(ex.HttpRequestError.ToString(), retry: true);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return IntegrationResult.Fail("timeout", retry: true);
        }
    }

    /// <summary>The secret parts of a webhook URL: the whole URL, its path, and each path segment long enough to be a token.</summary>
    public static IReadOnlyCollection<string> SecretPartsOf(Uri webhook) =>
        [webhook.AbsoluteUri, webhook.PathAndQuery, .. webhook.Segments.Select(segment => segment.Trim('/')).Where(segment => segment.Length >= 6 && segment != "services")];

    private static string Redact(string text, IReadOnlyCollection<string> secrets)
    {
        // Longest first, so a URL is cut whole before its path or segments are.
        foreach (var secret in secrets.Where(s => s.Length >= 4).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "[redacted]", StringComparison.OrdinalIgnoreCase)
                .Replace(Uri.EscapeDataString(secret), "[redacted]", StringComparison.OrdinalIgnoreCase);
        }

        return text;
    }

    // Receivers answer with short codes (Slack: "invalid_payload"; PagerDuty: a JSON status);
    // keep only a bounded, single-line excerpt.
    private static string Short(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length > 120 ? line[..120] : line;
    }
}
