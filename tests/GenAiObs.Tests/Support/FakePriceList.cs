using System.Text.Json;
using System.Text.Json.Nodes;
using GenAiObs.Tests.Delivery;

namespace GenAiObs.Tests.Pricing;

/// <summary>
/// A loopback AWS Price List Query API implementing the documented GetProducts contract: JSON
/// 1.1 (POST, X-Amz-Target AWSPriceListService.GetProducts, application/x-amz-json-1.1), the
/// SigV4 signature recomputed for the service "pricing", ServiceCode and TERM_MATCH filters
/// applied, PriceList items returned as JSON strings, pages linked by NextToken.
/// </summary>
internal sealed class FakePriceList : IDisposable
{
    public const string AccessKey = "AKIDFAKEPRICING";
    public const string Secret = "fake/pricing+secret";
    public const string SigningRegion = "us-east-1";

    private readonly LoopbackHttpServer _server;
    private readonly List<JsonObject> _products;
    private readonly int _pageSize;
    private readonly Queue<LoopbackResponse> _scripted = new();

    public FakePriceList(int pageSize = 4)
    {
        _pageSize = pageSize;
        _products = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pricelist", "products.json")))!
            .AsArray().Select(p => p!.AsObject()).ToList();
        _server = new LoopbackHttpServer(Handle);
    }

    public Uri Endpoint => _server.BaseUri;

    public List<string> Rejections { get; } = [];

    public IReadOnlyList<LoopbackRequest> Requests => [.. _server.Requests];

    /// <summary>Answers the next requests with these responses before behaving normally again.</summary>
    public void Script(params LoopbackResponse[] responses)
    {
        lock (_scripted)
        {
            foreach (var response in responses)
            {
                _scripted.Enqueue(response);
            }
        }
    }

    public static LoopbackResponse Error(int status, string type, string message) =>
        new(status, $"{{\"__type\":\"com.amazonaws.awspricing#{type}\",\"Message\":\"{message}\"}}", "application/x-amz-json-1.1");

    public void Dispose() => _server.Dispose();

    private LoopbackResponse Handle(LoopbackRequest request)
    {
        lock (_scripted)
        {
            if (_scripted.Count > 0)
            {
                return _scripted.Dequeue();
            }
        }

        string? problem = null;
        if (request.Method != "POST")
        {
            problem = "method " + request.Method;
        }
        else if (request.Header("X-Amz-Target") != "AWSPriceListService.GetProducts")
        {
            problem = "X-Amz-Target " + request.Header("X-Amz-Target");
        }
        else if (request.Header("Content-Type")?.StartsWith("application/x-amz-json-1.1", StringComparison.Ordinal) != true)
        {
            problem = "Content-Type " + request.Header("Content-Type");
        }
        else if (IndependentSigV4.Verify(request, AccessKey, Secret, SigningRegion, "pricing") is { Valid: false } verdict)
        {
            problem = "signature: " + verdict.Reason;
        }

        if (problem is not null)
        {
            lock (Rejections)
            {
                Rejections.Add(problem);
            }

            return Error(400, "InvalidParameterException", problem);
        }

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        var serviceCode = root.GetProperty("ServiceCode").GetString();
        var filters = root.TryGetProperty("Filters", out var f)
            ? f.EnumerateArray().Select(x => (Type: x.GetProperty("Type").GetString(), Field: x.GetProperty("Field").GetString()!, Value: x.GetProperty("Value").GetString())).ToList()
            : [];
        if (root.GetProperty("FormatVersion").GetString() != "aws_v1" || filters.Any(x => x.Type != "TERM_MATCH"))
        {
            return Error(400, "InvalidParameterException", "FormatVersion must be aws_v1 and filters TERM_MATCH");
        }

        var matching = _products
            .Where(p => p["serviceCode"]!.GetValue<string>() == serviceCode)
            .Where(p => filters.All(x => p["product"]!["attributes"]![x.Field]?.GetValue<string>() == x.Value))
            .ToList();
        var start = root.TryGetProperty("NextToken", out var token) ? int.Parse(token.GetString()!.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var page = matching.Skip(start).Take(_pageSize).ToList();
        var answer = new JsonObject
        {
            ["FormatVersion"] = "aws_v1",
            ["PriceList"] = new JsonArray([.. page.Select(p => (JsonNode)JsonValue.Create(p.ToJsonString())!)]),
        };
        if (start + _pageSize < matching.Count)
        {
            answer["NextToken"] = $"page-{start + _pageSize}";
        }

        return new LoopbackResponse(200, answer.ToJsonString(), "application/x-amz-json-1.1");
    }
}
