using System.Text.Json;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.Webhook;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Receivers.PagerDuty;
using Xunit;

namespace GenAiObs.Tests.Receivers.Webhook;

[Trait("Category", "Integration")]
public sealed class WebhookIntegrationTests : IDisposable
{
    private readonly ReceiverHarness _receiver = new(new LoopbackResponse(200, "ok"));

    public void Dispose() => _receiver.Dispose();

    private static WebhookConfig Config(int maxAlerts = 0, bool sendResolved = true) =>
        new() { Path = "receivers[0].webhook_configs[0]", Secret = new SecretReference(["/hooks/ops"]), SendResolved = sendResolved, MaxAlerts = maxAlerts };

    private string Url => new Uri(_receiver.Server.BaseUri, "alertmanager/hook?token=SECRET").ToString();

    [Fact]
    public void Parse_WhenConfiguredInYaml_ShouldBeRegisteredUnderWebhookConfigs()
    {
        var configuration = ReceiverConfigParser.Parse(
            "route: {receiver: tools}\nreceivers: [{name: tools, webhook_configs: [{url_parameter: /genaiobs/hooks/tools, max_alerts: 5}]}]",
            "GENAIOBS_ROUTING",
            ReceiverConfiguration.Legacy(null, null, null));

        var config = Assert.IsType<WebhookConfig>(Assert.Single(configuration.Find("tools")!.Integrations));
        Assert.Equal(["/genaiobs/hooks/tools"], config.Secret.Parameters);
        Assert.Equal(5, config.MaxAlerts);
        Assert.True(config.SendResolved);
    }

    [Fact]
    public async Task NotifyAsync_WhenAGroupFires_ShouldPostAlertmanagersVersion4Payload()
    {
        var notification = SnsPublisherTests.Notification(alertCount: 3);

        await _receiver.DeliverAsync(Config(maxAlerts: 2), ReceiverMessage.For(notification), Url);

        var request = Assert.Single(_receiver.Server.Requests);
        Assert.Equal("/alertmanager/hook", request.Path);
        using var body = _receiver.LastBody();
        var root = body.RootElement;
        Assert.Equal("4", root.GetProperty("version").GetString());
        // The group key derived by hand, not by AlertGroupKeys: the first 32 hex digits of SHA-256
        // over "pagerduty", "alertname", "ErrorRateHigh", "cloud_provider", "aws", each followed by
        // U+00FF (UTF-8 C3 BF) — computed with Python's hashlib.
        const string groupKey = "e067b651bb376bb1273363b928139ab2";
        Assert.Equal(groupKey, root.GetProperty("groupKey").GetString());
        Assert.Equal(notification.GroupKey, root.GetProperty("groupKey").GetString());
        Assert.Equal(1, root.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("firing", root.GetProperty("status").GetString());
        Assert.Equal("pagerduty", root.GetProperty("receiver").GetString());
        Assert.Equal("ErrorRateHigh", root.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Equal("critical", root.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.False(root.GetProperty("commonLabels").TryGetProperty("model", out _));
        Assert.Equal(string.Empty, root.GetProperty("externalURL").GetString());
        var alerts = root.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal("firing", alerts[0].GetProperty("status").GetString());
        Assert.Equal("model-0001", alerts[1].GetProperty("labels").GetProperty("model").GetString());
        Assert.Equal("Error rate high for model-0001", alerts[1].GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("2025-03-10T12:00:00.000Z", alerts[0].GetProperty("startsAt").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", alerts[0].GetProperty("endsAt").GetString());
        // Alertmanager's fingerprint derived by hand, not by LabelSet: FNV-1a 64 over the sorted labels
        // alertname=ErrorRateHigh, cloud_provider=aws, model=model-0000, severity=critical, each name
        // and value followed by the 0xFF byte — computed with a few lines of Python.
        Assert.Equal("71e6c7f9a998d8d9", alerts[0].GetProperty("fingerprint").GetString());
        Assert.Equal("601646271f3b2f24", alerts[1].GetProperty("fingerprint").GetString());
        Assert.Equal(notification.Alerts[0].Fingerprint, alerts[0].GetProperty("fingerprint").GetString());
        Assert.Equal(string.Empty, alerts[0].GetProperty("generatorURL").GetString());
    }

    [Fact]
    public async Task NotifyAsync_WhenTheGroupResolves_ShouldSendResolvedWithEndsAt()
    {
        await _receiver.DeliverAsync(Config(), ReceiverMessage.For(PagerDutyIntegrationTests.Resolved(SnsPublisherTests.Notification())), Url);

        using var body = _receiver.LastBody();
        Assert.Equal("resolved", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("2025-03-10T13:00:00.000Z", body.RootElement.GetProperty("alerts")[0].GetProperty("endsAt").GetString());
    }

    [Fact]
    public async Task NotifyAsync_WhenTheUrlIsNotHttps_ShouldFailWithoutPosting()
    {
        var config = Config();
        var strict = config.Create(_receiver.Services with { Urls = WebhookUrlPolicy.Strict });
        var runner = new IntegrationRunner(new FakeSecrets(new Dictionary<string, string> { ["/hooks/ops"] = "http://tools.example/hook" }), Adapters.Http.RetryPolicy.Default, _receiver.Delay.DelayAsync);

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => runner.DeliverAsync(config, strict, ReceiverMessage.For(SnsPublisherTests.Notification()), CancellationToken.None));

        Assert.Equal("webhook delivery failed: no response webhook URL is not https", error.Message);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Fact]
    public void BuildForAlarm_WhenTheAlarmFires_ShouldBeOneCriticalAlertKeyedByTheAlarm()
    {
        var alarm = new CloudWatchAlarm("genaiobs-dead-letters", "arn:aws:cloudwatch:us-east-1:111122223333:alarm:genaiobs-dead-letters", "DLQ not empty", "111122223333", "us-east-1", AlarmState.Alarm, AlarmState.Ok, "Threshold Crossed", new DateTimeOffset(2026, 11, 26, 10, 15, 32, TimeSpan.Zero), "AWS/SQS", "ApproximateNumberOfMessagesVisible");

        using var body = JsonDocument.Parse(WebhookMessage.BuildForAlarm(alarm));

        var root = body.RootElement;
        Assert.Equal("arn:aws:cloudwatch:us-east-1:111122223333:alarm:genaiobs-dead-letters", root.GetProperty("groupKey").GetString());
        var alert = Assert.Single(root.GetProperty("alerts").EnumerateArray());
        Assert.Equal("genaiobs-dead-letters", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("critical", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal("[ALARM] genaiobs-dead-letters: Threshold Crossed", alert.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("2026-11-26T10:15:32.000Z", alert.GetProperty("startsAt").GetString());
    }
}
