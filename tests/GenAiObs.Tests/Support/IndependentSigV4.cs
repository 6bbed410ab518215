using System.Security.Cryptography;
using System.Text;

namespace GenAiObs.Tests.Delivery;

/// <summary>
/// A second, deliberately plain SigV4 computation (string concatenation straight from the AWS
/// documentation) used to check the production signer and, server-side, incoming requests.
/// </summary>
internal static class IndependentSigV4
{
    public static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public static byte[] Hmac(byte[] key, string data)
    {
        using var hmac = new HMACSHA256(key);
        return hmac.ComputeHash(Encoding.UTF8.GetBytes(data));
    }

    public static string Sha256Hex(byte[] data) => Hex(SHA256.HashData(data));

    /// <summary>canonical headers given as already-lowercased, trimmed "name:value" lines in sorted order.</summary>
    public static string CanonicalRequest(string method, string path, string canonicalQuery, IReadOnlyList<string> headerLines, string signedHeaders, string payloadHash) =>
        method + "\n" + path + "\n" + canonicalQuery + "\n" + string.Join("", headerLines.Select(l => l + "\n")) + "\n" + signedHeaders + "\n" + payloadHash;

    public static string Signature(string secret, string amzDate, string region, string service, string canonicalRequest)
    {
        var date = amzDate[..8];
        var stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + date + "/" + region + "/" + service + "/aws4_request\n"
            + Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));
        var kDate = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        var kRegion = Hmac(kDate, region);
        var kService = Hmac(kRegion, service);
        var kSigning = Hmac(kService, "aws4_request");
        return Hex(Hmac(kSigning, stringToSign));
    }

    /// <summary>
    /// Verifies a received request the way SNS would: rebuild the canonical request from the
    /// headers the Authorization header says were signed and compare signatures.
    /// </summary>
    public static (bool Valid, string Reason) Verify(LoopbackRequest request, string accessKey, string secret, string region, string service)
    {
        var authorization = request.Header("Authorization");
        if (authorization is null || !authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return (false, "no SigV4 Authorization header");
        }

        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ")
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var credential = parts["Credential"].Split('/');
        if (credential[0] != accessKey || credential[2] != region || credential[3] != service || credential[4] != "aws4_request")
        {
            return (false, "wrong credential scope " + parts["Credential"]);
        }

        var amzDate = request.Header("X-Amz-Date") ?? string.Empty;
        if (credential[1] != amzDate[..8])
        {
            return (false, "scope date does not match X-Amz-Date");
        }

        var signedHeaders = parts["SignedHeaders"];
        var lines = signedHeaders.Split(';').Select(name => name + ":" + (request.Header(name) ?? string.Empty).Trim()).ToList();
        var canonical = CanonicalRequest(request.Method, request.Path, string.Empty, lines, signedHeaders, Sha256Hex(request.Body));
        var expected = Signature(secret, amzDate, region, service, canonical);
        return expected == parts["Signature"] ? (true, "ok") : (false, "signature mismatch");
    }
}
