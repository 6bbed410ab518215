using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GenAiObs.Adapters.Aws;

/// <summary>AWS credentials as the signer needs them (the session token is present inside Lambda).</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    // Never print the secret or the token.
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}

/// <summary>The parts of an HTTP request that Signature Version 4 covers.</summary>
public sealed record SigV4Request(
    string Method,
    Uri Uri,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Payload);

/// <summary>What to add to the request: every header that must be sent, signature included.</summary>
public sealed record SigV4Result(
    string Authorization,
    string AmzDate,
    string? SecurityToken,
    string CanonicalRequest,
    string StringToSign,
    string Signature);

/// <summary>
/// AWS Signature Version 4, owned here because the signer inside AWSSDK.Core is internal API
/// with no compatibility promise. Pure: time and credentials are arguments.
/// Steps (AWS General Reference): canonical request → string to sign → derived key → signature.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Signs <paramref name="request"/>. The <c>host</c> and <c>x-amz-date</c> headers are added
    /// to the signed set when the request does not carry them, and <c>x-amz-security-token</c>
    /// when the credentials have a session token.
    /// </summary>
    public static SigV4Result Sign(SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];

        var headers = new List<KeyValuePair<string, string>>(request.Headers);
        if (!headers.Any(h => h.Key.Equals("host", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("host", HostHeader(request.Uri)));
        }

        if (!headers.Any(h => h.Key.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("x-amz-date", amzDate));
        }

        if (!string.IsNullOrEmpty(credentials.SessionToken)
            && !headers.Any(h => h.Key.Equals("x-amz-security-token", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("x-amz-security-token", credentials.SessionToken));
        }

        var (canonicalRequest, signedHeaders) = CanonicalRequest(request.Method, request.Uri, headers, HexSha256(request.Payload.Span));
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";
        var key = SigningKey(credentials.SecretAccessKey, date, region, service);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Result(authorization, amzDate, string.IsNullOrEmpty(credentials.SessionToken) ? null : credentials.SessionToken, canonicalRequest, stringToSign, signature);
    }

    /// <summary>The canonical request and its signed-header list.</summary>
    public static (string CanonicalRequest, string SignedHeaders) CanonicalRequest(
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash)
    {
        var canonicalHeaders = headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(h => NormalizeHeaderValue(h.Value)))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var signedHeaders = string.Join(";", canonicalHeaders.Select(h => h.Name));

        var builder = new StringBuilder();
        builder.Append(method.ToUpperInvariant()).Append('\n');
        builder.Append(CanonicalPath(uri)).Append('\n');
        builder.Append(CanonicalQuery(uri)).Append('\n');
        foreach (var (name, value) in canonicalHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return (builder.ToString(), signedHeaders);
    }

    /// <summary>HMAC chain: "AWS4"+secret → date → region → service → "aws4_request".</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>RFC 3986 percent-encoding: everything but A–Z a–z 0–9 - _ . ~ (space is %20, never +).</summary>
    public static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string HostHeader(Uri uri) => uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";

    private static string NormalizeHeaderValue(string value)
    {
        // Trim and collapse runs of spaces, as the canonical form requires.
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }

    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        // Each segment of the decoded path, RFC 3986-encoded (our requests only use "/").
        return string.Join("/", path.Split('/').Select(segment => UriEncode(Uri.UnescapeDataString(segment))));
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        return string.Join("&", query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part =>
            {
                var index = part.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(index < 0 ? part : part[..index]);
                var value = index < 0 ? string.Empty : Uri.UnescapeDataString(part[(index + 1)..].Replace('+', ' '));
                return (Name: UriEncode(name), Value: UriEncode(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }
}
