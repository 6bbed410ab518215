using System.Text.Json;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.Slack;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Receivers.Slack;

[Trait("Category", "Integration")]
public sealed class SlackIntegrationTests : IDisposable
{
    private readonly ReceiverHarness _receiver = new(new LoopbackResponse(200, "ok"));

    public void Dispose() => _receiver.Dispose();

    private static SlackConfig Config(bool sendResolved = true) =>
        new() { Path = "receivers[0].slack_configs[0]", Secret = new SecretReference(["/slack/ops"]), SendResolved = sendResolved };

    private Task<IntegrationResult> DeliverAsync(AlertNotification notification, string? webhook = null, SlackConfig? config = null) =>
        _receiver.DeliverAsync(config ?? Config(), ReceiverMessage.For(notification), webhook ?? new Uri(_receiver.Server.BaseUri, "services/T000/B000/XXXX").ToString());

    [Fact]
    public async Task NotifyAsync_WhenRetryAfterIsLongerThanTheBound_ShouldWaitOnlyTheBound()
    {
        _receiver.Script(new LoopbackResponse(429, "rate_limited", "text/plain", [new("Retry-After", "3600")]));

        await DeliverAsync(SnsPublisherTests.Notification());

        Assert.Equal([RetryPolicy.Default.MaxRetryAfter], _receiver.Delay.Waits);
    }

    [Fact]
    public async Task NotifyAsync_WhenServerFailsTwice_ShouldBackOffAndDeliver()
    {
        _receiver.Script(new LoopbackResponse(500, "oops"), new LoopbackResponse(503, "busy"));

        var result = await DeliverAsync(SnsPublisherTests.Notification());

        Assert.Equal(IntegrationOutcome.Delivered, result.Outcome);
        Assert.Equal(3, _receiver.Server.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], _receiver.Delay.Waits);
    }

    [Fact]
    public async Task NotifyAsync_WhenServerKeepsFailing_ShouldThrowARetryableErrorWithoutTheUrl()
    {
        _receiver.Script([.. Enumerable.Repeat(new LoopbackResponse(500, "oops"), 4)]);
        var webhook = new Uri(_receiver.Server.BaseUri, "services/T000/B000/SECRET").ToString();

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => DeliverAsync(SnsPublisherTests.Notification(), webhook));

        Assert.True(error.Retryable);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal(4, _receiver.Server.Requests.Count);
        Assert.DoesNotContain("SECRET", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_WhenPayloadIsRejected_ShouldFailAtOnce()
    {
        _receiver.Script(new LoopbackResponse(400, "invalid_payload"));

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => DeliverAsync(SnsPublisherTests.Notification()));

        Assert.False(error.Retryable);
        Assert.Contains("invalid_payload", error.Message, StringComparison.Ordinal);
        Assert.Single(_receiver.Server.Requests);
        Assert.Empty(_receiver.Delay.Waits);
    }

    [Fact]
    public async Task NotifyAsync_WhenDelivered_ShouldSendBlockKitWithATextFallback()
    {
        var notification = SnsPublisherTests.Notification(alertCount: 12) with { IsTest = true };

        await DeliverAsync(notification);

        using var body = _receiver.LastBody();
        var root = body.RootElement;
        Assert.StartsWith("[TEST] [FIRING:12] ErrorRateHigh (critical): ", root.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = root.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Contains("TEST NOTIFICATION from genaiobs notify-test", blocks[1].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        // 12 alerts, at most 10 alert sections: the banner section plus alerts 0–9, and the context
        // counts the 12 − 10 = 2 left out.
        var sections = blocks.Where(b => b.GetProperty("type").GetString() == "section").Select(b => b.GetProperty("text").GetProperty("text").GetString()!).ToList();
        Assert.Equal(11, sections.Count);
        Assert.Contains("model-0000", sections[1], StringComparison.Ordinal);
        Assert.Contains("model-0009", sections[10], StringComparison.Ordinal);
        Assert.DoesNotContain(sections, s => s.Contains("model-0010", StringComparison.Ordinal));
        Assert.Equal("context", blocks[^1].GetProperty("type").GetString());
        Assert.Contains("2 more alert(s) not shown", blocks[^1].GetProperty("elements")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyAsync_WhenSendResolvedIsFalse_ShouldSkipTheResolve()
    {
        var result = await DeliverAsync(PagerDuty.PagerDutyIntegrationTests.Resolved(SnsPublisherTests.Notification()), config: Config(sendResolved: false));

        Assert.Equal(IntegrationOutcome.Skipped, result.Outcome);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Theory]
    [InlineData("http://hooks.slack.com/services/T1/B1/x", "is not https")]
    [InlineData("https://hooks.slack.com.evil.example/services/T1/B1/x", "is not on a documented host (hooks.slack.com)")]
    [InlineData("https://evil.example/services/T1/B1/x", "is not on a documented host (hooks.slack.com)")]
    [InlineData("not a url", "is not an absolute https URL")]
    public async Task NotifyAsync_WhenTheWebhookIsNotAnHttpsSlackUrl_ShouldFailWithoutPosting(string webhook, string problem)
    {
        var config = Config();
        var strict = config.Create(_receiver.Services with { Urls = WebhookUrlPolicy.Strict });
        var runner = new IntegrationRunner(new FakeSecrets(new Dictionary<string, string> { ["/slack/ops"] = webhook }), RetryPolicy.Default, _receiver.Delay.DelayAsync);

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => runner.DeliverAsync(config, strict, ReceiverMessage.For(SnsPublisherTests.Notification()), CancellationToken.None));

        Assert.Equal($"slack delivery failed: no response webhook URL {problem}", error.Message);
        Assert.False(error.Retryable);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Fact]
    public void Build_WhenCallerControlledValuesCarryMentionsAndLinks_ShouldEscapeThemEverywhere()
    {
        const string hostile = "<!channel> <@U123> <https://evil.example|click> & more";
        var alert = Alert.Create("ErrorRateHigh", AlertSeverity.Critical, [new("model", hostile), new("session_id", "<!here>")], "Error rate high for " + hostile, "desc " + hostile, DateTimeOffset.UnixEpoch);
        var notification = SnsPublisherTests.Notification() with { Alerts = [alert] };

        using var body = JsonDocument.Parse(SlackMessage.Build(notification));

        var texts = MrkdwnTexts(body.RootElement).ToList();
        Assert.NotEmpty(texts);
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain("<!", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<@", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<https:", text, StringComparison.Ordinal);
        });
        Assert.Contains("&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; more", body.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Escape_WhenTextHasControlCharacters_ShouldEscapeThem()
    {
        Assert.Equal("a &lt;b&gt; &amp; c", SlackMessage.Escape("a <b> & c"));
    }

    /// <summary>Every string Slack parses as mrkdwn: the top-level fallback text, section texts and mrkdwn context elements.</summary>
    private static IEnumerable<string> MrkdwnTexts(JsonElement root)
    {
        yield return root.GetProperty("text").GetString()!;
        foreach (var block in root.GetProperty("blocks").EnumerateArray())
        {
            if (block.GetProperty("type").GetString() == "section")
            {
                yield return block.GetProperty("text").GetProperty("text").GetString()!;
            }
            else if (block.GetProperty("type").GetString() == "context")
            {
                foreach (var element in block.GetProperty("elements").EnumerateArray())
                {
                    yield return element.GetProperty("text").GetString()!;
                }
            }
        }
    }
}
