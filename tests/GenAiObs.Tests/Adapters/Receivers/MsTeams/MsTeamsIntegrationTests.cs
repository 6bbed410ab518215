using System.Text.Json;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.MsTeams;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Receivers.PagerDuty;
using Xunit;

namespace GenAiObs.Tests.Receivers.MsTeams;

[Trait("Category", "Integration")]
public sealed class MsTeamsIntegrationTests : IDisposable
{
    private readonly ReceiverHarness _receiver = new(new LoopbackResponse(202, string.Empty));

    public void Dispose() => _receiver.Dispose();

    private static MsTeamsConfig Config(bool sendResolved = true) =>
        new() { Path = "receivers[0].msteams_configs[0]", Secret = new SecretReference(["/teams/ops"]), SendResolved = sendResolved };

    private string Webhook => new Uri(_receiver.Server.BaseUri, "workflows/abc/triggers/manual/paths/invoke?sig=SECRET").ToString();

    [Fact]
    public void Parse_WhenConfiguredInYaml_ShouldBeRegisteredUnderMsTeamsConfigs()
    {
        var configuration = ReceiverConfigParser.Parse(
            "route: {receiver: teams}\nreceivers: [{name: teams, msteams_configs: [{webhook_url_parameter: /genaiobs/teams/ops, send_resolved: false}]}]",
            "GENAIOBS_ROUTING",
            ReceiverConfiguration.Legacy(null, null, null));

        var config = Assert.IsType<MsTeamsConfig>(Assert.Single(configuration.Find("teams")!.Integrations));
        Assert.Equal(["/genaiobs/teams/ops"], config.Secret.Parameters);
        Assert.False(config.SendResolved);
        Assert.Equal("msteams", config.Kind);
    }

    [Fact]
    public async Task NotifyAsync_WhenAGroupFires_ShouldPostAnAdaptiveCardWithOneTextAndFactSetPerAlert()
    {
        var notification = SnsPublisherTests.Notification(alertCount: 2);

        var result = await _receiver.DeliverAsync(Config(), ReceiverMessage.For(notification), Webhook);

        Assert.Equal(IntegrationOutcome.Delivered, result.Outcome);
        var request = Assert.Single(_receiver.Server.Requests);
        Assert.Equal("/workflows/abc/triggers/manual/paths/invoke", request.Path);
        using var body = _receiver.LastBody();
        Assert.Equal("message", body.RootElement.GetProperty("type").GetString());
        var attachment = Assert.Single(body.RootElement.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("1.4", card.GetProperty("version").GetString());
        var blocks = card.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["TextBlock", "TextBlock", "FactSet", "TextBlock", "FactSet", "TextBlock"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("\\[FIRING:2\\] ErrorRateHigh (critical)", blocks[0].GetProperty("text").GetString());
        Assert.Equal("Attention", blocks[0].GetProperty("color").GetString());
        Assert.Equal("**FIRING** Error rate high for model-0000\n\nError rate 7.5% over 15 min (30 of 400 invocations).", blocks[1].GetProperty("text").GetString());
        var facts = blocks[2].GetProperty("facts").EnumerateArray().ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Equal("model-0000", facts["model"]);
        Assert.Equal("2025-03-10T12:00:00.000Z", facts["since"]); // AlertTestData.T0 in RFC 3339, milliseconds, UTC
    }

    [Fact]
    public async Task NotifyAsync_WhenResolvedAndSendResolvedIsFalse_ShouldSkip()
    {
        var result = await _receiver.DeliverAsync(Config(sendResolved: false), ReceiverMessage.For(PagerDutyIntegrationTests.Resolved(SnsPublisherTests.Notification())), Webhook);

        Assert.Equal(IntegrationOutcome.Skipped, result.Outcome);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Fact]
    public async Task NotifyAsync_WhenTheWebhookIsNotOnADocumentedHost_ShouldFailWithoutPosting()
    {
        var config = Config();
        var strict = config.Create(_receiver.Services with { Urls = WebhookUrlPolicy.Strict });
        var runner = new IntegrationRunner(new FakeSecrets(new Dictionary<string, string> { ["/teams/ops"] = "https://teams.evil.example/workflows/abc" }), Adapters.Http.RetryPolicy.Default, _receiver.Delay.DelayAsync);

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => runner.DeliverAsync(config, strict, ReceiverMessage.For(SnsPublisherTests.Notification()), CancellationToken.None));

        Assert.Equal("msteams delivery failed: no response webhook URL is not on a documented host (*.logic.azure.com, *.powerplatform.com, *.webhook.office.com)", error.Message);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Fact]
    public void Build_WhenCallerControlledValuesCarryMarkdownAndMentions_ShouldEscapeThem()
    {
        const string hostile = "[click](https://evil.example) **bold** <at>everyone</at> & `code`";
        var alert = Alert.Create("ErrorRateHigh", AlertSeverity.Critical, [new("model", hostile)], "Error for " + hostile, "- list\n# heading", DateTimeOffset.UnixEpoch);

        using var body = JsonDocument.Parse(MsTeamsCard.Build(SnsPublisherTests.Notification() with { Alerts = [alert] }));

        var blocks = body.RootElement.GetProperty("attachments")[0].GetProperty("content").GetProperty("body").EnumerateArray().ToList();
        Assert.Equal("**FIRING** Error for \\[click\\](https://evil.example) \\*\\*bold\\*\\* \\<at\\>everyone\\</at\\> \\& \\`code\\`\n\n\\- list\n\\# heading", blocks[1].GetProperty("text").GetString());
        var model = blocks[2].GetProperty("facts").EnumerateArray().Single(f => f.GetProperty("title").GetString() == "model");
        Assert.Equal("\\[click\\](https://evil.example) \\*\\*bold\\*\\* \\<at\\>everyone\\</at\\> \\& \\`code\\`", model.GetProperty("value").GetString());
    }

    [Fact]
    public void BuildForAlarm_WhenTheAlarmFires_ShouldTitleItWithStateAndName()
    {
        var alarm = new CloudWatchAlarm("genaiobs-dead-letters", "arn:aws:cloudwatch:us-east-1:111122223333:alarm:genaiobs-dead-letters", null, "111122223333", "us-east-1", AlarmState.Alarm, AlarmState.Ok, "Threshold Crossed", DateTimeOffset.UnixEpoch, "AWS/SQS", "ApproximateNumberOfMessagesVisible");

        using var body = JsonDocument.Parse(MsTeamsCard.BuildForAlarm(alarm));

        var blocks = body.RootElement.GetProperty("attachments")[0].GetProperty("content").GetProperty("body");
        Assert.Equal("ALARM: genaiobs-dead-letters", blocks[0].GetProperty("text").GetString());
        Assert.Equal("Threshold Crossed", blocks[1].GetProperty("text").GetString());
    }

}
