using GenAiObs.Core.Alerts;
using GenAiObs.Functions.Notifier;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// The notifier's secrets (the PagerDuty routing key and the Slack webhook URL, read from SSM)
/// never appear in its log lines, its exception messages, or the error report the runtime would
/// post for a failed invocation — even when a receiver echoes the request back in its error body,
/// is unreachable, or the parameter holds the wrong kind of value.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretLeakTests : IDisposable
{
    private static readonly string[] SecretParts = [AlertChain.RoutingKey, "T0SECRET", "B0SECRET", "XyZwebhookSECRET42"];

    private readonly HttpClient _http = new();
    private readonly StringWriter _log = new();

    public void Dispose()
    {
        _http.Dispose();
        _log.Dispose();
    }

    public static TheoryData<string> Cases => new()
    {
        "PagerDuty answers 400 echoing the request (routing key included)",
        "PagerDuty answers 500 echoing the request until the retries run out",
        "Slack answers 404 naming the webhook URL",
        "Slack answers 500 echoing the webhook path until the retries run out",
        "Slack is unreachable",
        "the Slack parameter holds the routing key instead of a URL",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Notifier_WhenDeliveryFails_ShouldKeepTheSecretsOutOfLogsExceptionsAndTheRuntimeError(string failure)
    {
        // Arrange
        using var pagerDuty = new LoopbackHttpServer(request => failure.StartsWith("PagerDuty answers 400", StringComparison.Ordinal)
            ? new LoopbackResponse(400, "{\"status\":\"invalid event\",\"received\":" + request.BodyText + "}", "application/json")
            : new LoopbackResponse(500, "upstream error for " + request.BodyText, "text/plain"));
        using var slack = new LoopbackHttpServer(request => failure.StartsWith("Slack answers 404", StringComparison.Ordinal)
            ? new LoopbackResponse(404, "no_service: " + new Uri(new Uri("http://127.0.0.1/"), request.Target), "text/plain")
            : new LoopbackResponse(500, "error at " + request.Target, "text/html"));
        var slackBase = failure == "Slack is unreachable" ? ClosedPort() : slack.BaseUri;
        var notifier = AlertChain.Notifier(pagerDuty.BaseUri, slackBase, _http, new RecordingDelay(), _log);
        var secrets = failure.Contains("routing key instead", StringComparison.Ordinal)
            ? NotifierWithSlackParameter(pagerDuty.BaseUri, AlertChain.RoutingKey)
            : notifier;
        var receiver = failure.StartsWith("PagerDuty", StringComparison.Ordinal) ? "pagerduty" : "slack-ops";
        var notification = SnsPublisherTests.Notification(receiver: receiver);
        var lambdaEvent = AlertChain.LambdaEventFor(FakeSns.ParseForm(Adapters.Sns.SnsClient.EncodePublish(SnsAlertMessage.Build(notification, AlertChain.Topics[receiver]))));

        // Act
        var error = await Assert.ThrowsAsync<NotifierDeliveryException>(() => secrets.ProcessAsync(lambdaEvent, CancellationToken.None));
        var report = RuntimeErrors.From(error);

        // Assert: the failure is reported and logged …
        Assert.Contains("\"level\":\"ERROR\"", _log.ToString(), StringComparison.Ordinal);
        Assert.Equal(nameof(NotifierDeliveryException), report.ErrorType);

        // … and no channel carries a secret.
        foreach (var (channel, text) in new[]
        {
            ("notifier log", _log.ToString()),
            ("exception (with inner exceptions and stack)", error.ToString()),
            ("runtime error report", report.ErrorMessage + string.Join("\n", report.StackTrace)),
        })
        {
            Assert.All(SecretParts, secret => Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{secret} leaked into the {channel}: {text}"));
        }
    }

    [Fact]
    public async Task Notifier_WhenDeliveriesSucceed_ShouldLogNoSecret()
    {
        using var pagerDuty = new LoopbackHttpServer(_ => new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
        using var slack = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"));
        var notifier = AlertChain.Notifier(pagerDuty.BaseUri, slack.BaseUri, _http, new RecordingDelay(), _log);

        foreach (var receiver in new[] { "pagerduty", "slack-ops", "default", "slack-finops" })
        {
            var notification = SnsPublisherTests.Notification(receiver: receiver);
            await notifier.ProcessAsync(AlertChain.LambdaEventFor(FakeSns.ParseForm(Adapters.Sns.SnsClient.EncodePublish(SnsAlertMessage.Build(notification, AlertChain.Topics[receiver])))), CancellationToken.None);
        }

        Assert.Equal(4, _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(SecretParts, secret => Assert.DoesNotContain(secret, _log.ToString(), StringComparison.Ordinal));
    }

    private NotifierFunction NotifierWithSlackParameter(Uri pagerDuty, string value) =>
        TestNotifier.Create(
            new NotifierSettings(new Uri(pagerDuty, "v2/enqueue"), "/genaiobs/pagerduty-routing-key", "/genaiobs/slack-ops-webhook", null),
            new FakeSecrets(new Dictionary<string, string> { ["/genaiobs/pagerduty-routing-key"] = AlertChain.RoutingKey, ["/genaiobs/slack-ops-webhook"] = value }),
            _http,
            new RecordingDelay(),
            _log);

    /// <summary>A loopback address nobody listens on (the port was bound, then released).</summary>
    private static Uri ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
