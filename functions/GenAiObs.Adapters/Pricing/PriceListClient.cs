using System.Net;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Pricing;

/// <summary>One <c>GetProducts</c> filter (the API's <c>TERM_MATCH</c>: the attribute equals the value).</summary>
/// <param name="Field">A product attribute, e.g. <c>regionCode</c>.</param>
/// <param name="Value">The value it must have.</param>
public sealed record PriceListFilter(string Field, string Value);

/// <summary>Every product <c>GetProducts</c> returned, across its pages.</summary>
/// <param name="PriceList">Each product as the API returns it: a JSON document in a string.</param>
/// <param name="Pages">How many requests it took (one per <c>NextToken</c>, plus the first).</param>
public sealed record PriceListProducts(IReadOnlyList<string> PriceList, int Pages);

/// <summary>
/// AWS Price List Query API <c>GetProducts</c> over its JSON 1.1 protocol (POST, header
/// <c>X-Amz-Target: AWSPriceListService.GetProducts</c>, content type
/// <c>application/x-amz-json-1.1</c>), signed with SigV4 for the service <c>pricing</c>.
/// Pages through <c>NextToken</c> until the answer has none. Throttling and 5xx answers and
/// transport failures are retried with backoff; other errors are not.
/// (AWS Billing and Cost Management API Reference, GetProducts.)
/// </summary>
public sealed class PriceListClient
{
    /// <summary>The JSON 1.1 target of the one operation this client sends (IAM <c>pricing:GetProducts</c>).</summary>
    public const string GetProductsTarget = "AWSPriceListService.GetProducts";

    /// <summary>The SigV4 service name.</summary>
    public const string SigningService = "pricing";

    /// <summary>Every Price List API this client calls (IAM action names without the <c>pricing:</c> prefix).</summary>
    public static IReadOnlyList<string> PricingActions { get; } = ["GetProducts"];

    private const string ContentType = "application/x-amz-json-1.1";

    // The API caps MaxResults at 100 per page.
    private const int PageSize = 100;

    // A guard against a server that never stops returning NextToken.
    private const int MaxPages = 10_000;

    private readonly Uri _endpoint;
    private readonly AwsSignedSender _sender;

    public PriceListClient(HttpClient http, Uri endpoint, string signingRegion, IAwsCredentialsSource credentials, TimeProvider time, RetryPolicy? retry = null, DelayAsync? delay = null)
    {
        _endpoint = endpoint;
        _sender = new AwsSignedSender(http, signingRegion, SigningService, credentials, time, retry, delay);
    }

    /// <summary>All products of <paramref name="serviceCode"/> matching every filter, following <c>NextToken</c>.</summary>
    /// <exception cref="AwsServiceException">The API refused a page (after retries when retryable) or answered something unreadable.</exception>
    public async Task<PriceListProducts> GetProductsAsync(string serviceCode, IReadOnlyList<PriceListFilter> filters, CancellationToken cancellationToken)
    {
        var items = new List<string>();
        string? nextToken = null;
        var pages = 0;
        do
        {
            if (++pages > MaxPages)
            {
                throw new AwsServiceException($"GetProducts returned NextToken for more than {MaxPages} pages", 0, "TooManyPages", retryable: false);
            }

            var body = RequestBody(serviceCode, filters, nextToken);
            var text = await SendAsync(body, cancellationToken).ConfigureAwait(false);
            nextToken = ReadPage(text, items);
        }
        while (nextToken is not null);

        return new PriceListProducts(items, pages);
    }

    /// <summary>The request document: ServiceCode, Filters (TERM_MATCH), FormatVersion aws_v1, MaxResults, NextToken.</summary>
    public static byte[] RequestBody(string serviceCode, IReadOnlyList<PriceListFilter> filters, string? nextToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ServiceCode", serviceCode);
            writer.WriteStartArray("Filters");
            foreach (var filter in filters)
            {
                writer.WriteStartObject();
                writer.WriteString("Type", "TERM_MATCH");
                writer.WriteString("Field", filter.Field);
                writer.WriteString("Value", filter.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("FormatVersion", "aws_v1");
            writer.WriteNumber("MaxResults", PageSize);
            if (nextToken is not null)
            {
                writer.WriteString("NextToken", nextToken);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string? ReadPage(string text, List<string> items)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new AwsServiceException("GetProducts answered something other than a JSON object", 200, "InvalidResponse", retryable: false);
            }

            if (root.TryGetProperty("PriceList", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    throw new AwsServiceException("GetProducts answered a PriceList that is not an array", 200, "InvalidResponse", retryable: false);
                }

                foreach (var item in list.EnumerateArray())
                {
                    // The API returns each product as a JSON document inside a string.
                    items.Add(item.ValueKind == JsonValueKind.String
                        ? item.GetString()!
                        : throw new AwsServiceException("GetProducts answered a PriceList item that is not a string", 200, "InvalidResponse", retryable: false));
                }
            }

            return root.TryGetProperty("NextToken", out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } next
                ? next
                : null;
        }
        catch (JsonException ex)
        {
            throw new AwsServiceException("GetProducts answered invalid JSON", 200, "InvalidResponse", retryable: false, inner: ex);
        }
    }

    private async Task<string> SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        var request = new AwsRequest("Price List GetProducts", HttpMethod.Post, _endpoint, ContentType, body, [new("x-amz-target", GetProductsTarget)]);
        var response = await _sender.SendAsync(request, (status, text, _) => ParseError(text, (HttpStatusCode)status), cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>A JSON 1.1 error: <c>{"__type":"…#ThrottlingException","message":"…"}</c> (the message key may be capitalised).</summary>
    private static AwsServiceException ParseError(string text, HttpStatusCode status)
    {
        string code = "Unknown", detail = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("__type", out var type) && type.GetString() is { } t)
                {
                    code = t[(t.LastIndexOf('#') + 1)..];
                }

                if ((root.TryGetProperty("message", out var m) || root.TryGetProperty("Message", out m)) && m.ValueKind == JsonValueKind.String)
                {
                    detail = m.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // An HTML or empty error page: the status says enough.
        }

        var retryable = (int)status >= 500 || status == HttpStatusCode.TooManyRequests || code is "ThrottlingException" or "InternalErrorException";
        var message = new StringBuilder("Price List GetProducts failed: ").Append((int)status).Append(' ').Append(code);
        if (detail.Length > 0)
        {
            message.Append(": ").Append(detail.Length > 300 ? detail[..300] : detail);
        }

        return new AwsServiceException(message.ToString(), (int)status, code, retryable);
    }
}
