using System.Text;

namespace GenAiObs.Tests.Delivery;

/// <summary>
/// A loopback SNS implementing the documented Publish contract: form fields parsed, the
/// SigV4 signature recomputed server-side, the 256 KB limit enforced, XML answers.
/// </summary>
internal sealed class FakeSns : IDisposable
{
    public const string AccessKey = "AKIDFAKESNS";
    public const string Secret = "fake/secret+key";
    public const string Region = "us-east-1";

    private readonly LoopbackHttpServer _server;
    private readonly Queue<LoopbackResponse> _scripted = new();
    private int _published;

    public FakeSns()
    {
        _server = new LoopbackHttpServer(Handle);
    }

    public Uri Endpoint => _server.BaseUri;

    public List<IReadOnlyDictionary<string, string>> Published { get; } = [];

    public List<string> Rejections { get; } = [];

    public int RequestCount => _server.Requests.Count;

    public LoopbackRequest LastRequest => _server.Requests.Last();

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

    public static LoopbackResponse Error(int status, string type, string code, string message) =>
        new(status, $"<ErrorResponse xmlns=\"https://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>", "text/xml");

    public static IReadOnlyDictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : string.Empty), StringComparer.Ordinal);

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

        var (valid, reason) = IndependentSigV4.Verify(request, AccessKey, Secret, Region, "sns");
        if (!valid)
        {
            lock (Rejections)
            {
                Rejections.Add(reason);
            }

            return Error(403, "Sender", "SignatureDoesNotMatch", reason);
        }

        if (request.Header("Content-Type") is not { } contentType || !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal))
        {
            return Error(400, "Sender", "InvalidParameter", "content type");
        }

        var form = ParseForm(request.BodyText);
        if (form.GetValueOrDefault("Action") != "Publish" || form.GetValueOrDefault("Version") != "2010-03-31")
        {
            return Error(400, "Sender", "InvalidAction", "Action/Version");
        }

        if (!form.TryGetValue("TopicArn", out var topic) || !topic.StartsWith("arn:aws:sns:", StringComparison.Ordinal))
        {
            return Error(404, "Sender", "NotFound", "Topic does not exist");
        }

        if (!form.TryGetValue("Message", out var message))
        {
            return Error(400, "Sender", "InvalidParameter", "Message missing");
        }

        var size = Encoding.UTF8.GetByteCount(message);
        for (var i = 1; form.TryGetValue($"MessageAttributes.entry.{i}.Name", out var name); i++)
        {
            size += Encoding.UTF8.GetByteCount(name)
                + Encoding.UTF8.GetByteCount(form[$"MessageAttributes.entry.{i}.Value.DataType"])
                + Encoding.UTF8.GetByteCount(form[$"MessageAttributes.entry.{i}.Value.StringValue"]);
        }

        if (size > 262_144)
        {
            return Error(400, "Sender", "InvalidParameter", "Message too long");
        }

        if (form.TryGetValue("Subject", out var subject) && (subject.Length >= 100 || subject.Any(char.IsControl)))
        {
            return Error(400, "Sender", "InvalidParameter", "Subject");
        }

        lock (Published)
        {
            Published.Add(form);
        }

        var id = Interlocked.Increment(ref _published);
        return new LoopbackResponse(200, $"<PublishResponse xmlns=\"https://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>msg-{id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-{id}</RequestId></ResponseMetadata></PublishResponse>", "text/xml");
    }
}
