using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.PagerDuty;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Receivers.PagerDuty;

[Trait("Category", "Integration")]
public sealed class PagerDutyIntegrationTests : IDisposable
{
    private readonly ReceiverHarness _receiver = new();

    public void Dispose() => _receiver.Dispose();

    private PagerDutyConfig Config(bool sendResolved = true) =>
        new() { Path = "receivers[0].pagerduty_configs[0]", Secret = new SecretReference(["/pd/key"]), SendResolved = sendResolved, Url = null };

    private IntegrationServices Services => _receiver.Services with { DefaultEndpoints = new Dictionary<string, Uri> { ["pagerduty"] = new(_receiver.Server.BaseUri, "v2/enqueue") } };

    private Task<IntegrationResult> DeliverAsync(ReceiverMessage message, PagerDutyConfig? config = null)
    {
        config ??= Config();
        var secrets = new FakeSecrets(new Dictionary<string, string> { ["/pd/key"] = "routing-key-1" });
        return new IntegrationRunner(secrets, Adapters.Http.RetryPolicy.Default, _receiver.Delay.DelayAsync).DeliverAsync(config, config.Create(Services), message, CancellationToken.None);
    }

    [Fact]
    public async Task NotifyAsync_WhenGroupFires_ShouldTriggerWithTheGroupFingerprintAsDedupKey()
    {
        var notification = SnsPublisherTests.Notification(alertCount: 2);

        var result = await DeliverAsync(ReceiverMessage.For(notification));

        Assert.Equal(IntegrationOutcome.Delivered, result.Outcome);
        var request = Assert.Single(_receiver.Server.Requests);
        Assert.Equal("/v2/enqueue", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        using var body = _receiver.LastBody();
        var root = body.RootElement;
        Assert.Equal("routing-key-1", root.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", root.GetProperty("event_action").GetString());
        // The group key derived by hand, not by AlertGroupKeys: the first 32 hex digits of SHA-256
        // over "pagerduty", "alertname", "ErrorRateHigh", "cloud_provider", "aws", each followed by
        // U+00FF (UTF-8 C3 BF) — computed with Python's hashlib.
        const string groupKey = "e067b651bb376bb1273363b928139ab2";
        Assert.Equal(groupKey, root.GetProperty("dedup_key").GetString());
        Assert.Equal(notification.GroupKey, root.GetProperty("dedup_key").GetString());
        var payload = root.GetProperty("payload");
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.Equal("ErrorRateHigh", payload.GetProperty("class").GetString());
        Assert.StartsWith("[critical] ErrorRateHigh: Error rate high for model-0000 (+1 more)", payload.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, payload.GetProperty("custom_details").GetProperty("alerts").GetArrayLength());
        Assert.Equal("model-0001", payload.GetProperty("custom_details").GetProperty("alerts")[1].GetProperty("labels").GetProperty("model").GetString());
    }

    [Fact]
    public async Task NotifyAsync_WhenGroupResolves_ShouldResolveTheSameIncident()
    {
        var firing = SnsPublisherTests.Notification();

        await DeliverAsync(ReceiverMessage.For(Resolved(firing)));

        using var body = _receiver.LastBody();
        Assert.Equal("resolve", body.RootElement.GetProperty("event_action").GetString());
        Assert.Equal(firing.GroupKey, body.RootElement.GetProperty("dedup_key").GetString());
        Assert.Equal("e067b651bb376bb1273363b928139ab2", body.RootElement.GetProperty("dedup_key").GetString()); // the trigger's key, derived by hand above
        Assert.False(body.RootElement.TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task NotifyAsync_WhenSendResolvedIsFalse_ShouldSkipTheResolve()
    {
        var result = await DeliverAsync(ReceiverMessage.For(Resolved(SnsPublisherTests.Notification())), Config(sendResolved: false));

        Assert.Equal(IntegrationOutcome.Skipped, result.Outcome);
        Assert.Equal("send_resolved_false", result.Detail);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Fact]
    public async Task NotifyAsync_WhenTheConfigNamesAUrl_ShouldPostThereInsteadOfTheDefault()
    {
        var config = Config() with { Url = new Uri(_receiver.Server.BaseUri, "custom/enqueue") };

        await DeliverAsync(ReceiverMessage.For(SnsPublisherTests.Notification()), config);

        Assert.Equal("/custom/enqueue", Assert.Single(_receiver.Server.Requests).Path);
    }

    [Fact]
    public async Task NotifyAsync_WhenRateLimitedWithRetryAfter_ShouldWaitThatLongAndRetry()
    {
        _receiver.Script(new LoopbackResponse(429, "{\"status\":\"throttle\"}", "application/json", [new("Retry-After", "7")]));

        await DeliverAsync(ReceiverMessage.For(SnsPublisherTests.Notification()));

        Assert.Equal(2, _receiver.Server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(7)], _receiver.Delay.Waits);
    }

    [Theory]
    [InlineData(AlertSeverity.Critical, "critical")]
    [InlineData(AlertSeverity.Warning, "warning")]
    [InlineData(AlertSeverity.Info, "info")]
    public void Severity_WhenMapped_ShouldKeepTheLevel(AlertSeverity severity, string expected)
    {
        Assert.Equal(expected, PagerDutyEvent.Severity(severity));
    }

    [Fact]
    public void Summary_WhenAlertSummaryIsHuge_ShouldStayWithin1024Characters()
    {
        var notification = SnsPublisherTests.Notification() with
        {
            Alerts = [Alert.Create("X", AlertSeverity.Warning, [], new string('s', 1024), null, DateTimeOffset.UnixEpoch)],
        };

        Assert.Equal(1024, PagerDutyEvent.Summary(notification).Length);
    }

    internal static AlertNotification Resolved(AlertNotification firing) => firing with
    {
        Status = AlertStatus.Resolved,
        Reason = NotifyReasons.AllAlertsResolved,
        Alerts = [.. firing.Alerts.Select(a => a with { EndsAt = a.StartsAt.AddHours(1) })],
    };
}
