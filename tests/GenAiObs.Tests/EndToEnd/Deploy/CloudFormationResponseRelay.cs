using GenAiObs.Tests.Delivery;

namespace GenAiObs.Tests.Deploy;

/// <summary>
/// Stands in for the pre-signed S3 <c>ResponseURL</c> of a custom-resource request: records each
/// answer the function PUTs and hands it on to moto's CloudFormation, which completes or fails the
/// waiting stack. moto's response endpoint (<c>/cloudformation_REGION/cfnresponse</c>) files the
/// answer by the request's Host header, so the relay addresses it as the region's CloudFormation
/// endpoint (<c>cloudformation.REGION.amazonaws.com</c>); with a loopback Host moto does not route it.
/// </summary>
internal sealed class CloudFormationResponseRelay : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly List<byte[]> _answers = [];

    public CloudFormationResponseRelay(string region)
    {
        _server = new LoopbackHttpServer(request =>
        {
            lock (_answers)
            {
                _answers.Add(request.Body);
            }

            using var http = new HttpClient();
            using var forward = new HttpRequestMessage(HttpMethod.Put, new Uri(MotoServer.Endpoint, request.Target.TrimStart('/'))) { Content = new ByteArrayContent(request.Body) };
            forward.Headers.Host = $"cloudformation.{region}.amazonaws.com";
            using var response = http.Send(forward);
            return new LoopbackResponse((int)response.StatusCode);
        });
    }

    /// <summary>Every answer received so far, in order.</summary>
    public IReadOnlyList<byte[]> Answers
    {
        get
        {
            lock (_answers)
            {
                return [.. _answers];
            }
        }
    }

    /// <summary>The ResponseURL for a request of the stack <paramref name="stackId"/>, in moto's form.</summary>
    public Uri ResponseUrl(string stackId) =>
        new(_server.BaseUri, $"cloudformation_{stackId.Split(':')[3]}/cfnresponse?stack={Uri.EscapeDataString(stackId)}");

    public void Dispose() => _server.Dispose();
}
