using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Sns;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Alerts;
using Xunit;

namespace GenAiObs.Tests.Delivery;

[Trait("Category", "Integration")]
public sealed class SnsPublisherTests : IDisposable
{
    private const string TopicArn = "arn:aws:sns:us-east-1:123456789012:genaiobs-pagerduty";

    private readonly FakeSns _sns = new();
    private readonly HttpClient _http = new();
    private readonly RecordingDelay _delay = new();

    public void Dispose()
    {
        _http.Dispose();
        _sns.Dispose();
    }

    private SnsAlertPublisher Publisher(string? sessionToken = "token-abc") =>
        new(
            new SnsClient(
                _http,
                _sns.Endpoint,
                FakeSns.Region,
                new StaticCredentialsSource(new AwsCredentials(FakeSns.AccessKey, FakeSns.Secret, sessionToken)),
                TimeProvider.System,
                RetryPolicy.Default,
                _delay.DelayAsync),
            new Dictionary<string, string> { ["pagerduty"] = TopicArn });

    internal static AlertNotification Notification(int alertCount = 1, string description = "Error rate 7.5% over 15 min (30 of 400 invocations).", string receiver = "pagerduty")
    {
        var alerts = Enumerable.Range(0, alertCount)
            .Select(i => Alert.Create("ErrorRateHigh", AlertSeverity.Critical, [new("model", $"model-{i:D4}")], $"Error rate high for model-{i:D4}", description, AlertTestData.T0))
            .ToList();
        var groupLabels = LabelSet.From(("alertname", "ErrorRateHigh"), ("cloud_provider", "aws"));
        return new AlertNotification
        {
            Id = "group-1",
            Receiver = receiver,
            GroupKey = AlertGroupKeys.GroupKey(receiver, groupLabels),
            GroupLabels = groupLabels,
            Status = AlertStatus.Firing,
            Reason = NotifyReasons.FirstNotification,
            At = AlertTestData.T0,
            Alerts = alerts,
        };
    }

    [Fact]
    public async Task PublishAsync_WhenSnsAccepts_ShouldSendTheDocumentedSignedPublish()
    {
        var notification = Notification(alertCount: 2);

        var receipt = await Publisher().PublishAsync(notification, CancellationToken.None);

        Assert.Equal("msg-1", receipt.MessageId);
        Assert.Empty(_sns.Rejections);
        var form = Assert.Single(_sns.Published);
        Assert.Equal(TopicArn, form["TopicArn"]);
        Assert.Equal("json", form["MessageStructure"]);
        Assert.Equal("[FIRING:2] ErrorRateHigh (critical)", form["Subject"]);
        Assert.Equal("token-abc", _sns.LastRequest.Header("X-Amz-Security-Token"));

        var attributes = Enumerable.Range(1, 4).ToDictionary(
            i => form[$"MessageAttributes.entry.{i}.Name"],
            i => (form[$"MessageAttributes.entry.{i}.Value.DataType"], form[$"MessageAttributes.entry.{i}.Value.StringValue"]));
        Assert.Equal(("String", "critical"), attributes["severity"]);
        Assert.Equal(("String", "ErrorRateHigh"), attributes["alertname"]);
        Assert.Equal(("String", "pagerduty"), attributes["receiver"]);
        Assert.Equal(("String", "firing"), attributes["status"]);

        using var message = JsonDocument.Parse(form["Message"]);
        var text = message.RootElement.GetProperty("default").GetString()!;
        Assert.Contains("Error rate high for model-0000", text, StringComparison.Ordinal);
        Assert.Equal(text, message.RootElement.GetProperty("email").GetString());
        foreach (var protocol in new[] { "sqs", "lambda", "https" })
        {
            using var body = JsonDocument.Parse(message.RootElement.GetProperty(protocol).GetString()!);
            Assert.Equal("genaiobs", body.RootElement.GetProperty("source").GetString());
            Assert.Equal(notification.GroupKey, body.RootElement.GetProperty("groupKey").GetString());
            Assert.Equal(2, body.RootElement.GetProperty("alerts").GetArrayLength());
            Assert.False(body.RootElement.GetProperty("truncated").GetBoolean());
        }
    }

    [Fact]
    public async Task PublishAsync_WhenCredentialsHaveNoSessionToken_ShouldOmitTheTokenHeader()
    {
        await Publisher(sessionToken: null).PublishAsync(Notification(), CancellationToken.None);

        Assert.Null(_sns.LastRequest.Header("X-Amz-Security-Token"));
        Assert.Single(_sns.Published);
    }

