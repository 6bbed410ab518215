using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Pricing;

/// <summary>
/// S3 GetObject over REST, signed with SigV4 (service <c>s3</c>, the payload hash sent in
/// <c>x-amz-content-sha256</c> as S3 requires). Virtual-hosted addressing
/// (<c>https://BUCKET.s3.REGION.amazonaws.com/KEY</c>) against AWS; path-style
/// (<c>ENDPOINT/BUCKET/KEY</c>) against an endpoint override. 5xx, SlowDown and transport
/// failures are retried with backoff; 403/404 are not.
/// </summary>
public sealed class S3ObjectReader
{
    /// <summary>Every S3 API this reader calls (IAM action names without the <c>s3:</c> prefix).</summary>
    public static IReadOnlyList<string> S3Actions { get; } = ["GetObject"];

    // Objects larger than this are not price files.
    private const int MaxObjectBytes = 4 * 1024 * 1024;

    private static readonly string EmptyPayloadHash = SigV4Signer.HexSha256([]);

    private readonly HttpClient _http;
    private readonly Uri? _endpointOverride;
    private readonly string _region;
    private readonly IAwsCredentialsSource _credentials;
    private readonly TimeProvider _time;
    private readonly RetryPolicy _retry;
    private readonly DelayAsync _delay;

    public S3ObjectReader(HttpClient http, Uri? endpointOverride, string region, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _http = http;
        _endpointOverride = endpointOverride;
        _region = region;
        _credentials = credentials;
        _time = time;
        _retry = retry ?? RetryPolicy.Default;
        _delay = delay ?? RetryPolicy.DelayWith(time);
    }

    /// <summary>The object's URL: path-style under an override, else virtual-hosted.</summary>
    public Uri ObjectUri(string bucket, string key)
    {
        var path = string.Join('/', key.Split('/').Select(SigV4Signer.UriEncode));
        return _endpointOverride is { } endpoint
            ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + SigV4Signer.UriEncode(bucket) + "/" + path)
            : new Uri($"https://{bucket}.s3.{_region}.amazonaws.com/{path}");
    }

    /// <summary>Reads the object's bytes.</summary>
    /// <exception cref="S3ReadException">S3 refused (after retries when retryable) or the object is too large.</exception>
    public async Task<byte[]> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var uri = ObjectUri(bucket, key);
        for (var attempt = 1; ; attempt++)
        {
            S3ReadException failure;
            try
            {
                using var message = await CreateSignedRequestAsync(uri, cancellationToken).ConfigureAwait(false);
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.Content.Headers.ContentLength > MaxObjectBytes)
                {
                    throw new S3ReadException($"s3://{bucket}/{key} is larger than {MaxObjectBytes} bytes", (int)response.StatusCode, "TooLarge", retryable: false);
                }

                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return body.Length <= MaxObjectBytes
                        ? body
                        : throw new S3ReadException($"s3://{bucket}/{key} is larger than {MaxObjectBytes} bytes", (int)response.StatusCode, "TooLarge", retryable: false);
                }

                failure = ParseError(body, response.StatusCode, bucket, key);
            }
            catch (HttpRequestException ex)
            {
                failure = new S3ReadException($"S3 request failed: {ex.HttpRequestError}", 0, "TransportError", retryable: true, ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new S3ReadException("S3 request timed out", 0, "Timeout", retryable: true, ex);
            }

            if (!failure.Retryable || attempt >= _retry.MaxAttempts)
            {
                throw failure;
            }

            await _delay(_retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> CreateSignedRequestAsync(Uri uri, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var signed = SigV4Signer.Sign(
            new SigV4Request("GET", uri, [new("x-amz-content-sha256", EmptyPayloadHash)], ReadOnlyMemory<byte>.Empty),
            credentials,
            _region,
            "s3",
            _time.GetUtcNow());

        var message = new HttpRequestMessage(HttpMethod.Get, uri);
        message.Headers.TryAddWithoutValidation("x-amz-content-sha256", EmptyPayloadHash);
        message.Headers.TryAddWithoutValidation("X-Amz-Date", signed.AmzDate);
        if (signed.SecurityToken is { } token)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        message.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        return message;
    }

    /// <summary>S3's XML error: <c>&lt;Error&gt;&lt;Code&gt;NoSuchKey&lt;/Code&gt;&lt;Message&gt;…&lt;/Message&gt;&lt;/Error&gt;</c>.</summary>
    private static S3ReadException ParseError(byte[] body, HttpStatusCode status, string bucket, string key)
    {
        var code = status == HttpStatusCode.NotFound ? "NoSuchKey" : "Unknown";
        try
        {
            if (body.Length > 0)
            {
                var document = XDocument.Parse(Encoding.UTF8.GetString(body));
                code = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value is { Length: > 0 } c ? c : code;
            }
        }
        catch (XmlException)
        {
            // The status says enough.
        }

        var retryable = (int)status >= 500 || code is "SlowDown" or "InternalError" or "ServiceUnavailable";
        return new S3ReadException($"S3 GetObject s3://{bucket}/{key} failed: {(int)status} {code}", (int)status, code, retryable);
    }
}
