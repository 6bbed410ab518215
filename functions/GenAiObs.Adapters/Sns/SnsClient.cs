using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Sns;

/// <summary>SNS refused a Publish (or could not be reached). Carries no message content.</summary>
public sealed class SnsException : Exception, IPublishFailure
{
    public SnsException(string message, int statusCode, string code, string? requestId, bool retryable, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Code = code;
        RequestId = requestId;
        Retryable = retryable;
    }

    public SnsException()
        : this("SNS publish failed", 0, "Unknown", null, false)
    {
    }

    public SnsException(string message)
        : this(message, 0, "Unknown", null, false)
    {
    }

    public SnsException(string message, Exception innerException)
        : this(message, 0, "Unknown", null, false, innerException)
    {
    }

    public int StatusCode { get; }
    public string Code { get; }
    public string? RequestId { get; }
    public bool Retryable { get; }

    /// <summary>The HTTP status and SNS error code, e.g. <c>500 InternalError</c>.</summary>
    public string Summary => $"{StatusCode} {Code}";
}

/// <summary>
/// SNS Publish over the Query protocol (form-encoded POST, XML answers), signed with SigV4.
/// Throttling and 5xx answers and transport failures are retried with backoff; other 4xx
/// (authorization, bad parameters, missing topic) are not, since retrying cannot fix them.
/// </summary>
public sealed class SnsClient
{
    public const string ApiVersion = "2010-03-31";

    /// <summary>The one SNS action this client sends (IAM <c>sns:Publish</c>).</summary>
    public const string PublishAction = "Publish";

    /// <summary>
    /// Every SNS API this client calls (IAM action names without the <c>sns:</c> prefix).
    /// Publishing to a KMS-encrypted topic also needs <c>kms:GenerateDataKey</c> and
    /// <c>kms:Decrypt</c> on the topic's key.
    /// </summary>
    public static IReadOnlyList<string> SnsActions { get; } = [PublishAction];
    /// <summary>
    /// One Publish call's ceiling (HttpClient's default is 100 s). SNS answers in milliseconds;
    /// a hung connection must fail fast enough for the retries — and the claim's lease — to matter.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private static readonly HashSet<string> RetryableCodes = new(StringComparer.Ordinal)
    {
        "Throttled", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
        "KMSThrottling", "InternalError", "InternalFailure", "ServiceUnavailable", "RequestTimeout",
    };

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _region;
    private readonly IAwsCredentialsSource _credentials;
    private readonly TimeProvider _time;
    private readonly RetryPolicy _retry;
    private readonly DelayAsync _delay;

    public SnsClient(HttpClient http, Uri endpoint, string region, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _http = http;
        _endpoint = endpoint;
        _region = region;
        _credentials = credentials;
        _time = time;
        _retry = retry ?? RetryPolicy.Default;
        _delay = delay ?? RetryPolicy.DelayWith(time);
    }

    /// <summary>Publishes and returns SNS's MessageId.</summary>
    /// <exception cref="SnsException">SNS did not accept the message (after retries when retryable).</exception>
    public async Task<string> PublishAsync(SnsPublishRequest request, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(EncodePublish(request));
        for (var attempt = 1; ; attempt++)
        {
            SnsException failure;
            TimeSpan? retryAfter = null;
            try
            {
                using var message = await CreateSignedRequestAsync(body, cancellationToken).ConfigureAwait(false);
                using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return ParseMessageId(text, (int)response.StatusCode);
                }

                failure = ParseError(text, (int)response.StatusCode);
                retryAfter = _retry.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow());
            }
            catch (HttpRequestException ex)
            {
                failure = new SnsException($"SNS request failed: {ex.HttpRequestError}", 0, "TransportError", null, retryable: true, ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new SnsException("SNS request timed out", 0, "Timeout", null, retryable: true, ex);
            }

            if (!failure.Retryable || attempt >= _retry.MaxAttempts)
            {
                throw failure;
            }

            await _delay(retryAfter ?? _retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The form body: Action, Version, TopicArn, Message, Subject, MessageStructure, MessageAttributes.entry.N.*.</summary>
    public static string EncodePublish(SnsPublishRequest request)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Action", PublishAction),
            new("Version", ApiVersion),
            new("TopicArn", request.TopicArn),
            new("Message", request.Message),
        };
        if (!string.IsNullOrEmpty(request.Subject))
        {
            fields.Add(new("Subject", request.Subject));
        }

        if (!string.IsNullOrEmpty(request.MessageStructure))
        {
            fields.Add(new("MessageStructure", request.MessageStructure));
        }

        for (var i = 0; i < request.Attributes.Count; i++)
        {
            var prefix = $"MessageAttributes.entry.{(i + 1).ToString(CultureInfo.InvariantCulture)}.";
            fields.Add(new(prefix + "Name", request.Attributes[i].Name));
            fields.Add(new(prefix + "Value.DataType", request.Attributes[i].DataType));
            fields.Add(new(prefix + "Value.StringValue", request.Attributes[i].Value));
        }

        return string.Join("&", fields.Select(f => SigV4Signer.UriEncode(f.Key) + "=" + SigV4Signer.UriEncode(f.Value)));
    }

    private async Task<HttpRequestMessage> CreateSignedRequestAsync(byte[] body, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var signed = SigV4Signer.Sign(
            new SigV4Request("POST", _endpoint, [new("content-type", FormContentType)], body),
            credentials,
            _region,
            "sns",
            _time.GetUtcNow());

        var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(FormContentType);
        message.Headers.TryAddWithoutValidation("X-Amz-Date", signed.AmzDate);
        if (signed.SecurityToken is { } token)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        message.Headers.TryAddWithoutValidation("Authorization", signed.Authorization);
        return message;
    }

    private static string ParseMessageId(string xml, int status)
    {
        try
        {
            var document = XDocument.Parse(xml);
            var id = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "MessageId")?.Value;
            if (!string.IsNullOrEmpty(id))
            {
                return id;
            }
        }
        catch (XmlException)
        {
            // Reported below.
        }

        throw new SnsException($"SNS answered {status} without a MessageId", status, "InvalidResponse", null, retryable: false);
    }

    private static SnsException ParseError(string xml, int status)
    {
        string code = "Unknown", text = string.Empty;
        string? requestId = null;
        try
        {
            var document = XDocument.Parse(xml);
            var error = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? code;
            text = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? text;
            requestId = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (XmlException)
        {
            // A proxy or load balancer page rather than SNS XML: the status decides.
        }

        var retryable = status >= 500 || status == (int)HttpStatusCode.TooManyRequests || RetryableCodes.Contains(code);
        var detail = text.Length > 200 ? text[..200] : text;
        return new SnsException($"SNS Publish failed: {status} {code}{(detail.Length > 0 ? ": " + detail : string.Empty)}", status, code, requestId, retryable);
    }
}