    [Fact]
    public async Task PublishAsync_WhenNotificationExceeds256KB_ShouldCutAlertsAndMarkTheCut()
    {
        var notification = Notification(alertCount: 400, description: new string('d', 4000));

        await Publisher().PublishAsync(notification, CancellationToken.None);

        var form = Assert.Single(_sns.Published);
        // Measured on what SNS received, not by rebuilding the request: SNS counts the message and
        // its attributes' names, types and values against 256 KB = 262,144 bytes (SNS quotas).
        var attributeBytes = form.Where(p => p.Key.StartsWith("MessageAttributes.entry.", StringComparison.Ordinal)
                && (p.Key.EndsWith(".Name", StringComparison.Ordinal) || p.Key.EndsWith(".Value.DataType", StringComparison.Ordinal) || p.Key.EndsWith(".Value.StringValue", StringComparison.Ordinal)))
            .Sum(p => System.Text.Encoding.UTF8.GetByteCount(p.Value));
        var size = System.Text.Encoding.UTF8.GetByteCount(form["Message"]) + attributeBytes;
        Assert.True(attributeBytes > 0);
        Assert.InRange(size, 262_144 - 20_000, 262_144);
        using var message = JsonDocument.Parse(form["Message"]);
        using var body = JsonDocument.Parse(message.RootElement.GetProperty("lambda").GetString()!);
        var kept = body.RootElement.GetProperty("alerts").GetArrayLength();
        Assert.True(body.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal(400 - kept, body.RootElement.GetProperty("omittedAlerts").GetInt32());
        Assert.Equal(400, body.RootElement.GetProperty("firing").GetInt32());
        Assert.Contains($"[cut: {400 - kept} more alerts are not shown", message.RootElement.GetProperty("default").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_WhenSnsDeniesAuthorization_ShouldFailAtOnceWithoutRetrying()
    {
        _sns.Script(FakeSns.Error(403, "Sender", "AuthorizationError", "not authorized to perform SNS:Publish"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Publisher().PublishAsync(Notification(), CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal("AuthorizationError", error.Code);
        Assert.Equal("req-err", error.RequestId);
        Assert.False(error.Retryable);
        Assert.Equal(1, _sns.RequestCount);
        Assert.Empty(_delay.Waits);
    }

    [Fact]
    public async Task PublishAsync_WhenSnsHasAnInternalErrorOnce_ShouldRetryAfterBackoffAndSucceed()
    {
        _sns.Script(FakeSns.Error(500, "Receiver", "InternalError", "internal"));

        var receipt = await Publisher().PublishAsync(Notification(), CancellationToken.None);

        Assert.Equal("msg-1", receipt.MessageId);
        Assert.Equal(2, _sns.RequestCount);
        Assert.Equal([TimeSpan.FromMilliseconds(200)], _delay.Waits);
    }

    [Fact]
    public async Task PublishAsync_WhenSnsKeepsThrottling_ShouldBackOffExponentiallyThenFail()
    {
        var throttled = FakeSns.Error(400, "Sender", "Throttling", "Rate exceeded");
        _sns.Script(throttled, throttled, throttled, throttled);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Publisher().PublishAsync(Notification(), CancellationToken.None));

        Assert.Equal("Throttling", error.Code);
        Assert.Equal(4, _sns.RequestCount);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)], _delay.Waits);
        Assert.Empty(_sns.Published);
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData("20", 20)]
    [InlineData("21", 20)]
    [InlineData("3600", 20)]
    public async Task PublishAsync_WhenSnsThrottlesWithRetryAfter_ShouldWaitThatLongUpTo20SecondsThenRetry(string retryAfter, int expectedSeconds)
    {
        var throttled = FakeSns.Error(429, "Sender", "Throttling", "Rate exceeded") with { Headers = [new("Retry-After", retryAfter)] };
        _sns.Script(throttled);

        var receipt = await Publisher().PublishAsync(Notification(), CancellationToken.None);

        Assert.Equal("msg-1", receipt.MessageId);
        Assert.Equal(2, _sns.RequestCount);
        Assert.Equal([TimeSpan.FromSeconds(expectedSeconds)], _delay.Waits);
    }

    [Fact]
    public async Task PublishAsync_WhenTheTopicDoesNotExist_ShouldFailAtOnceWithoutRetrying()
    {
        _sns.Script(FakeSns.Error(404, "Sender", "NotFound", "Topic does not exist"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Publisher().PublishAsync(Notification(), CancellationToken.None));

        Assert.Equal((404, "NotFound", false), (error.StatusCode, error.Code, error.Retryable));
        Assert.Equal(1, _sns.RequestCount);
        Assert.Empty(_delay.Waits);
        Assert.Empty(_sns.Published);
    }

    [Fact]
    public async Task PublishAsync_WhenAProxyAnswersWithoutXml_ShouldRetryOnTheStatus()
    {
        _sns.Script(new LoopbackResponse(502, "<html>bad gateway</html>", "text/html"));

        var receipt = await Publisher().PublishAsync(Notification(), CancellationToken.None);

        Assert.Equal("msg-1", receipt.MessageId);
        Assert.Equal(2, _sns.RequestCount);
    }

    [Fact]
    public async Task PublishAsync_WhenParameterIsInvalid_ShouldNotRetry()
    {
        _sns.Script(FakeSns.Error(400, "Sender", "InvalidParameter", "Invalid parameter: Message"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Publisher().PublishAsync(Notification(), CancellationToken.None));

        Assert.False(error.Retryable);
        Assert.Equal(1, _sns.RequestCount);
    }

    [Fact]
    public async Task PublishAsync_WhenReceiverHasNoTopic_ShouldSkipWithoutCallingSns()
    {
        var receipt = await Publisher().PublishAsync(Notification(receiver: "slack-finops"), CancellationToken.None);

        Assert.True(receipt.Skipped);
        Assert.Equal(SnsAlertPublisher.NoTopicReason, receipt.SkippedReason);
        Assert.Equal(0, _sns.RequestCount);
    }

    [Fact]
    public void Subject_WhenTitleIsLongOrNotAscii_ShouldStayUnder100PrintableAsciiCharacters()
    {
        var notification = Notification() with
        {
            GroupLabels = LabelSet.From(("alertname", "Très\nlong " + new string('x', 200))),
        };

        var subject = NotificationText.Subject(notification);

        Assert.True(subject.Length < 100);
        Assert.All(subject, c => Assert.InRange(c, ' ', '~'));
        Assert.EndsWith("...", subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Body_WhenParsedBack_ShouldRoundTripTheNotification()
    {
        var notification = Notification(alertCount: 3);

        var parsed = AlertJson.TryParseNotification(AlertJson.SerializeNotification(notification), out var back, out var problem);

        Assert.True(parsed, problem);
        Assert.Equal(notification.GroupKey, back!.GroupKey);
        Assert.Equal(notification.Alerts, back.Alerts);
        Assert.Equal(notification.Severity, back.Severity);
        Assert.Equal(notification.GroupLabels, back.GroupLabels);
    }

    [Theory]
    [InlineData(null, "us-east-1", null, "https://sns.us-east-1.amazonaws.com/")]
    [InlineData("http://127.0.0.1:4566/", "eu-west-1", "http://127.0.0.1:9999/", "http://127.0.0.1:4566/")]
    [InlineData(null, "eu-west-1", "http://localhost:4566/", "http://localhost:4566/")]
    [InlineData(null, "cn-north-1", null, "https://sns.cn-north-1.amazonaws.com.cn/")]
    public void FromEnvironment_WhenEndpointsAreSet_ShouldPreferTheServiceSpecificOne(string? snsEndpoint, string region, string? genericEndpoint, string expected)
    {
        var variables = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_SNS"] = snsEndpoint,
            ["AWS_ENDPOINT_URL"] = genericEndpoint,
            ["AWS_REGION"] = region,
            ["GENAIOBS_RECEIVER_TOPICS"] = "{\"pagerduty\":\"arn:aws:sns:us-east-1:123456789012:pd\"}",
        };

        var settings = SnsSettings.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.Equal(new Uri(expected), settings.Endpoint);
        Assert.Equal("arn:aws:sns:us-east-1:123456789012:pd", settings.ReceiverTopics["pagerduty"]);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"pagerduty\": 5}")]
    [InlineData("{\"pagerduty\": \"not-an-arn\"}")]
    [InlineData("{broken")]
    public void ParseReceiverTopics_WhenInvalid_ShouldNameTheVariable(string json)
    {
        var error = Assert.Throws<DeliveryConfigException>(() => SnsSettings.ParseReceiverTopics(json));

        Assert.Equal("GENAIOBS_RECEIVER_TOPICS", error.Variable);
        Assert.StartsWith("GENAIOBS_RECEIVER_TOPICS: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_WhenRegionIsMissing_ShouldNameAwsRegion()
    {
        var error = Assert.Throws<DeliveryConfigException>(() => SnsSettings.FromEnvironment(_ => null));

        Assert.Equal("AWS_REGION", error.Variable);
    }

    [Fact]
    public void EncodePublish_WhenValuesHaveReservedCharacters_ShouldPercentEncodeEveryField()
    {
        var request = new SnsPublishRequest(TopicArn, "a b&c", "{\"default\":\"x=1+2\"}", "json", [new("severity", "critical")]);

        var form = FakeSns.ParseForm(SnsClient.EncodePublish(request));

        Assert.Equal("a b&c", form["Subject"]);
        Assert.Equal("{\"default\":\"x=1+2\"}", form["Message"]);
        Assert.Equal("severity", form["MessageAttributes.entry.1.Name"]);
        Assert.DoesNotContain(' ', Encoding.ASCII.GetString(Encoding.UTF8.GetBytes(SnsClient.EncodePublish(request))));
    }
}
