using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Sns;
using GenAiObs.Functions;
using GenAiObs.Functions.Notifier;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>The notifier as the bootstrap serves it: registered under its template Handler, built from the environment once.</summary>
[Trait("Category", "Integration")]
public sealed class NotifierWiringTests
{
    [Fact]
    public void Initialise_WhenHandlerIsNotifier_ShouldBuildTheNotifierFromTheEnvironment()
    {
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.Notifier },
            { EnvironmentVariables.Region, "eu-west-1" },
            { EnvironmentVariables.AlarmReceiver, "pagerduty" },
        };

        var host = HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System);

        Assert.IsType<NotifierFunction>(host.Function);
        Assert.Contains(HandlerRegistry.Notifier, HandlerRegistry.Keys);
        Assert.Equal(NotifierFunction.HandlerKey, HandlerRegistry.Notifier);
    }

    [Fact]
    public void Initialise_WhenReceiverTopicsAreNotJson_ShouldFailTheColdStartNamingTheVariable()
    {
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.Notifier },
            { EnvironmentVariables.ReceiverTopics, "pagerduty=arn" },
        };

        var error = Assert.Throws<DeliveryConfigException>(() => HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System));

        Assert.Equal(EnvironmentVariables.ReceiverTopics, error.Variable);
    }

    [Fact]
    public void Initialise_WhenTheAlarmReceiverIsNotConfigured_ShouldFailTheColdStartNamingTheVariable()
    {
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.Notifier },
            { EnvironmentVariables.Routing, "route: {receiver: ops}\nreceivers: [{name: ops}]\n" },
            { EnvironmentVariables.AlarmReceiver, "pagerduty" },
        };

        var error = Assert.Throws<GenAiObs.Core.Alerts.RoutingConfigException>(() => HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System));

        Assert.Equal("GENAIOBS_ALARM_RECEIVER: receiver 'pagerduty' is not configured (configured: ops)", error.Message);
    }

    [Fact]
    public void FromEnvironment_WhenSsmEndpointIsOverridden_ShouldPreferTheSsmSpecificVariable()
    {
        var variables = new Dictionary<string, string>
        {
            [EnvironmentVariables.EndpointUrl] = "http://127.0.0.1:1/",
            [EnvironmentVariables.EndpointUrlSsm] = "http://127.0.0.1:2/",
            [EnvironmentVariables.Region] = "eu-west-1",
        };

        var settings = NotifierSettings.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.Equal("http://127.0.0.1:2/", settings.SsmEndpoint);
        Assert.Equal("eu-west-1", settings.Region);
        Assert.Null(settings.PagerDutyRoutingKeyParameter);
    }
}

/// <summary>The published <c>bootstrap</c> serving <c>_HANDLER=notifier</c>: SNS events in, PagerDuty and Slack out, secrets from SSM.</summary>
[Collection(PublishedBootstrapCollection.Name)]
[Trait("Category", "Integration")]
public sealed class NotifierBootstrapEndToEndTests
{
    internal const string PagerDutyTopic = "arn:aws:sns:us-east-1:111122223333:genaiobs-PagerDutyTopic";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly PublishedBootstrap _bootstrap;

    public NotifierBootstrapEndToEndTests(PublishedBootstrap bootstrap)
    {
        _bootstrap = bootstrap;
    }

    [Fact]
    public async Task Bootstrap_WhenServingAnAlertNotificationAndAnAlarm_ShouldReadTheKeyFromSsmOnceAndTriggerPagerDuty()
    {
        using var pagerDuty = new LoopbackHttpServer(_ => new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
        using var ssm = new LoopbackSsm(new Dictionary<string, string> { ["/genaiobs/pagerduty/routing-key"] = "e2e-routing-key" });
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(_bootstrap.ExecutablePath, Environment(server, pagerDuty, ssm));
        var notification = SnsPublisherTests.Notification(receiver: "pagerduty");
        server.Enqueue(new QueuedInvocation("req-alert", NotifierAndNotifyTestTests.EventFor(notification, PagerDutyTopic), FarDeadline()));
        server.Enqueue(new QueuedInvocation("req-alarm", AlarmEvents.Event(AlarmEvents.Message("ALARM", "OK"), PagerDutyTopic), FarDeadline()));
        server.Enqueue(new QueuedInvocation("req-junk", "{\"Records\":[{\"Sns\":{\"Message\":\"hello\"}}]}"u8.ToArray(), FarDeadline()));

        var posted = new List<PostedResult>();
        for (var i = 0; i < 3; i++)
        {
            posted.Add(await server.NextPostAsync(Wait));
        }

        await process.StopAsync();

        Assert.Equal([("response", "req-alert"), ("response", "req-alarm"), ("response", "req-junk")], posted.Select(p => (p.Kind, p.RequestId)));
        var summaries = posted.Select(p => JsonDocument.Parse(p.Body).RootElement.Clone()).ToList();
        Assert.Equal([1, 1, 0], summaries.Select(s => s.GetProperty("delivered").GetInt32()));
        Assert.Equal(1, summaries[2].GetProperty("rejected").GetInt32());

        var sent = pagerDuty.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal("e2e-routing-key", s.GetProperty("routing_key").GetString()));
        Assert.All(sent, s => Assert.Equal("trigger", s.GetProperty("event_action").GetString()));
        Assert.Equal([notification.GroupKey, AlarmEvents.AlarmArn], sent.Select(s => s.GetProperty("dedup_key").GetString()));
        // Read once per cold start, then cached.
        Assert.Equal(["/genaiobs/pagerduty/routing-key"], ssm.RequestedNames);
        var everything = string.Join('\n', process.StandardOutput.Concat(process.StandardError));
        Assert.DoesNotContain("e2e-routing-key", everything, StringComparison.Ordinal);
        Assert.All(process.StandardError, line => JsonDocument.Parse(line).Dispose());
    }

    internal static Dictionary<string, string> Environment(LoopbackRuntimeApi server, LoopbackHttpServer pagerDuty, LoopbackSsm ssm, LoopbackHttpServer? slack = null) => new()
    {
        ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
        ["_HANDLER"] = "notifier",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_SESSION_TOKEN"] = "session-token",
        ["AWS_ENDPOINT_URL_SSM"] = ssm.BaseUri.ToString(),
        ["GENAIOBS_PAGERDUTY_URL"] = new Uri(pagerDuty.BaseUri, "v2/enqueue").ToString(),
        ["GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM"] = "/genaiobs/pagerduty/routing-key",
        ["GENAIOBS_SLACK_OPS_WEBHOOK_PARAM"] = "/genaiobs/slack/ops-webhook-url",
        ["GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM"] = "/genaiobs/slack/finops-webhook-url",
        ["GENAIOBS_ALARM_RECEIVER"] = "pagerduty",
        // The fixtures are dated; the age bound is the subject of the notifier's own tests.
        ["GENAIOBS_NOTIFICATION_MAX_AGE"] = "10y",
    };

    private static long FarDeadline() => DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
}
