using System.Text.Json;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Core.Alerts;
using Xunit;

namespace GenAiObs.Tests.Delivery;

public sealed class ReceiverTests : IDisposable
{
    private readonly HttpClient _http = new();
    private readonly RecordingDelay _delay = new();
    private readonly Queue<LoopbackResponse> _script = new();
    private readonly LoopbackHttpServer _server;

    public ReceiverTests()
    {
        _server = new LoopbackHttpServer(_ =>
        {
            lock (_script)
            {
                return _script.Count > 0 ? _script.Dequeue() : new LoopbackResponse(202, "{\"status\":\"success\",\"message\":\"Event processed\"}", "application/json");
            }
        });
    }

    public void Dispose()
    {
        _server.Dispose();
        _http.Dispose();
    }

    private WebhookSender Sender() => new(_http, TimeProvider.System, RetryPolicy.Default, _delay.DelayAsync);

    private void Script(params LoopbackResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    private JsonDocument LastBody() => JsonDocument.Parse(_server.Requests.Last().Body);

    [Fact]
    public async Task PagerDuty_WhenGroupFires_ShouldTriggerWithTheGroupFingerprintAsDedupKey()
    {
        var notification = SnsPublisherTests.Notification(alertCount: 2);
        var client = new PagerDutyClient(Sender(), new Uri(_server.BaseUri, "v2/enqueue"));

        await client.SendAsync(notification, "routing-key-1", CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v2/enqueue", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        using var body = LastBody();
        var root = body.RootElement;
        Assert.Equal("routing-key-1", root.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", root.GetProperty("event_action").GetString());
        Assert.Equal(notification.GroupKey, root.GetProperty("dedup_key").GetString());
        var payload = root.GetProperty("payload");
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.Equal("ErrorRateHigh", payload.GetProperty("class").GetString());
        Assert.StartsWith("[critical] ErrorRateHigh: Error rate high for model-0000 (+1 more)", payload.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, payload.GetProperty("custom_details").GetProperty("alerts").GetArrayLength());
        Assert.Equal("model-0001", payload.GetProperty("custom_details").GetProperty("alerts")[1].GetProperty("labels").GetProperty("model").GetString());
    }

    [Fact]
    public async Task PagerDuty_WhenGroupResolves_ShouldResolveTheSameIncident()
    {
        var firing = SnsPublisherTests.Notification();
        var resolved = firing with
        {
            Status = AlertStatus.Resolved,
            Reason = NotifyReasons.AllAlertsResolved,
            Alerts = [.. firing.Alerts.Select(a => a with { EndsAt = a.StartsAt.AddHours(1) })],
        };
        var client = new PagerDutyClient(Sender(), _server.BaseUri);

        await client.SendAsync(resolved, "key", CancellationToken.None);

        using var body = LastBody();
        Assert.Equal("resolve", body.RootElement.GetProperty("event_action").GetString());
        Assert.Equal(firing.GroupKey, body.RootElement.GetProperty("dedup_key").GetString());
    }

    [Theory]
    [InlineData(AlertSeverity.Critical, "critical")]
    [InlineData(AlertSeverity.Warning, "warning")]
    [InlineData(AlertSeverity.Info, "info")]
    public void PagerDutySeverity_WhenMapped_ShouldKeepTheLevel(AlertSeverity severity, string expected)
    {
        Assert.Equal(expected, PagerDutyEvent.Severity(severity));
    }

    [Fact]
    public void PagerDutySummary_WhenAlertSummaryIsHuge_ShouldStayWithin1024Characters()
    {
        var notification = SnsPublisherTests.Notification() with
        {
            Alerts = [Alert.Create("X", AlertSeverity.Warning, [], new string('s', 1024), null, DateTimeOffset.UnixEpoch)],
        };

        Assert.True(PagerDutyEvent.Summary(notification).Length <= 1024);
    }

    [Fact]
    public async Task PagerDuty_WhenRateLimitedWithRetryAfter_ShouldWaitThatLongAndRetry()
    {
        Script(new LoopbackResponse(429, "{\"status\":\"throttle\"}", "application/json", [new("Retry-After", "7")]));
        var client = new PagerDutyClient(Sender(), _server.BaseUri);

        await client.SendAsync(SnsPublisherTests.Notification(), "key", CancellationToken.None);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(7)], _delay.Waits);
    }

    [Fact]
    public async Task Slack_WhenRetryAfterIsLongerThanTheBound_ShouldWaitOnlyTheBound()
    {
        Script(new LoopbackResponse(429, "rate_limited", "text/plain", [new("Retry-After", "3600")]));
        var client = new SlackWebhookClient(Sender());

        await client.SendAsync(SnsPublisherTests.Notification(), new Uri(_server.BaseUri, "services/T000/B000/XXXX"), CancellationToken.None);

        Assert.Equal([RetryPolicy.Default.MaxRetryAfter], _delay.Waits);
    }

    [Fact]
    public async Task Slack_WhenServerFailsTwice_ShouldBackOffAndDeliver()
    {
        Script(new LoopbackResponse(500, "oops"), new LoopbackResponse(503, "busy"));
        var client = new SlackWebhookClient(Sender());

        await client.SendAsync(SnsPublisherTests.Notification(), _server.BaseUri, CancellationToken.None);

        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], _delay.Waits);
    }

    [Fact]
    public async Task Slack_WhenServerKeepsFailing_ShouldThrowARetryableErrorWithoutTheUrl()
    {
        Script(Enumerable.Repeat(new LoopbackResponse(500, "oops"), 4).ToArray());
        var client = new SlackWebhookClient(Sender());
        var webhook = new Uri(_server.BaseUri, "services/T000/B000/SECRET");

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => client.SendAsync(SnsPublisherTests.Notification(), webhook, CancellationToken.None));

        Assert.True(error.Retryable);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal(4, _server.Requests.Count);
        Assert.DoesNotContain("SECRET", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_WhenPayloadIsRejected_ShouldFailAtOnce()
    {
        Script(new LoopbackResponse(400, "invalid_payload"));
        var client = new SlackWebhookClient(Sender());

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => client.SendAsync(SnsPublisherTests.Notification(), _server.BaseUri, CancellationToken.None));

        Assert.False(error.Retryable);
        Assert.Contains("invalid_payload", error.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
        Assert.Empty(_delay.Waits);
    }

    [Fact]
    public async Task Slack_WhenDelivered_ShouldSendBlockKitWithATextFallback()
    {
        var notification = SnsPublisherTests.Notification(alertCount: 12) with { IsTest = true };
        var client = new SlackWebhookClient(Sender());

        await client.SendAsync(notification, _server.BaseUri, CancellationToken.None);

        using var body = LastBody();
        var root = body.RootElement;
        Assert.StartsWith("[TEST] [FIRING:12] ErrorRateHigh (critical): ", root.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = root.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Contains(NotificationText.TestBanner, blocks[1].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(SlackMessage.MaxAlertSections, blocks.Count(b => b.GetProperty("type").GetString() == "section") - 1);
        Assert.Equal("context", blocks[^1].GetProperty("type").GetString());
        Assert.Contains("2 more alert(s) not shown", blocks[^1].GetProperty("elements")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SlackEscape_WhenTextHasControlCharacters_ShouldEscapeThem()
    {
        Assert.Equal("a &lt;b&gt; &amp; c", SlackMessage.Escape("a <b> & c"));
    }
}
