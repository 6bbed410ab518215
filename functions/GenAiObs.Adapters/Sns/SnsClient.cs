using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Sns;

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

    private readonly Uri _endpoint;
    private readonly AwsSignedSender _sender;

    public SnsClient(HttpClient http, Uri endpoint, string region, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _endpoint = endpoint;
        _sender = new AwsSignedSender(http, region, "sns", credentials, time, retry, delay);
    }

    /// <summary>Publishes and returns SNS's MessageId.</summary>
    /// <exception cref="AwsServiceException">SNS did not accept the message (after retries when retryable).</exception>
    public async Task<string> PublishAsync(SnsPublishRequest request, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(EncodePublish(request));
        var response = await _sender.SendAsync(
            new AwsRequest("SNS Publish", HttpMethod.Post, _endpoint, FormContentType, body, []),
            (status, text, _) => ParseError(text, status),
            cancellationToken).ConfigureAwait(false);
        return ParseMessageId(response.Body, response.StatusCode);
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

        throw new AwsServiceException($"SNS answered {status} without a MessageId", status, "InvalidResponse", retryable: false);
    }

    private static AwsServiceException ParseError(string xml, int status)
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
        return new AwsServiceException($"SNS Publish failed: {status} {code}{(detail.Length > 0 ? ": " + detail : string.Empty)}", status, code, retryable, requestId);
    }
}
