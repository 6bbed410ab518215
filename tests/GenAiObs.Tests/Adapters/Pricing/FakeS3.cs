using System.Collections.Concurrent;
using GenAiObs.Tests.Delivery;

namespace GenAiObs.Tests.Pricing;

/// <summary>
/// A loopback S3 serving GetObject path-style (<c>/BUCKET/KEY</c>) the way the REST API does:
/// the object's bytes, or the XML error (<c>NoSuchKey</c> 404, <c>AccessDenied</c> 403); it
/// requires <c>x-amz-content-sha256</c> and, when given credentials, recomputes the SigV4 signature.
/// </summary>
internal sealed class FakeS3 : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly (string AccessKey, string Secret, string Region)? _verify;

    public FakeS3((string AccessKey, string Secret, string Region)? verify = null)
    {
        _verify = verify;
        _server = new LoopbackHttpServer(Handle);
    }

    public Uri Endpoint => _server.BaseUri;

    public ConcurrentDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    public List<string> Rejections { get; } = [];

    public IReadOnlyList<LoopbackRequest> Requests => [.. _server.Requests];

    public void Dispose() => _server.Dispose();

    private static LoopbackResponse Error(int status, string code) =>
        new(status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message><RequestId>fake</RequestId></Error>", "application/xml");

    private LoopbackResponse Handle(LoopbackRequest request)
    {
        string? problem = request.Method != "GET" ? "method " + request.Method
            : request.Header("x-amz-content-sha256") is null ? "no x-amz-content-sha256"
            : _verify is { } v && IndependentSigV4.Verify(request, v.AccessKey, v.Secret, v.Region, "s3") is { Valid: false } verdict ? "signature: " + verdict.Reason
            : null;
        if (problem is not null)
        {
            lock (Rejections)
            {
                Rejections.Add(problem);
            }

            return Error(403, "SignatureDoesNotMatch");
        }

        var path = Uri.UnescapeDataString(request.Path.TrimStart('/'));
        return Objects.TryGetValue(path, out var body)
            ? new LoopbackResponse(200, System.Text.Encoding.UTF8.GetString(body), "application/json")
            : Error(404, "NoSuchKey");
    }
}
