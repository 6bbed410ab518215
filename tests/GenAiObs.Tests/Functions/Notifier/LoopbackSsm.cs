using System.Text.Json;
using GenAiObs.Tests.Delivery;

namespace GenAiObs.Tests.Wiring;

/// <summary>
/// A loopback server speaking SSM's JSON protocol for <c>GetParameter</c>: the parameters given
/// answer as decrypted SecureStrings (when asked WithDecryption), any other name answers
/// <c>ParameterNotFound</c> as SSM does.
/// </summary>
internal sealed class LoopbackSsm : IDisposable
{
    private readonly LoopbackHttpServer _server;

    public LoopbackSsm(IReadOnlyDictionary<string, string> parameters)
    {
        _server = new LoopbackHttpServer(request =>
        {
            using var body = JsonDocument.Parse(request.Body);
            var name = body.RootElement.GetProperty("Name").GetString()!;
            if (request.Header("X-Amz-Target") != "AmazonSSM.GetParameter" || !parameters.TryGetValue(name, out var value))
            {
                return new LoopbackResponse(400, Json(writer =>
                {
                    writer.WriteString("__type", "ParameterNotFound");
                    writer.WriteString("message", "Parameter not found.");
                }), "application/x-amz-json-1.1");
            }

            var decrypted = body.RootElement.TryGetProperty("WithDecryption", out var flag) && flag.GetBoolean();
            return new LoopbackResponse(200, Json(writer =>
            {
                writer.WriteStartObject("Parameter");
                writer.WriteString("Name", name);
                writer.WriteString("Type", "SecureString");
                writer.WriteString("Value", decrypted ? value : "AQICAHencrypted");
                writer.WriteNumber("Version", 1);
                writer.WriteEndObject();
            }), "application/x-amz-json-1.1");
        });
    }

    public Uri BaseUri => _server.BaseUri;

    public IReadOnlyList<string> RequestedNames =>
        _server.Requests.Select(r =>
        {
            using var body = JsonDocument.Parse(r.Body);
            return body.RootElement.GetProperty("Name").GetString()!;
        }).ToList();

    public void Dispose() => _server.Dispose();

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
