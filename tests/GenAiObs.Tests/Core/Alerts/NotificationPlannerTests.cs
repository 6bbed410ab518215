using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;
using Xunit;
using static GenAiObs.Tests.Alerts.AlertTestData;

namespace GenAiObs.Tests.Alerts;

public class NotificationPlannerTests
{
    /// <summary>Runs the planner at every tick, persisting states the way the dispatcher does.</summary>
    private sealed class Simulation(RoutingTree routing)
    {
        private readonly Dictionary<string, AlertGroupState> _states = new(StringComparer.Ordinal);

        public List<AlertNotification> Sent { get; } = [];

        public IReadOnlyCollection<AlertGroupState> States => _states.Values;

        public NotificationPlan Tick(DateTimeOffset now, params Alert[] firing)
        {
            var plan = NotificationPlanner.Plan(firing, _states.Values.ToList(), routing, now);
            foreach (var group in plan.Groups)
            {
                _states[group.GroupId] = group.Next;
            }

            Sent.AddRange(plan.Notifications);
            return plan;
        }

        public void Run(DateTimeOffset from, DateTimeOffset to, TimeSpan step, Func<DateTimeOffset, Alert[]> firingAt)
        {
            for (var now = from; now <= to; now += step)
            {
                Tick(now, firingAt(now));
            }
        }
    }

    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    private static Alert ErrorRate(DateTimeOffset startsAt, string model = "m1") =>
        Firing("ErrorRateHigh", AlertSeverity.Critical, startsAt, ("model", model));

    [Fact]
    public void Plan_WhenGroupIsNew_ShouldWaitGroupWaitBeforeTheFirstNotification()
    {
        var simulation = new Simulation(RoutingTree.Default);
        var alert = ErrorRate(T0);

        var first = simulation.Tick(T0, alert);
        var second = simulation.Tick(T0 + FiveMinutes, alert);

        Assert.Empty(first.Notifications);
        Assert.Equal(T0 + TimeSpan.FromSeconds(30), first.NextDueAt);
        var notification = Assert.Single(second.Notifications);
        Assert.Equal("pagerduty", notification.Receiver);
        Assert.Equal(AlertStatus.Firing, notification.Status);
        Assert.Equal(NotifyReasons.FirstNotification, notification.Reason);
        Assert.Equal(Labels(("alertname", "ErrorRateHigh"), ("cloud_provider", "aws")), notification.GroupLabels);
    }

    [Fact]
    public void Plan_WhenAlertStartedMoreThanGroupWaitAgo_ShouldNotifyAtOnce()
    {
        var simulation = new Simulation(RoutingTree.Default);

        var plan = simulation.Tick(T0, ErrorRate(T0 - TimeSpan.FromMinutes(1)));

        Assert.Single(plan.Notifications);
    }

    [Fact]
    public void Plan_OverADayOfFiringThenClearing_ShouldRepeatEveryRepeatIntervalAndResolveExactlyOnce()
    {
        var simulation = new Simulation(RoutingTree.Default);
        var clearsAt = T0 + TimeSpan.FromHours(9);

        simulation.Run(T0, T0 + TimeSpan.FromHours(24), FiveMinutes, now => now < clearsAt ? [ErrorRate(T0)] : []);

        // Like Alertmanager, a repeat goes out at the first flush after repeat_interval has
        // passed: flushes are 5 minutes apart, so repeats are 4h05m apart.
        Assert.Equal(
            [
                (T0 + FiveMinutes, AlertStatus.Firing, NotifyReasons.FirstNotification),
                (T0 + new TimeSpan(4, 10, 0), AlertStatus.Firing, NotifyReasons.RepeatIntervalElapsed),
                (T0 + new TimeSpan(8, 15, 0), AlertStatus.Firing, NotifyReasons.RepeatIntervalElapsed),
                (clearsAt, AlertStatus.Resolved, NotifyReasons.AllAlertsResolved),
            ],
            simulation.Sent.Select(n => (n.At, n.Status, n.Reason)));
        var resolved = simulation.Sent[^1];
        Assert.Equal(clearsAt, Assert.Single(resolved.Alerts).EndsAt);
        Assert.All(simulation.States, s => Assert.True(s.IsClosed));
    }

