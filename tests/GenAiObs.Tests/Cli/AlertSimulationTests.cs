using System.Text;
using System.Text.Json;
using Xunit;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Cli;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Tests.Rules;

public class AlertSimulationTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 11, 18, 23, 59, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset IncidentStart = new(2026, 11, 17, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset IncidentEnd = new(2026, 11, 17, 11, 0, 0, TimeSpan.Zero);

    private static async Task<IReadOnlyList<SimulatedNotification>> ThreeDaysWithANineHourOutageAsync()
    {
        var store = await new Traffic()
            .Steady(From, To, 25)
            .Steady(IncidentStart, IncidentEnd, 25, model: "broken-model", failing: true)
            .StoreAsync();
        var settings = new EvaluatorSettings(RuleSettings.Default with { MonthlyBudgetUsd = 1_500m }, RoutingTree.Default);

        return await AlertSimulation.RunAsync(store, From, To, settings);
    }

    [Fact]
    public async Task RunAsync_OverThreeDays_ShouldRepeatEveryFourHoursWhileFiringAndResolveOnce()
    {
        var notifications = await ThreeDaysWithANineHourOutageAsync();

        var errorRate = notifications.Where(n => n.Rule == "ErrorRateHigh").ToList();
        Assert.Equal(["firing", "firing", "firing", "resolved"], errorRate.Select(n => n.Status));
        Assert.All(errorRate, n => Assert.Equal("pagerduty", n.Receiver));
        Assert.Equal(IncidentStart.AddMinutes(5).AddSeconds(30), errorRate[0].At);
        Assert.All(errorRate.Zip(errorRate.Skip(1)).Take(2), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromHours(4)));
        Assert.InRange(errorRate[^1].At, IncidentEnd, IncidentEnd.AddMinutes(20));

        var unavailable = notifications.Where(n => n.Rule == "ModelUnavailable").ToList();
        Assert.Equal(["firing", "firing", "firing", "resolved"], unavailable.Select(n => n.Status));
        Assert.Equal("broken-model", unavailable[0].Labels.Get("model"));
    }

    [Fact]
    public async Task RunAsync_OverThreeDays_ShouldSendEachReportAndBudgetNoticeExactlyOnce()
    {
        var notifications = await ThreeDaysWithANineHourOutageAsync();

        var digests = notifications.Where(n => n.Rule == "DailyDigest").ToList();
        Assert.Equal(["2026-11-16", "2026-11-17"], digests.Select(n => n.Labels.Get("period")));
        Assert.Equal(
            [new DateTimeOffset(2026, 11, 17, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 18, 8, 0, 0, TimeSpan.Zero)],
            digests.Select(n => n.At));
        Assert.All(digests, n => Assert.Equal(("info", "default", "firing"), (n.Severity, n.Receiver, n.Status)));

        var threshold = Assert.Single(notifications, n => n.Rule == "BudgetThreshold");
        Assert.Equal(("slack-ops", "2026-11"), (threshold.Receiver, threshold.Labels.Get("period")));
        var exceeded = Assert.Single(notifications, n => n.Rule == "MonthlyBudgetExceeded");
        Assert.Equal("slack-finops", exceeded.Receiver);
        Assert.True(exceeded.At > threshold.At);
        var forecast = Assert.Single(notifications, n => n.Rule == "BudgetForecastExceeded");
        Assert.Equal(("slack-finops", "2026-11"), (forecast.Receiver, forecast.Labels.Get("period")));
        Assert.True(forecast.At < exceeded.At);

        Assert.Equal(13, notifications.Count);
        Assert.Equal(notifications.OrderBy(n => n.At).Select(n => n.At), notifications.Select(n => n.At));
    }

    [Fact]
    public async Task WriteJsonArray_ShouldWriteTheReplayAlertsShape()
    {
        var notifications = await ThreeDaysWithANineHourOutageAsync();
        using var buffer = new MemoryStream();

        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            SimulatedNotification.WriteJsonArray(writer, notifications);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        var alerts = document.RootElement.GetProperty("alerts");
        Assert.Equal(notifications.Count, alerts.GetArrayLength());
        var first = alerts.EnumerateArray().First(alert => alert.GetProperty("rule").GetString() == "ErrorRateHigh");
        Assert.Equal("critical", first.GetProperty("severity").GetString());
        Assert.Equal("pagerduty", first.GetProperty("receiver").GetString());
        Assert.Equal("firing", first.GetProperty("status").GetString());
        Assert.Equal(IncidentStart.AddMinutes(5).AddSeconds(30), first.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("aws", first.GetProperty("labels").GetProperty("cloud_provider").GetString());
        Assert.StartsWith("Invocation error rate", first.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", Encoding.UTF8.GetString(buffer.ToArray()).Split("\"at\":\"")[1].Split('"')[0], StringComparison.Ordinal);
    }
}
