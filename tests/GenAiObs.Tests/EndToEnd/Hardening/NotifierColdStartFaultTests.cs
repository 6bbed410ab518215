using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Functions;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// The notifier built by the bootstrap's cold start (HandlerRegistry.Initialise from the
/// environment: SSM secret source, PagerDuty client, default retry policy) against a PagerDuty
/// endpoint that fails: the invocation fails after the retries so SNS/Lambda redeliver, and the
/// redelivery pages once with the routing key from SSM.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NotifierColdStartFaultTests
{
    private const string RoutingKeyParameter = "/genaiobs/pagerduty-routing-key";
    private const string RoutingKey = "R0UTINGKEY0123456789abcdef012345";

    [Fact]
    public async Task Notifier_FromColdStart_WhenPagerDutyFails_ShouldFailAfterFourAttemptsThenPageOnRedelivery()
    {
        // Arrange: SSM holds the routing key; PagerDuty answers 500 until the test heals it.
        var healthy = false;
        using var ssm = new LoopbackHttpServer(_ => new LoopbackResponse(
            200,
            $$$"""{"Parameter":{"Name":"{{{RoutingKeyParameter}}}","Type":"SecureString","Value":"{{{RoutingKey}}}","Version":1}}""",
            "application/x-amz-json-1.1"));
        using var pagerDuty = new LoopbackHttpServer(_ => Volatile.Read(ref healthy)
            ? new LoopbackResponse(202, """{"status":"success","message":"Event processed","dedup_key":"k"}""", "application/json")
            : new LoopbackResponse(500, """{"status":"error"}""", "application/json"));
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.Notifier },
            { EnvironmentVariables.Region, "us-east-1" },
            { EnvironmentVariables.EndpointUrlSsm, ssm.BaseUri.ToString() },
            { EnvironmentVariables.PagerDutyRoutingKeyParameter, RoutingKeyParameter },
            { EnvironmentVariables.PagerDutyUrl, new Uri(pagerDuty.BaseUri, "v2/enqueue").ToString() },
            // The notification is dated; the age bound is the subject of the notifier's own tests.
            { EnvironmentVariables.NotificationMaxAge, "10y" },
        };
        await using var harness = FunctionHarness.StartColdStart(environment);
        var snsEvent = NotifierAndNotifyTestTests.EventFor(SnsPublisherTests.Notification(receiver: "pagerduty"));

        // Act
        var failed = await harness.InvokeAsync(snsEvent);
        var attemptsWhileFailing = pagerDuty.Requests.Count;
        Volatile.Write(ref healthy, true);
        var redelivered = await harness.InvokeAsync(snsEvent);

        // Assert: 4 attempts (docs/operations.md: backoff retries on 5xx), then the invocation fails by name.
        Assert.Equal(("error", "NotifierDeliveryException"), (failed.Kind, failed.Headers["Lambda-Runtime-Function-Error-Type"]));
        Assert.Equal(4, attemptsWhileFailing);
        Assert.Equal("response", redelivered.Kind);
        Assert.Equal(5, pagerDuty.Requests.Count);
        using var page = JsonDocument.Parse(pagerDuty.Requests.Last().Body);
        Assert.Equal(RoutingKey, page.RootElement.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", page.RootElement.GetProperty("event_action").GetString());
        Assert.Equal("critical", page.RootElement.GetProperty("payload").GetProperty("severity").GetString());
        Assert.DoesNotContain(harness.LogLines, line => line.GetRawText().Contains(RoutingKey, StringComparison.Ordinal));
    }
}
