using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Core.Alerts;
using GenAiObs.Functions.Notifier;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>CloudWatch alarm state changes, as the native alarms publish them to the pagerduty topic.</summary>
public sealed class CloudWatchAlarmTests
{
    [Fact]
    public void TryParse_WhenMessageIsAMetricMathAlarm_ShouldReadItsFields()
    {
        var message = Encoding.UTF8.GetBytes(AlarmEvents.Message());

        var parsed = CloudWatchAlarm.TryParse(message, out var alarm);

        Assert.True(parsed);
        Assert.Equal("genaiobs-invocation-error-rate", alarm!.Name);
        Assert.Equal(AlarmState.Alarm, alarm.NewState);
        Assert.Equal(AlarmState.Ok, alarm.OldState);
        Assert.Equal(AlarmEvents.AlarmArn, alarm.Arn);
        Assert.Equal("111122223333", alarm.AccountId);
        Assert.Equal("US East (N. Virginia)", alarm.Region);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 15, 32, 871, TimeSpan.Zero), alarm.StateChangeTime);
        Assert.StartsWith("Threshold Crossed", alarm.Reason, StringComparison.Ordinal);
        Assert.Null(alarm.MetricName);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"AlarmName\":\"x\"}")]
    [InlineData("{\"AlarmName\":\"x\",\"NewStateValue\":\"BROKEN\"}")]
    [InlineData("{\"AlarmName\":42,\"NewStateValue\":\"ALARM\"}")]
    [InlineData("{\"source\":\"genaiobs\",\"alertname\":\"ErrorRateHigh\"}")]
    public void TryParse_WhenMessageIsNotAnAlarm_ShouldReturnFalse(string message)
    {
        var parsed = CloudWatchAlarm.TryParse(Encoding.UTF8.GetBytes(message), out var alarm);

        Assert.False(parsed);
        Assert.Null(alarm);
    }

    [Fact]
    public void DedupKey_WhenArnIsMissingOrLong_ShouldStayStableAndWithinPagerDutysLimit()
    {
        var withArn = Parse(AlarmEvents.Message());
        var withoutArn = Parse(AlarmEvents.Message(overrides: ("AlarmArn", null)));
        var longName = Parse(AlarmEvents.Message(overrides: [("AlarmArn", null), ("AlarmName", new string('n', 255))]));

        Assert.Equal(AlarmEvents.AlarmArn, withArn.DedupKey);
        Assert.Equal("cloudwatch-alarm:111122223333:genaiobs-invocation-error-rate", withoutArn.DedupKey);
        Assert.Matches("^cloudwatch-alarm:[0-9a-f]{64}$", longName.DedupKey);
        Assert.Equal(longName.DedupKey, Parse(AlarmEvents.Message(overrides: [("AlarmArn", null), ("AlarmName", new string('n', 255))])).DedupKey);
    }

    private static CloudWatchAlarm Parse(string message) =>
        CloudWatchAlarm.TryParse(Encoding.UTF8.GetBytes(message), out var alarm) ? alarm! : throw new InvalidOperationException("not an alarm");
}

/// <summary>The notifier delivering CloudWatch alarms to the loopback PagerDuty and Slack servers.</summary>
[Trait("Category", "Integration")]
public sealed class NotifierAlarmTests : IDisposable
{
    private const string RoutingKey = "pd-routing-key-0123456789";
    private readonly LoopbackHttpServer _pagerDuty = new(_ => new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
    private readonly LoopbackHttpServer _slack = new(_ => new LoopbackResponse(200, "ok"));
    private readonly HttpClient _http = new();
    private readonly StringWriter _log = new();

    public void Dispose()
    {
        _pagerDuty.Dispose();
        _slack.Dispose();
        _http.Dispose();
        _log.Dispose();
    }

    private NotifierFunction Notifier(Dictionary<string, string>? secrets = null, string? finopsParameter = null)
    {
        var settings = new NotifierSettings(new Uri(_pagerDuty.BaseUri, "v2/enqueue"), "/genaiobs/pagerduty/routing-key", "/genaiobs/slack/ops", finopsParameter)
        {
            ReceiverTopics = new Dictionary<string, string>
            {
                ["pagerduty"] = AlarmEvents.PagerDutyTopic,
                ["slack-ops"] = AlarmEvents.SlackOpsTopic,
                ["slack-finops"] = "arn:aws:sns:us-east-1:111122223333:genaiobs-SlackFinOpsTopic",
            },
        };
        secrets ??= new Dictionary<string, string>
        {
            ["/genaiobs/pagerduty/routing-key"] = RoutingKey,
            ["/genaiobs/slack/ops"] = new Uri(_slack.BaseUri, "services/T1/B1/secret").ToString(),
        };
        return TestNotifier.Create(settings, new FakeSecrets(secrets), _http, new RecordingDelay(), _log);
    }

    [Fact]
    public async Task ProcessAsync_WhenAnAlarmFiresOnThePagerDutyTopic_ShouldTriggerACriticalIncidentKeyedByTheAlarm()
    {
        var result = await Notifier().ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("ALARM", "OK")), CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        using var sent = JsonDocument.Parse(Assert.Single(_pagerDuty.Requests).Body);
        var root = sent.RootElement;
        Assert.Equal(RoutingKey, root.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", root.GetProperty("event_action").GetString());
        Assert.Equal(AlarmEvents.AlarmArn, root.GetProperty("dedup_key").GetString());
        var payload = root.GetProperty("payload");
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.StartsWith("[ALARM] genaiobs-invocation-error-rate: Threshold Crossed", payload.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-11-26T10:15:32.871Z", payload.GetProperty("timestamp").GetString());
        Assert.Equal("OK", payload.GetProperty("custom_details").GetProperty("previous_state").GetString());
        Assert.Empty(_slack.Requests);
        Assert.DoesNotContain(RoutingKey, _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_WhenTheAlarmReturnsToOk_ShouldResolveTheSameIncident()
    {
        var notifier = Notifier();
        await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("ALARM", "OK")), CancellationToken.None);

        var result = await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("OK", "ALARM")), CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        var requests = _pagerDuty.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();
        Assert.Equal(["trigger", "resolve"], requests.Select(r => r.GetProperty("event_action").GetString()));
        Assert.Equal(requests[0].GetProperty("dedup_key").GetString(), requests[1].GetProperty("dedup_key").GetString());
        Assert.False(requests[1].TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task ProcessAsync_WhenTheAlarmHasInsufficientData_ShouldSkipItWithoutCallingAReceiver()
    {
        var result = await Notifier().ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("INSUFFICIENT_DATA", "ALARM")), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 1, 0), result);
        Assert.Empty(_pagerDuty.Requests);
        Assert.Empty(_slack.Requests);
        using var line = JsonDocument.Parse(_log.ToString().Trim());
        Assert.Equal("insufficient_data", line.RootElement.GetProperty("reason").GetString());
        Assert.Equal("genaiobs-invocation-error-rate", line.RootElement.GetProperty("alarm").GetString());
    }

