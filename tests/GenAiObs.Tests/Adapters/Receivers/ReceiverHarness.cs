using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Tests.Delivery;

namespace GenAiObs.Tests.Receivers;

/// <summary>
/// One loopback receiver answering from a script (then <see cref="Success"/>), and the runner and
/// services the notifier uses, with the waits recorded instead of slept.
/// </summary>
internal sealed class ReceiverHarness : IDisposable
{
    private readonly Queue<LoopbackResponse> _script = new();
    private readonly HttpClient _http = HttpPoster.CreateClient();

    public ReceiverHarness(LoopbackResponse? success = null)
    {
        Success = success ?? new LoopbackResponse(202, "{\"status\":\"success\",\"message\":\"Event processed\"}", "application/json");
        Server = new LoopbackHttpServer(_ =>
        {
            lock (_script)
            {
                return _script.Count > 0 ? _script.Dequeue() : Success;
            }
        });
        Services = new IntegrationServices(new HttpPoster(_http, TimeProvider.System, RetryPolicy.Default), WebhookUrlPolicy.LoopbackAllowed);
    }

    public LoopbackResponse Success { get; }

    public LoopbackHttpServer Server { get; }

    public RecordingDelay Delay { get; } = new();

    public IntegrationServices Services { get; }

    public void Script(params LoopbackResponse[] responses)
    {
        lock (_script)
        {
            foreach (var response in responses)
            {
                _script.Enqueue(response);
            }
        }
    }

    /// <summary>Delivers <paramref name="message"/> through <paramref name="config"/> with its secret parameter holding <paramref name="secret"/>.</summary>
    public Task<IntegrationResult> DeliverAsync(IntegrationConfig config, ReceiverMessage message, string secret, FakeSecrets? secrets = null)
    {
        secrets ??= new FakeSecrets(new Dictionary<string, string> { [config.Secret.Parameters[0]] = secret });
        return new IntegrationRunner(secrets, RetryPolicy.Default, Delay.DelayAsync).DeliverAsync(config, config.Create(Services), message, CancellationToken.None);
    }

    public System.Text.Json.JsonDocument LastBody() => System.Text.Json.JsonDocument.Parse(Server.Requests.Last().Body);

    public void Dispose()
    {
        Server.Dispose();
        _http.Dispose();
    }
}
