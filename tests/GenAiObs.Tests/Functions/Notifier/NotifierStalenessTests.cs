using System.Text.Json;
using GenAiObs.Core.Alerts;
using GenAiObs.Functions.Notifier;
using GenAiObs.Tests.Alerts;
using GenAiObs.Tests.Receivers.PagerDuty;
using GenAiObs.Tests.Wiring;
using Xunit;

namespace GenAiObs.Tests.Delivery;

/// <summary>Stale triggers never reach a receiver: too old, or overtaken by the group's resolve (a redriven message).</summary>
[Trait("Category", "Integration")]
public sealed class NotifierStalenessTests : IDisposable
{
    private static readonly DateTimeOffset Fired = AlertTestData.T0;
    private readonly LoopbackHttpServer _pagerDuty = new(_ => new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
    private readonly HttpClient _http = new();
    private readonly StringWriter _log = new();

    public void Dispose()
    {
        _pagerDuty.Dispose();
        _http.Dispose();
        _log.Dispose();
    }

    private NotifierFunction Notifier(DateTimeOffset now, TimeSpan? maxAge = null) =>
        TestNotifier.Create(
            new NotifierSettings(new Uri(_pagerDuty.BaseUri, "v2/enqueue"), "/pd", null, null) { MaxNotificationAge = maxAge ?? TimeSpan.FromHours(1), AlarmReceiver = "pagerduty" },
            new FakeSecrets(new Dictionary<string, string> { ["/pd"] = "routing-key" }),
            _http,
            new RecordingDelay(),
            _log,
            new Store.FixedTimeProvider(now),
            keepAgeBound: true);

    private static AlertNotification Trigger() => SnsPublisherTests.Notification() with { At = Fired };

    private List<string?> Actions() => [.. _pagerDuty.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("event_action").GetString())];

    [Fact]
    public async Task ProcessAsync_WhenATriggerIsWithinTheBound_ShouldDeliverIt()
    {
        var result = await Notifier(Fired.AddMinutes(59)).ProcessAsync(NotifierAndNotifyTestTests.EventFor(Trigger()), CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        Assert.Equal(["trigger"], Actions());
    }

    [Fact]
    public async Task ProcessAsync_WhenATriggerIsOlderThanTheBound_ShouldDropAndLogIt()
    {
        var result = await Notifier(Fired.AddMinutes(61)).ProcessAsync(NotifierAndNotifyTestTests.EventFor(Trigger()), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 1, 0), result);
        Assert.Empty(_pagerDuty.Requests);
        using var line = JsonDocument.Parse(_log.ToString().Trim());
        Assert.Equal("notification dropped", line.RootElement.GetProperty("message").GetString());
        Assert.Equal("too_old", line.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ProcessAsync_WhenAResolveIsOlderThanTheBound_ShouldStillDeliverIt()
    {
        var resolved = PagerDutyIntegrationTests.Resolved(Trigger());

        var result = await Notifier(Fired.AddDays(2)).ProcessAsync(NotifierAndNotifyTestTests.EventFor(resolved), CancellationToken.None);

        Assert.Equal(new NotifierResult(1, 0, 0), result);
        Assert.Equal(["resolve"], Actions());
    }

    [Fact]
    public async Task ProcessAsync_WhenATriggerIsRedrivenAfterItsResolve_ShouldNotReopenTheIncident()
    {
        var notifier = Notifier(Fired.AddMinutes(20), maxAge: TimeSpan.FromDays(1));
        var trigger = Trigger();
        var resolve = PagerDutyIntegrationTests.Resolved(trigger) with { Id = "group-1-resolved", At = Fired.AddMinutes(10) };

        var first = await notifier.ProcessAsync(NotifierAndNotifyTestTests.EventFor(trigger), CancellationToken.None);
        var resolved = await notifier.ProcessAsync(NotifierAndNotifyTestTests.EventFor(resolve), CancellationToken.None);
        var redriven = await notifier.ProcessAsync(NotifierAndNotifyTestTests.EventFor(trigger), CancellationToken.None);
        var newer = await notifier.ProcessAsync(NotifierAndNotifyTestTests.EventFor(trigger with { Id = "group-1-again", At = Fired.AddMinutes(15) }), CancellationToken.None);

        Assert.Equal((1, 1, 0, 1), (first.Delivered, resolved.Delivered, redriven.Delivered, newer.Delivered));
        Assert.Equal(1, redriven.Skipped);
        Assert.Equal(["trigger", "resolve", "trigger"], Actions());
        Assert.Contains("\"reason\":\"older_than_resolve\"", _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_WhenAnAlarmIsRedrivenAfterItsOk_ShouldNotTriggerAgain()
    {
        var notifier = Notifier(DateTimeOffset.Parse("2026-11-26T10:30:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var ok = AlarmEvents.Message("OK", "ALARM", ("StateChangeTime", "2026-11-26T10:20:00.000+0000"));

        await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("ALARM", "OK")), CancellationToken.None);
        await notifier.ProcessAsync(AlarmEvents.Event(ok), CancellationToken.None);
        var redriven = await notifier.ProcessAsync(AlarmEvents.Event(AlarmEvents.Message("ALARM", "OK")), CancellationToken.None);

        Assert.Equal(new NotifierResult(0, 1, 0), redriven);
        Assert.Equal(["trigger", "resolve"], Actions());
    }
}
