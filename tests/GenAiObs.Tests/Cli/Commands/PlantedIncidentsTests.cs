using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// The bundled samples (tests/tools/generate-samples.py) plant one incident per time slot on their
/// last day, 2026-11-08 (UTC). Replaying them must raise, for each incident, the alert the
/// generator's table names, through the receiver the default routing tree gives its severity,
/// first within the window its design implies — and nothing else may page. The evaluator runs
/// every 5 minutes, so "within" allows one evaluation interval after the condition becomes true.
/// </summary>
public sealed class PlantedIncidentsTests(ReplayedSamples samples) : IClassFixture<ReplayedSamples>
{
    private static readonly DateTimeOffset LastDay = new(2026, 11, 8, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Evaluation = TimeSpan.FromMinutes(5);

    [Fact]
    public void Replay_WhenBundledSamples_ShouldFollowTheAlertContract()
    {
        var alerts = samples.Alerts;

        Assert.DoesNotContain("@example.com", samples.Stdout, StringComparison.Ordinal);
        foreach (var alert in alerts)
        {
            Assert.Contains(alert.Status, new[] { "firing", "resolved" });
            Assert.Equal(alert.Rule, alert.Labels["alertname"]);
            Assert.Equal("aws", alert.Labels["cloud_provider"]);
        }
    }

    [Fact]
    public void Replay_WhenThrottlingBurst_ShouldPageErrorRateHighDuringItAndResolveAfter()
    {
        // 10:00-10:15: 40 Sonnet calls, 32 throttled. ErrorRateHigh needs ≥ 20 calls in 15m, so it
        // fires once enough of the burst has arrived, and resolves once the burst left the 15m window.
        var alerts = samples.Alerts;

        var episode = Assert.Single(Episodes(alerts, "ErrorRateHigh"));
        Assert.Equal(("critical", "pagerduty"), (episode.Firing.Severity, episode.Firing.Receiver));
        AssertWithin(episode.Firing.At, At(10, 0), At(10, 15) + Evaluation);
        Assert.NotNull(episode.Resolved);
        AssertWithin(episode.Resolved!.At, At(10, 15), At(10, 15) + TimeSpan.FromMinutes(15) + Evaluation);
    }

    [Fact]
    public void Replay_WhenUnpricedModelUsed_ShouldWarnSlackOpsNamingTheModel()
    {
        // 11:00-12:00: six calls to us.example.new-model-v1:0, which the price table does not know.
        var alerts = samples.Alerts;

        var episode = Assert.Single(Episodes(alerts, "UnpricedModelInUse"));
        Assert.Equal(("warning", "slack-ops"), (episode.Firing.Severity, episode.Firing.Receiver));
        Assert.Equal("us.example.new-model-v1:0", episode.Firing.Labels["model"]);
        AssertWithin(episode.Firing.At, At(11, 0), At(12, 0) + Evaluation);
    }

    [Fact]
    public void Replay_WhenTruncationStreak_ShouldWarnSlackOpsOnceBothHoursAreComplete()
    {
        // 13:00-15:00: 3 in 4 calls stop at max_tokens. CompletionRateLow needs each of the last 2
        // full hours below 95 %: the first evaluation after 15:00 is the first that sees both.
        var alerts = samples.Alerts;

        var episode = Assert.Single(Episodes(alerts, "CompletionRateLow"));
        Assert.Equal(("warning", "slack-ops"), (episode.Firing.Severity, episode.Firing.Receiver));
        AssertWithin(episode.Firing.At, At(15, 0), At(15, 0) + Evaluation);
    }

    [Fact]
    public void Replay_WhenRunawayAgent_ShouldPageTheCostSpikeDuringTheLoopAndNotBefore()
    {
        // 16:00-16:40: 220 Sonnet calls with 28k-42k-token contexts, the day's cost spike. The
        // earlier incidents are priced within the baseline, so the cost alert must not fire before.
        var alerts = samples.Alerts;

        var firings = alerts.Where(a => a.Rule == "DailyCostAboveBaseline" && a.Status == "firing").ToList();
        Assert.NotEmpty(firings);
        Assert.All(firings, a => Assert.Equal(("critical", "pagerduty"), (a.Severity, a.Receiver)));
        AssertWithin(firings[0].At, At(16, 0), At(16, 40) + Evaluation);
        Assert.DoesNotContain(alerts, a => a.Rule == "DailyCostAboveBaseline" && a.Status == "resolved");
    }

    [Fact]
    public void Replay_WhenRunawayAgentSession_ShouldPageNamingTheSession()
    {
        // 16:05: session-loop-9f2c makes 130 model calls in about eleven minutes; the rule's threshold
        // is > 100 calls within 10m, reached a few minutes into the loop.
        var alerts = samples.Alerts;

        var episode = Assert.Single(Episodes(alerts, "RunawayAgentSession"));
        Assert.Equal(("critical", "pagerduty"), (episode.Firing.Severity, episode.Firing.Receiver));
        Assert.Equal("session-loop-9f2c", episode.Firing.Labels["session"]);
        AssertWithin(episode.Firing.At, At(16, 5), At(16, 25) + Evaluation);
    }

    [Fact]
    public void Replay_WhenBundledSamples_ShouldPageOnlyForThePlantedIncidents()
    {
        var alerts = samples.Alerts;

        // Only the three critical incidents may reach PagerDuty, and only on the incident day.
        string[] mayPage = ["ErrorRateHigh", "DailyCostAboveBaseline", "RunawayAgentSession"];
        var pages = alerts.Where(a => a.Receiver == "pagerduty").ToList();
        Assert.All(pages, a => Assert.Contains(a.Rule, mayPage));
        Assert.All(pages, a => Assert.True(a.At >= LastDay, $"{a.Rule} paged at {a.At:O}, before the incident day"));

        // Slack ops hears the planted warnings, plus two consequences of the planted load: the
        // hours with extra calls (10, 13, 14, 16) are unusual volume, and the runaway session's 54
        // search_flights calls (2.5-7.5 s each) are enough samples for the tool's p95. The quality
        // experiment's planted regression (arm B of ticket-summary) is a QualityDrop warning.
        string[] mayWarn = ["UnpricedModelInUse", "CompletionRateLow", "UnusualRequestVolume", "ComponentP95High", "QualityDrop"];
        var warnings = alerts.Where(a => a.Receiver == "slack-ops").ToList();
        Assert.All(warnings, a => Assert.Contains(a.Rule, mayWarn));
        Assert.All(warnings, a => Assert.True(a.At >= LastDay, $"{a.Rule} warned at {a.At:O}, before the incident day"));
        Assert.All(
            alerts.Where(a => a.Rule == "ComponentP95High"),
            a => Assert.Equal("tool:search_flights", a.Labels["component"]));

        // The seven quiet days produce one digest each morning (for the day before), and the
        // Monday report; both go to the default receiver.
        var digests = alerts.Where(a => a.Rule == "DailyDigest").Select(a => (a.At, a.Receiver)).ToList();
        var expected = Enumerable.Range(1, 7).Select(d => (new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero).AddDays(d), "default"));
        Assert.Equal(expected, digests);
        var weekly = Assert.Single(alerts, a => a.Rule == "WeeklyUsageReport");
        Assert.Equal((new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), "default"), (weekly.At, weekly.Receiver));
    }

    private static DateTimeOffset At(int hour, int minute) => LastDay + new TimeSpan(hour, minute, 0);

    private static void AssertWithin(DateTimeOffset at, DateTimeOffset from, DateTimeOffset to) =>
        Assert.True(at >= from && at <= to, $"{at:O} is outside [{from:O}, {to:O}]");

    /// <summary>Firing notifications each paired with the next resolved one of the same rule and labels.</summary>
    private static List<(ReplayedAlert Firing, ReplayedAlert? Resolved)> Episodes(IReadOnlyList<ReplayedAlert> alerts, string rule)
    {
        var episodes = new List<(ReplayedAlert, ReplayedAlert?)>();
        var ofRule = alerts.Where(a => a.Rule == rule).ToList();
        for (var i = 0; i < ofRule.Count; i++)
        {
            if (ofRule[i].Status != "firing")
            {
                continue;
            }

            var resolved = ofRule.Skip(i + 1).FirstOrDefault(a => a.Status == "resolved" && a.SameLabels(ofRule[i]));
            episodes.Add((ofRule[i], resolved));
            if (resolved is not null)
            {
                i = ofRule.IndexOf(resolved);
            }
        }

        return episodes;
    }
}