    [Fact]
    public void Plan_WhenAnAlertJoinsAnAlreadyNotifiedGroup_ShouldNotifyAtTheNextGroupIntervalFlush()
    {
        var simulation = new Simulation(RoutingTree.Default);
        var secondJoinsAt = T0 + TimeSpan.FromMinutes(7);

        simulation.Run(T0, T0 + TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1), now =>
            now < secondJoinsAt ? [ErrorRate(T0)] : [ErrorRate(T0), ErrorRate(secondJoinsAt, "m2")]);

        // group_wait 30s → first flush at the 1-minute tick; flushes then every 5 minutes (6, 11, 16).
        Assert.Equal(
            [(T0 + TimeSpan.FromMinutes(1), NotifyReasons.FirstNotification, 1), (T0 + TimeSpan.FromMinutes(11), NotifyReasons.NewAlertsInGroup, 2)],
            simulation.Sent.Select(n => (n.At, n.Reason, n.FiringCount)));
    }

    [Fact]
    public void Plan_WhenOneOfTwoAlertsClears_ShouldSendAFiringNotificationListingTheResolvedOne()
    {
        var simulation = new Simulation(RoutingTree.Default);

        simulation.Tick(T0, ErrorRate(T0 - TimeSpan.FromHours(1)), ErrorRate(T0 - TimeSpan.FromHours(1), "m2"));
        var plan = simulation.Tick(T0 + FiveMinutes, ErrorRate(T0 - TimeSpan.FromHours(1)));
        var later = simulation.Tick(T0 + FiveMinutes * 2, ErrorRate(T0 - TimeSpan.FromHours(1)));

        var notification = Assert.Single(plan.Notifications);
        Assert.Equal(NotifyReasons.NewResolvedAlerts, notification.Reason);
        Assert.Equal(AlertStatus.Firing, notification.Status);
        Assert.Equal(1, notification.FiringCount);
        Assert.Equal("m2", Assert.Single(notification.Alerts, a => a.Status == AlertStatus.Resolved).Labels.Get("model"));
        Assert.Empty(later.Notifications);
        Assert.Single(Assert.Single(simulation.States).Alerts);
    }

    [Fact]
    public void Plan_WhenAlertFlapsBetweenTwoFlushes_ShouldSendNothingNew()
    {
        var simulation = new Simulation(RoutingTree.Default);
        var quietMinutes = new HashSet<int> { 7, 8, 13 };

        simulation.Run(T0, T0 + TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), now =>
            quietMinutes.Contains((int)(now - T0).TotalMinutes) ? [] : [ErrorRate(T0)]);

        var only = Assert.Single(simulation.Sent);
        Assert.Equal(NotifyReasons.FirstNotification, only.Reason);
    }

    [Fact]
    public void Plan_WhenAlertClearsAtAFlushAndReturns_ShouldResolveOnceThenStartAFreshGroup()
    {
        var simulation = new Simulation(RoutingTree.Default);

        simulation.Run(T0, T0 + TimeSpan.FromMinutes(40), FiveMinutes, now =>
            now >= T0 + TimeSpan.FromMinutes(10) && now < T0 + TimeSpan.FromMinutes(20) ? [] : [ErrorRate(now)]);

        Assert.Equal(
            [
                (T0 + FiveMinutes, AlertStatus.Firing, NotifyReasons.FirstNotification),
                (T0 + TimeSpan.FromMinutes(10), AlertStatus.Resolved, NotifyReasons.AllAlertsResolved),
                (T0 + TimeSpan.FromMinutes(25), AlertStatus.Firing, NotifyReasons.FirstNotification),
            ],
            simulation.Sent.Select(n => (n.At, n.Status, n.Reason)));
    }

    [Fact]
    public void Plan_WhenAlertFiresAndClearsBeforeTheFirstFlush_ShouldNeverNotify()
    {
        var simulation = new Simulation(RoutingTree.Default);

        simulation.Tick(T0, ErrorRate(T0));
        simulation.Tick(T0 + TimeSpan.FromSeconds(10));
        simulation.Tick(T0 + FiveMinutes);
        simulation.Tick(T0 + FiveMinutes * 2);

        Assert.Empty(simulation.Sent);
        Assert.All(simulation.States, s => Assert.True(s.IsClosed));
    }

    [Fact]
    public void Plan_WhenCalledAgainWithItsOwnStatesAndTheSameNow_ShouldSendNothing()
    {
        var alerts = new[] { ErrorRate(T0 - TimeSpan.FromHours(1)), Firing("CompletionRateLow", AlertSeverity.Warning, T0 - TimeSpan.FromHours(1)) };
        var now = T0 + FiveMinutes;

        var first = NotificationPlanner.Plan(alerts, [], RoutingTree.Default, now);
        var again = NotificationPlanner.Plan(alerts, [.. first.Groups.Select(g => g.Next)], RoutingTree.Default, now);
        var same = NotificationPlanner.Plan(alerts, [], RoutingTree.Default, now);

        Assert.Equal(2, first.Notifications.Count());
        Assert.Empty(again.Notifications);
        Assert.Equal(
            first.Groups.Select(g => AlertJson.SerializeState(g.Next)),
            same.Groups.Select(g => AlertJson.SerializeState(g.Next)));
        Assert.Equal(first.Notifications.Select(n => n.Id), same.Notifications.Select(n => n.Id));
    }

    [Fact]
    public void Plan_WhenRouteContinues_ShouldNotifyEachMatchedReceiverInItsOwnGroup()
    {
        var routing = RoutingConfigParser.Parse("""
            route:
              receiver: default
              group_by: [alertname]
              group_wait: 0s
              routes:
                - match: {severity: critical}
                  receiver: pagerduty
                  continue: true
                - match_re: {alertname: 'Error.*'}
                  receiver: slack-ops
            """, "test");

        var plan = NotificationPlanner.Plan([ErrorRate(T0)], [], routing, T0);

        Assert.Equal(["pagerduty", "slack-ops"], plan.Notifications.Select(n => n.Receiver).Order(StringComparer.Ordinal));
        Assert.NotEqual(plan.Notifications.First().GroupKey, plan.Notifications.Last().GroupKey);
    }

    [Fact]
    public void Plan_WhenGroupByIsEllipsis_ShouldGiveEachAlertItsOwnNotification()
    {
        var routing = RoutingConfigParser.Parse("route: {receiver: r, group_by: ['...'], group_wait: 0s}", "test");

        var plan = NotificationPlanner.Plan([ErrorRate(T0), ErrorRate(T0, "m2")], [], routing, T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(2, plan.Notifications.Count());
        Assert.All(plan.Notifications, n => Assert.Single(n.Alerts));
    }

    [Fact]
    public void Plan_WhenAlertsShareGroupLabels_ShouldSendOneNotificationWithAllOfThem()
    {
        var plan = NotificationPlanner.Plan(
            [ErrorRate(T0 - TimeSpan.FromHours(1)), ErrorRate(T0 - TimeSpan.FromHours(1), "m2"), ErrorRate(T0 - TimeSpan.FromHours(1), "m3")],
            [],
            RoutingTree.Default,
            T0);

        var notification = Assert.Single(plan.Notifications);
        Assert.Equal(3, notification.FiringCount);
        Assert.Equal(AlertGroupKeys.GroupKey("pagerduty", notification.GroupLabels), notification.GroupKey);
        Assert.Equal([("alertname", "ErrorRateHigh"), ("cloud_provider", "aws")], notification.GroupLabels.Select(p => (p.Key, p.Value)));
        Assert.Equal("e067b651bb376bb1273363b928139ab2", notification.GroupKey); // SHA-256 as in GroupKey_WhenLabelOrderDiffers_ShouldBeTheSame
    }

    [Fact]
    public void Plan_WhenGroupStateRoundTripsThroughJson_ShouldPlanTheSame()
    {
        var simulation = new Simulation(RoutingTree.Default);
        simulation.Tick(T0, ErrorRate(T0 - TimeSpan.FromHours(1)), ErrorRate(T0, "m2"));
        var restored = simulation.States.Select(s => AlertJson.DeserializeState(AlertJson.SerializeState(s))).ToList();

        var direct = NotificationPlanner.Plan([ErrorRate(T0 - TimeSpan.FromHours(1))], [.. simulation.States], RoutingTree.Default, T0 + FiveMinutes);
        var viaJson = NotificationPlanner.Plan([ErrorRate(T0 - TimeSpan.FromHours(1))], restored, RoutingTree.Default, T0 + FiveMinutes);

        Assert.Equal(
            direct.Groups.Select(g => AlertJson.SerializeState(g.Next)),
            viaJson.Groups.Select(g => AlertJson.SerializeState(g.Next)));
        Assert.Equal(direct.Notifications.Select(n => n.Reason), viaJson.Notifications.Select(n => n.Reason));
    }

    [Fact]
    public void GroupKey_WhenLabelOrderDiffers_ShouldBeTheSame()
    {
        var a = AlertGroupKeys.GroupKey("pagerduty", LabelSet.From(("alertname", "X"), ("cloud_provider", "aws")));
        var b = AlertGroupKeys.GroupKey("pagerduty", LabelSet.From(("cloud_provider", "aws"), ("alertname", "X")));
        var other = AlertGroupKeys.GroupKey("slack-ops", LabelSet.From(("alertname", "X"), ("cloud_provider", "aws")));

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        // Derived outside the code under test (Python's hashlib): the first 32 hex digits of SHA-256
        // over "pagerduty", "alertname", "X", "cloud_provider", "aws", each followed by U+00FF in UTF-8.
        Assert.Equal("c035d75a791c667da8ee4914262dc809", a);
    }

    [Fact]
    public void Fingerprint_WhenComputed_ShouldMatchThePrometheusLabelSetHash()
    {
        // FNV-1a 64 of the empty label set is the offset basis, as in prometheus/common.
        Assert.Equal("cbf29ce484222325", LabelSet.Empty.Fingerprint());
        // {a="1", b="2"}: FNV-1a 64 over the bytes a 0xFF 1 0xFF b 0xFF 2 0xFF, computed in Python.
        Assert.Equal("1cc37fac8a64ae01", LabelSet.From(("a", "1"), ("b", "2")).Fingerprint());
        Assert.Equal(
            LabelSet.From(("b", "2"), ("a", "1")).Fingerprint(),
            LabelSet.From(("a", "1"), ("b", "2")).Fingerprint());
        Assert.NotEqual(
            LabelSet.From(("a", "1b")).Fingerprint(),
            LabelSet.From(("a1", "b")).Fingerprint());
    }

    [Fact]
    public void Create_WhenTextIsTooLong_ShouldCutAndMarkIt()
    {
        var alert = Alert.Create("X", AlertSeverity.Info, [], new string('s', 5000), new string('d', 9000), T0);

        Assert.Equal(Alert.MaxSummaryLength, alert.Summary.Length);
        Assert.EndsWith(Alert.CutMarker, alert.Summary, StringComparison.Ordinal);
        Assert.Equal(Alert.MaxDescriptionLength, alert.Description!.Length);
        Assert.Equal("aws", alert.Labels.Get("cloud_provider"));
    }

    [Fact]
    public void Create_WhenARuleKeyWouldOverrideAFixedLabel_ShouldRefuse()
    {
        Assert.Throws<ArgumentException>(() => Alert.Create("X", AlertSeverity.Info, [new("severity", "critical")], "s", null, T0));
        Assert.Throws<ArgumentException>(() => Alert.Create("X", AlertSeverity.Info, [new("bad-name", "v")], "s", null, T0));
    }
}
