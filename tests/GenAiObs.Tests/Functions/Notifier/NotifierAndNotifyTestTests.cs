using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Sns;
using GenAiObs.Cli;
using GenAiObs.Cli.Commands;
using GenAiObs.Core.Alerts;
using GenAiObs.Functions.Notifier;
using Xunit;

namespace GenAiObs.Tests.Delivery;

internal sealed class FakeSecrets(Dictionary<string, string> values) : ISecretSource
{
    public List<string> Reads { get; } = [];

    public List<string> Invalidated { get; } = [];

    public void Invalidate(string parameterName) => Invalidated.Add(parameterName);

    public Task<string> GetSecretAsync(string parameterName, CancellationToken cancellationToken)
    {
        Reads.Add(parameterName);
        return values.TryGetValue(parameterName, out var value)
            ? Task.FromResult(value)
            : throw new SecretNotFoundException(parameterName);
    }
}

[Trait("Category", "Integration")]
public sealed class NotifierAndNotifyTestTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 9, 30, 0, TimeSpan.Zero);

    private readonly FakeSns _sns = new();
    private readonly LoopbackHttpServer _pagerDuty;
    private readonly LoopbackHttpServer _slack;
    private readonly HttpClient _http = new();
    private readonly RecordingDelay _delay = new();
    private readonly StringWriter _log = new();
    private readonly Queue<LoopbackResponse> _pagerDutyScript = new();

    public NotifierAndNotifyTestTests()
    {
        _pagerDuty = new LoopbackHttpServer(_ =>
        {
            lock (_pagerDutyScript)
            {
                return _pagerDutyScript.Count > 0 ? _pagerDutyScript.Dequeue() : new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json");
            }
        });
        _slack = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"));
    }

    public void Dispose()
    {
        _sns.Dispose();
        _pagerDuty.Dispose();
        _slack.Dispose();
        _http.Dispose();
        _log.Dispose();
    }

    private CliEnvironment Environment(string topics = "{\"pagerduty\":\"arn:aws:sns:us-east-1:123456789012:pd\",\"slack-ops\":\"arn:aws:sns:us-east-1:123456789012:ops\"}") =>
        new(
            new Dictionary<string, string>
            {
                ["AWS_REGION"] = FakeSns.Region,
                ["AWS_ENDPOINT_URL_SNS"] = _sns.Endpoint.ToString(),
                ["GENAIOBS_RECEIVER_TOPICS"] = topics,
            },
            "samples");

    private NotifyTestCommand Command(CliEnvironment environment) =>
        new(
            environment,
            settings => new SnsAlertPublisher(
                new SnsClient(_http, settings.Endpoint, settings.Region, new StaticCredentialsSource(new AwsCredentials(FakeSns.AccessKey, FakeSns.Secret, "tok")), new FixedTime(Now), RetryPolicy.Default, _delay.DelayAsync),
                settings.ReceiverTopics,
                settings.AlertTopicArn),
            new FixedTime(Now));

    private NotifierFunction Notifier(Dictionary<string, string>? secrets = null, NotifierSettings? settings = null)
    {
        settings ??= new NotifierSettings(new Uri(_pagerDuty.BaseUri, "v2/enqueue"), "/genaiobs/pagerduty-key", "/genaiobs/slack-ops", null);
        secrets ??= new Dictionary<string, string>
        {
            ["/genaiobs/pagerduty-key"] = "pd-routing-key",
            ["/genaiobs/slack-ops"] = new Uri(_slack.BaseUri, "services/T1/B1/secret").ToString(),
        };
        return TestNotifier.Create(settings, new FakeSecrets(secrets), _http, _delay, _log);
    }

    /// <summary>What Lambda receives from an SNS subscription for a Publish SNS accepted.</summary>
    internal static byte[] LambdaEventFor(IReadOnlyDictionary<string, string> form)
    {
        using var message = JsonDocument.Parse(form["Message"]);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Records");
            writer.WriteStartObject();
            writer.WriteString("EventSource", "aws:sns");
            writer.WriteString("EventVersion", "1.0");
            writer.WriteStartObject("Sns");
            writer.WriteString("Type", "Notification");
            writer.WriteString("MessageId", "95df01b4-ee98-5cb9-9903-4c221d41eb5e");
            writer.WriteString("TopicArn", form["TopicArn"]);
            writer.WriteString("Subject", form.GetValueOrDefault("Subject"));
            // With MessageStructure=json a Lambda subscriber gets the "lambda" entry.
            writer.WriteString("Message", message.RootElement.GetProperty("lambda").GetString());
            writer.WriteString("Timestamp", "2025-03-10T09:30:00.000Z");
            writer.WriteStartObject("MessageAttributes");
            for (var i = 1; form.TryGetValue($"MessageAttributes.entry.{i}.Name", out var name); i++)
            {
                writer.WriteStartObject(name);
                writer.WriteString("Type", form[$"MessageAttributes.entry.{i}.Value.DataType"]);
                writer.WriteString("Value", form[$"MessageAttributes.entry.{i}.Value.StringValue"]);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] EventFor(AlertNotification notification, string topic = "arn:aws:sns:us-east-1:123456789012:x")
    {
        var request = SnsAlertMessage.Build(notification, topic);
        return LambdaEventFor(FakeSns.ParseForm(SnsClient.EncodePublish(request)));
    }

    [Fact]
    public async Task NotifyTest_WhenReceiverHasATopic_ShouldPublishOneMarkedTestThroughSns()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await Command(Environment()).RunAsync(["slack-ops"], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Empty(_sns.Rejections);
        var form = Assert.Single(_sns.Published);
        Assert.Equal("arn:aws:sns:us-east-1:123456789012:ops", form["TopicArn"]);
        Assert.StartsWith("[TEST] ", form["Subject"], StringComparison.Ordinal);
        using var message = JsonDocument.Parse(form["Message"]);
        Assert.StartsWith(NotificationText.TestBanner, message.RootElement.GetProperty("default").GetString(), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(message.RootElement.GetProperty("lambda").GetString()!);
        Assert.True(body.RootElement.GetProperty("test").GetBoolean());
        Assert.Equal(NotifyTestCommand.TestAlertName, body.RootElement.GetProperty("alertname").GetString());
        Assert.Contains("SNS MessageId msg-1", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr.ToString());
    }

    [Fact]
    public async Task NotifyTest_EndToEnd_ShouldReachPagerDutyThroughTheNotifier()
    {
        await Command(Environment()).RunAsync(["pagerduty"], new StringWriter(), new StringWriter());
        var lambdaEvent = LambdaEventFor(Assert.Single(_sns.Published));

        var result = await Notifier().ProcessAsync(lambdaEvent, CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        using var pd = JsonDocument.Parse(Assert.Single(_pagerDuty.Requests).Body);
        Assert.Equal("pd-routing-key", pd.RootElement.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", pd.RootElement.GetProperty("event_action").GetString());
        Assert.Equal("info", pd.RootElement.GetProperty("payload").GetProperty("severity").GetString());
        Assert.StartsWith("[TEST] ", pd.RootElement.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.True(pd.RootElement.GetProperty("payload").GetProperty("custom_details").GetProperty("test").GetBoolean());
    }

    [Fact]
    public async Task NotifyTest_WhenReceiverHasNoTopic_ShouldFailNamingTheVariable()
    {
        var stderr = new StringWriter();

        var exit = await Command(Environment()).RunAsync(["slack-finops"], new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Contains("GENAIOBS_RECEIVER_TOPICS has no topic for receiver 'slack-finops' (configured: pagerduty, slack-ops)", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _sns.RequestCount);
    }

    [Fact]
    public async Task NotifyTest_WhenOnlyTheAlertTopicIsSet_ShouldPublishThereWithTheReceiverAttribute()
    {
        var environment = new CliEnvironment(
            new Dictionary<string, string>
            {
                ["AWS_REGION"] = FakeSns.Region,
                ["AWS_ENDPOINT_URL_SNS"] = _sns.Endpoint.ToString(),
                ["GENAIOBS_ALERT_TOPIC_ARN"] = "arn:aws:sns:us-east-1:123456789012:genaiobs-AlertTopic",
            },
            "samples");

        var exit = await Command(environment).RunAsync(["slack-finops"], new StringWriter(), new StringWriter());

        Assert.Equal(0, exit);
        var form = Assert.Single(_sns.Published);
        Assert.Equal("arn:aws:sns:us-east-1:123456789012:genaiobs-AlertTopic", form["TopicArn"]);
        var attributes = Enumerable.Range(1, 10).Where(i => form.ContainsKey($"MessageAttributes.entry.{i}.Name"))
            .ToDictionary(i => form[$"MessageAttributes.entry.{i}.Name"], i => form[$"MessageAttributes.entry.{i}.Value.StringValue"]);
        Assert.Equal("slack-finops", attributes["receiver"]);
    }

    [Fact]
    public async Task NotifyTest_WhenSnsRefuses_ShouldExitOneWithTheSnsError()
    {
        _sns.Script(FakeSns.Error(403, "Sender", "AuthorizationError", "User is not authorized to perform: SNS:Publish"));
        var stderr = new StringWriter();

        var exit = await Command(Environment()).RunAsync(["pagerduty"], new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Contains("403 AuthorizationError", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("(request req-err)", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("a", "b")]
    [InlineData("--json")]
    public async Task NotifyTest_WhenArgumentsAreWrong_ShouldExitTwo(params string[] args)
    {
        var exit = await Command(Environment()).RunAsync(args, new StringWriter(), new StringWriter());

        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task Notifier_WhenReceiverIsSlackOps_ShouldPostBlockKitToTheOpsWebhook()
    {
        var notification = SnsPublisherTests.Notification(receiver: "slack-ops");

        var result = await Notifier().ProcessAsync(EventFor(notification), CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        var request = Assert.Single(_slack.Requests);
        Assert.Equal("/services/T1/B1/secret", request.Path);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("header", body.RootElement.GetProperty("blocks")[0].GetProperty("type").GetString());
        Assert.Empty(_pagerDuty.Requests);
        Assert.DoesNotContain("secret", _log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Error rate high", _log.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("slack-finops")]
    public async Task Notifier_WhenReceiverHasNoWebhookOfItsOwn_ShouldFallBackToSlackOps(string receiver)
    {
        var result = await Notifier().ProcessAsync(EventFor(SnsPublisherTests.Notification(receiver: receiver)), CancellationToken.None);

        Assert.Equal(1, result.Delivered);
        Assert.Single(_slack.Requests);
    }

    [Fact]
    public async Task Notifier_WhenFinopsHasItsOwnWebhook_ShouldUseIt()
    {
        var finops = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"));
        using var _ = finops;
        var settings = new NotifierSettings(_pagerDuty.BaseUri, null, "/ops", "/finops");
        var secrets = new Dictionary<string, string> { ["/ops"] = _slack.BaseUri.ToString(), ["/finops"] = finops.BaseUri.ToString() };

        await Notifier(secrets, settings).ProcessAsync(EventFor(SnsPublisherTests.Notification(receiver: "slack-finops")), CancellationToken.None);

        Assert.Single(finops.Requests);
        Assert.Empty(_slack.Requests);
    }

    [Fact]
    public async Task Notifier_WhenReceiverHasNoTarget_ShouldSkipAndLog()
    {
        var settings = new NotifierSettings(_pagerDuty.BaseUri, null, null, null);

        var result = await Notifier(new Dictionary<string, string>(), settings).ProcessAsync(EventFor(SnsPublisherTests.Notification()), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 1, 0), result);
        using var line = JsonDocument.Parse(_log.ToString().Trim());
        Assert.Equal("no delivery target configured", line.RootElement.GetProperty("message").GetString());
        Assert.Equal("pagerduty", line.RootElement.GetProperty("receiver").GetString());
    }

    [Fact]
    public async Task Notifier_WhenPagerDutyKeepsFailing_ShouldFailTheInvocationSoSnsRetries()
    {
        lock (_pagerDutyScript)
        {
            for (var i = 0; i < 4; i++)
            {
                _pagerDutyScript.Enqueue(new LoopbackResponse(500, "{\"status\":\"error\"}", "application/json"));
            }
        }

        var error = await Assert.ThrowsAsync<NotifierDeliveryException>(() => Notifier().ProcessAsync(EventFor(SnsPublisherTests.Notification()), CancellationToken.None));

        Assert.IsType<ReceiverDeliveryException>(error.InnerException);
        Assert.Equal(4, _pagerDuty.Requests.Count);
        Assert.Contains("\"level\":\"ERROR\"", _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notifier_WhenPagerDutyRateLimits_ShouldHonourRetryAfterAndDeliver()
    {
        lock (_pagerDutyScript)
        {
            _pagerDutyScript.Enqueue(new LoopbackResponse(429, "{}", "application/json", [new("Retry-After", "2")]));
        }

        var result = await Notifier().ProcessAsync(EventFor(SnsPublisherTests.Notification()), CancellationToken.None);

        Assert.Equal(1, result.Delivered);
        Assert.Equal([TimeSpan.FromSeconds(2)], _delay.Waits);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"detail\":{}}")]
    [InlineData("{\"Records\":[{\"Sns\":{\"Message\":\"hello, not ours\"}}]}")]
    [InlineData("{\"Records\":[{\"Sns\":{\"Message\":\"{\\\"source\\\":\\\"other\\\"}\"}}]}")]
    public async Task Notifier_WhenEventIsNotOurs_ShouldRejectWithoutFailing(string json)
    {
        var result = await Notifier().ProcessAsync(Encoding.UTF8.GetBytes(json), CancellationToken.None);

        Assert.Equal(1, result.Rejected);
        Assert.Equal(0, result.Delivered);
        Assert.Empty(_pagerDuty.Requests);
    }

    [Fact]
    public async Task HandleAsync_WhenDelivered_ShouldReturnASummary()
    {
        var summary = await Notifier().HandleAsync(EventFor(SnsPublisherTests.Notification()), new GenAiObs.Functions.Runtime.InvocationContext("req-1", Now.AddMinutes(1), null, null), CancellationToken.None);

        using var json = JsonDocument.Parse(summary);
        Assert.Equal(1, json.RootElement.GetProperty("delivered").GetInt32());
    }

    [Fact]
    public void FromEnvironment_WhenPagerDutyUrlIsInvalid_ShouldNameTheVariable()
    {
        var error = Assert.Throws<DeliveryConfigException>(() => NotifierSettings.FromEnvironment(name => name == "GENAIOBS_PAGERDUTY_URL" ? "not a url" : null));

        Assert.Equal("GENAIOBS_PAGERDUTY_URL", error.Variable);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