    [Fact]
    public async Task ProcessAsync_WhenAnAlarmIsRoutedToASlackTopic_ShouldPostBlockKitAndSkipOkWithoutAPriorAlarm()
    {
        var notifier = Notifier();

        var firing = await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("ALARM", "OK"), AlarmEvents.SlackOpsTopic), CancellationToken.None);
        var created = await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("OK", "INSUFFICIENT_DATA"), AlarmEvents.SlackOpsTopic), CancellationToken.None);
        var cleared = await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("OK", "ALARM"), AlarmEvents.SlackOpsTopic), CancellationToken.None);

        Assert.Equal((1, 0, 1), (firing.Delivered, created.Delivered, cleared.Delivered));
        Assert.Equal(1, created.Skipped);
        var messages = _slack.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal("ALARM: genaiobs-invocation-error-rate", messages[0].GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("OK: genaiobs-invocation-error-rate", messages[1].GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        Assert.StartsWith("[ALARM] genaiobs-invocation-error-rate", messages[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(_pagerDuty.Requests);
    }

    [Fact]
    public async Task ProcessAsync_WhenAnAlarmComesFromAnUnknownTopic_ShouldSkipAndLog()
    {
        var result = await Notifier().ProcessAsync(AlarmEvents.Event(AlarmEvents.Message(), "arn:aws:sns:us-east-1:111122223333:elsewhere"), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 1, 0), result);
        Assert.Empty(_pagerDuty.Requests);
        Assert.Contains("unknown_topic", _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_WhenTheReceiversParameterDoesNotExist_ShouldLogAndDropWithoutFailing()
    {
        var notifier = Notifier(new Dictionary<string, string>());

        var alarm = await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message()), CancellationToken.None);
        var notification = await notifier.ProcessAsync(NotifierAndNotifyTestTests.EventFor(SnsPublisherTests.Notification(receiver: "slack-ops")), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 1, 0), alarm);
        Assert.Equal(new NotifierResult(0, 1, 0), notification);
        var lines = _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(["/genaiobs/pagerduty/routing-key", "/genaiobs/slack/ops"], lines.Select(l => l.GetProperty("missingParameter").GetString()));
        Assert.All(lines, l => Assert.Equal("WARN", l.GetProperty("level").GetString()));
    }

    [Fact]
    public async Task ProcessAsync_WhenFinOpsParameterDoesNotExist_ShouldFallBackToTheOpsWebhook()
    {
        var notifier = Notifier(finopsParameter: "/genaiobs/slack/finops");

        var result = await notifier.ProcessAsync(NotifierAndNotifyTestTests.EventFor(SnsPublisherTests.Notification(receiver: "slack-finops")), CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        Assert.Equal("/services/T1/B1/secret", Assert.Single(_slack.Requests).Path);
    }

    [Fact]
    public async Task ProcessAsync_WhenPagerDutyKeepsFailingForAnAlarm_ShouldFailTheInvocationSoLambdaRetries()
    {
        using var failing = new LoopbackHttpServer(_ => new LoopbackResponse(503, "{}", "application/json"));
        var settings = new NotifierSettings(failing.BaseUri, "/k", null, null)
        {
            ReceiverTopics = new Dictionary<string, string> { ["pagerduty"] = AlarmEvents.PagerDutyTopic },
        };
        var notifier = TestNotifier.Create(settings, new FakeSecrets(new() { ["/k"] = RoutingKey }), _http, new RecordingDelay(), _log);

        var error = await Assert.ThrowsAsync<NotifierDeliveryException>(() => notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message()), CancellationToken.None));

        Assert.IsType<ReceiverDeliveryException>(error.InnerException);
        Assert.Equal(RetryPolicy.Default.MaxAttempts, failing.Requests.Count);
    }

    [Theory]
    [InlineData("{\"Records\":[{\"Sns\":{\"TopicArn\":\"arn:aws:sns:us-east-1:111122223333:genaiobs-PagerDutyTopic\",\"Message\":\"{\\\"AlarmName\\\":\\\"x\\\"}\"}}]}")]
    [InlineData("{\"Records\":[42]}")]
    [InlineData("[]")]
    public async Task ProcessAsync_WhenTheMessageIsUnknown_ShouldRejectAndNeverThrow(string json)
    {
        var result = await Notifier().ProcessAsync(Encoding.UTF8.GetBytes(json), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 0, 1), result);
        Assert.Empty(_pagerDuty.Requests);
    }
}
