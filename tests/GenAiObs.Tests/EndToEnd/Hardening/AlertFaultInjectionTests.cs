using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Functions;
using GenAiObs.Functions.Notifier;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Delivery;

using Xunit;
using GenAiObs.Cli;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// Alert delivery under failure, on loopback: SNS answering throttling, 5xx and 403 to the real
/// evaluator (alert state in dynalite), then PagerDuty and Slack answering 429 with Retry-After
/// and 5xx to the real notifier. After recovery every notification the healthy run sends is
/// delivered exactly once — none lost, none twice — and each failure shows in the functions' logs.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AlertFaultInjectionTests(Store.DynaliteTableFixture table) : IClassFixture<Store.DynaliteTableFixture>, IDisposable
{
    private const int Minutes = 90;
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Evaluator_WhenSnsThrottlesFailsAndRefuses_ShouldPublishEveryNotificationExactlyOnceAcrossEvaluations()
    {
        // Arrange: the healthy run is the reference.
        var reference = await HealthyRunAsync();
        using var sns = new FakeSns();
        var clock = new SimulatedClock(AlertChain.T);
        var delay = new RecordingDelay();
        var states = new DynamoDbAlertStateStore(table.Client, table.TableName, "alertstate-hardening-" + Guid.NewGuid().ToString("N"));
        var evaluator = AlertChain.Evaluator(await AlertChain.TrafficAsync(), states, AlertChain.Publisher(sns, _http, clock, delay), clock);
        var log = new StringWriter();
        var function = new EvaluatorFunction(evaluator, new StructuredLogger(log, DiagnosticLevel.Information, clock, "genai-obs-evaluator"));

        // Act: SNS misbehaves during the first evaluations — throttling until the retries run out,
        // a 500 then a 403 (not retryable), a 503 that a retry gets past — then recovers.
        var responses = new List<JsonElement>();
        for (var step = 0; step * 5 <= Minutes; step++)
        {
            clock.Set(AlertChain.T.AddMinutes(step * 5).AddSeconds(3));
            switch (step)
            {
                case 0:
                    sns.Script(Enumerable.Repeat(FakeSns.Error(400, "Sender", "Throttling", "Rate exceeded"), 4).ToArray());
                    break;
                case 1:
                    sns.Script(FakeSns.Error(500, "Receiver", "InternalError", "Internal failure"), FakeSns.Error(403, "Sender", "AuthorizationError", "not authorized"));
                    break;
                case 2:
                    sns.Script(FakeSns.Error(503, "Receiver", "ServiceUnavailable", "try later"));
                    break;
            }

            var response = await function.HandleAsync("{\"source\":\"aws.events\"}"u8.ToArray(), new InvocationContext("eval-" + step, DateTimeOffset.MaxValue, null, null), CancellationToken.None);
            responses.Add(JsonDocument.Parse(response).RootElement.Clone());
        }

        // Assert: the same notifications as the healthy run, each published exactly once.
        var published = AlertChain.Published(sns);
        Assert.Equal(published.Count, published.Select(p => p.Id).Distinct().Count());
        Assert.Equal(Keys(reference), Keys(published));
        Assert.Contains(published, p => p.Receiver == "pagerduty");
        Assert.Contains(published, p => p.Receiver == "slack-ops");
        Assert.Contains(published, p => p.Status == "resolved");

        // The failures happened, were retried at the next evaluation, and were logged as such.
        Assert.Equal(2, responses.Count(r => r.GetProperty("failed").GetInt32() > 0));
        var warnings = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.GetProperty("level").GetString() == "WARN").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.True(w.GetProperty("counts").GetProperty("failed").GetInt64() > 0));
        Assert.All(await states.LoadAsync(CancellationToken.None), group => Assert.Null(group.Pending));
        Assert.Empty(sns.Rejections);
    }

    [Fact]
    public async Task Notifier_WhenPagerDutyAndSlackRateLimitAndFail_ShouldDeliverEachNotificationOnceAfterRetries()
    {
        // Arrange: the notifications a healthy evaluation run publishes, as SNS hands them to the notifier.
        using var sns = new FakeSns();
        await RunAsync(sns, new InMemoryAlertStateStore());
        var forms = sns.Published.ToList();
        using var pagerDuty = new ScriptedReceiver(new LoopbackResponse(202, "{\"status\":\"success\",\"message\":\"Event processed\"}", "application/json"));
        using var slack = new ScriptedReceiver(new LoopbackResponse(200, "ok"));
        var delay = new RecordingDelay();
        var log = new StringWriter();
        var notifier = AlertChain.Notifier(pagerDuty.BaseUri, slack.BaseUri, _http, delay, log);
        var pagerDutyForms = forms.Where(f => Receiver(f) == "pagerduty").ToList();
        var slackForms = forms.Where(f => Receiver(f) == "slack-ops").ToList();
        Assert.True(pagerDutyForms.Count >= 2 && slackForms.Count >= 2, $"need two notifications per receiver, got {pagerDutyForms.Count} and {slackForms.Count}");

        // Act: per receiver, the first notification meets a 429 with Retry-After and a 500 (the
        // sender's retries get through); the second meets 500s until the retries run out, so the
        // invocation fails and SNS delivers it again.
        var failedInvocations = 0;
        foreach (var form in forms)
        {
            var receiver = form == pagerDutyForms[0] || form == slackForms[0] ? "first"
                : form == pagerDutyForms[1] || form == slackForms[1] ? "second"
                : "healthy";
            var target = Receiver(form) == "pagerduty" ? pagerDuty : slack;
            if (receiver == "first")
            {
                target.Script(new LoopbackResponse(429, "{\"status\":\"throttle event\"}", "application/json", [new("Retry-After", "7")]), new LoopbackResponse(500, "{\"status\":\"error\"}", "application/json"));
            }
            else if (receiver == "second")
            {
                target.Script(Enumerable.Repeat(new LoopbackResponse(503, "{\"status\":\"unavailable\"}", "application/json"), 4).ToArray());
            }

            var lambdaEvent = AlertChain.LambdaEventFor(form);
            for (var delivery = 1; ; delivery++)
            {
                try
                {
                    var result = await notifier.ProcessAsync(lambdaEvent, CancellationToken.None);
                    Assert.Equal(new NotifierResult(1, 0, 0), result);
                    break;
                }
                catch (NotifierDeliveryException) when (delivery < 3)
                {
                    failedInvocations++;
                }
            }
        }

        // Assert: PagerDuty accepted each notification's event once (trigger or resolve, by its dedup_key) …
        var expectedPagerDuty = pagerDutyForms.Select(f => Encoding.UTF8.GetString(Adapters.Receivers.PagerDuty.PagerDutyEvent.Build(Notification(f), AlertChain.RoutingKey))).Order(StringComparer.Ordinal);
        Assert.Equal(expectedPagerDuty, pagerDuty.Accepted.Select(r => r.BodyText).Order(StringComparer.Ordinal));
        Assert.Contains(pagerDuty.Accepted, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("event_action").GetString() == "resolve");

        // … Slack accepted each notification's message once …
        var expectedSlack = slackForms.Select(f => Encoding.UTF8.GetString(Adapters.Receivers.Slack.SlackMessage.Build(Notification(f)))).Order(StringComparer.Ordinal);
        Assert.Equal(expectedSlack, slack.Accepted.Select(r => r.BodyText).Order(StringComparer.Ordinal));

        // … and, read back as JSON rather than compared with the builders' own output: one PagerDuty
        // event per notification, each with the routing key from SSM and the dedup_key derived by hand
        // from the published group (GroupKeyByHand), every trigger critical with a summary; one Slack
        // message per notification, each with its text.
        var pagerDutyEvents = pagerDuty.Accepted.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(pagerDutyForms.Count, pagerDutyEvents.Count);
        Assert.All(pagerDutyEvents, e => Assert.Equal(AlertChain.RoutingKey, e.GetProperty("routing_key").GetString()));
        Assert.Equal(
            pagerDutyForms.Select(GroupKeyByHand).Order(StringComparer.Ordinal),
            pagerDutyEvents.Select(e => e.GetProperty("dedup_key").GetString()!).Order(StringComparer.Ordinal));
        var triggers = pagerDutyEvents.Where(e => e.GetProperty("event_action").GetString() == "trigger").ToList();
        Assert.NotEmpty(triggers);
        Assert.All(triggers, e => Assert.Equal("critical", e.GetProperty("payload").GetProperty("severity").GetString()));
        Assert.All(triggers, e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("payload").GetProperty("summary").GetString())));
        var slackMessages = slack.Accepted.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(slackForms.Count, slackMessages.Count);
        Assert.All(slackMessages, m => Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("text").GetString())));

        // … after honouring Retry-After, and the two exhausted deliveries failed their invocations, logged.
        Assert.Equal(2, delay.Waits.Count(w => w == TimeSpan.FromSeconds(7)));
        Assert.Equal(2, failedInvocations);
        var errors = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.GetProperty("level").GetString() == "ERROR").ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("503", e.GetProperty("error").GetString(), StringComparison.Ordinal));
    }

    private async Task<List<(string Id, string Receiver, string GroupKey, string Status, string Alertname)>> HealthyRunAsync()
    {
        using var sns = new FakeSns();
        await RunAsync(sns, new InMemoryAlertStateStore());
        return AlertChain.Published(sns);
    }

    private async Task RunAsync(FakeSns sns, IAlertStateStore states)
    {
        var clock = new SimulatedClock(AlertChain.T);
        var evaluator = AlertChain.Evaluator(await AlertChain.TrafficAsync(), states, AlertChain.Publisher(sns, _http, clock, new RecordingDelay()), clock);
        await AlertChain.RunScheduleAsync(evaluator, clock, Minutes);
    }

    private static List<string> Keys(IEnumerable<(string Id, string Receiver, string GroupKey, string Status, string Alertname)> notifications) =>
        notifications.Select(n => $"{n.Receiver} {n.Alertname} {n.GroupKey} {n.Status}").Order(StringComparer.Ordinal).ToList();

    private static string Receiver(IReadOnlyDictionary<string, string> form) => Notification(form).Receiver;

    /// <summary>
    /// The group key of a published notification, derived in the test from its JSON (receiver and
    /// groupLabels) rather than by AlertGroupKeys: the first 32 hex digits of SHA-256 over the
    /// receiver and the name-sorted labels, each followed by U+00FF, as UTF-8.
    /// </summary>
    private static string GroupKeyByHand(IReadOnlyDictionary<string, string> form)
    {
        using var message = JsonDocument.Parse(form["Message"]);
        using var body = JsonDocument.Parse(message.RootElement.GetProperty("lambda").GetString()!);
        var text = new StringBuilder(body.RootElement.GetProperty("receiver").GetString()).Append('\u00ff');
        foreach (var label in body.RootElement.GetProperty("groupLabels").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append(label.Name).Append('\u00ff').Append(label.Value.GetString()).Append('\u00ff');
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    private static AlertNotification Notification(IReadOnlyDictionary<string, string> form)
    {
        using var message = JsonDocument.Parse(form["Message"]);
        Assert.True(AlertJson.TryParseNotification(Encoding.UTF8.GetBytes(message.RootElement.GetProperty("lambda").GetString()!), out var notification, out var problem), problem);
        return notification!;
    }
}
