using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using Xunit;
using static GenAiObs.Tests.Alerts.AlertTestData;

namespace GenAiObs.Tests.Alerts;

/// <summary>
/// Routing semantics written from Alertmanager's documentation
/// (https://prometheus.io/docs/alerting/latest/configuration/): validation, <c>matchers:</c>
/// beside the deprecated <c>match</c>/<c>match_re</c>, and time intervals applied when a
/// group's notification is planned.
/// </summary>
public class AlertmanagerRoutingTests
{
    private static RoutingTree Parse(string yaml) => RoutingConfigParser.Parse(yaml, "GENAIOBS_ROUTING");

    private static string ReceiversFor(RoutingTree tree, params (string, string)[] labels) =>
        string.Join(",", tree.Match(Labels(labels)).Select(r => r.Receiver));

    [Fact]
    public void Parse_WhenTwoReceiversShareAName_ShouldRejectAsNotUnique()
    {
        var error = Assert.Throws<RoutingConfigException>(() => Parse("""
            route: {receiver: team-x}
            receivers:
              - name: team-x
              - name: team-y
              - name: team-x
            """));

        Assert.Equal("GENAIOBS_ROUTING: receivers[2].name", error.Setting);
        Assert.Equal("notification config name \"team-x\" is not unique", error.Problem);
    }

    [Fact]
    public void Parse_WhenARouteNamesAnUndefinedReceiver_ShouldRejectIt()
    {
        var error = Assert.Throws<RoutingConfigException>(() => Parse("""
            route:
              receiver: team-x
              routes: [{matchers: [a=b], receiver: team-z}]
            receivers: [{name: team-x}]
            """));

        Assert.Equal("GENAIOBS_ROUTING: route.routes[0].receiver", error.Setting);
        Assert.StartsWith("undefined receiver \"team-z\" used in route", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{team: }")]
    [InlineData("{team: ~}")]
    [InlineData("{team: null}")]
    public void Parse_WhenMatchReValueIsNull_ShouldRejectAsInvalidRegexpValue(string matchRe)
    {
        var error = Assert.Throws<RoutingConfigException>(() => Parse($$"""
            route:
              receiver: root
              routes: [{match_re: {{matchRe}}, receiver: unowned}]
            """));

        Assert.Equal("GENAIOBS_ROUTING: route.routes[0].match_re.team", error.Setting);
        Assert.StartsWith("invalid regexp value for \"team\"", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_WhenMatchReValueIsAnExplicitEmptyString_ShouldMatchOnlyAlertsWithoutTheLabel()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes: [{match_re: {team: ''}, receiver: unowned}]
            """);

        Assert.Equal("unowned", ReceiversFor(tree, ("alertname", "X")));
        Assert.Equal("root", ReceiversFor(tree, ("alertname", "X"), ("team", "a")));
    }

    [Fact]
    public void Match_WhenMatchValueIsNull_ShouldMatchAMissingLabelAsAlertmanagerReadsNullAsEmpty()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes: [{match: {team: }, receiver: unowned}]
            """);

        Assert.Equal("unowned", ReceiversFor(tree, ("alertname", "X")));
        Assert.Equal("root", ReceiversFor(tree, ("alertname", "X"), ("team", "a")));
    }

    [Fact]
    public void Match_WhenRoutesUseMatchersWithEachOperator_ShouldRouteLikeAlertmanager()
    {
        var tree = Parse("""
            route:
              receiver: default
              routes:
                - matchers: ['alertname="MonthlyBudgetExceeded"']
                  receiver: finops
                - matchers:
                    - severity=~"critical|page"
                    - team!="sandbox"
                  receiver: pager
                - matchers: ['{severity="warning", model!~"(?i)titan.*"}']
                  receiver: slack
                - matchers: [severity = warning]
                  receiver: titan-warnings
            """);

        Assert.Equal("finops", ReceiversFor(tree, ("alertname", "MonthlyBudgetExceeded"), ("severity", "critical")));
        Assert.Equal("pager", ReceiversFor(tree, ("alertname", "E"), ("severity", "page")));
        Assert.Equal("pager", ReceiversFor(tree, ("alertname", "E"), ("severity", "critical")));
        Assert.Equal("default", ReceiversFor(tree, ("alertname", "E"), ("severity", "critical"), ("team", "sandbox")));
        Assert.Equal("slack", ReceiversFor(tree, ("alertname", "E"), ("severity", "warning"), ("model", "claude")));
        Assert.Equal("titan-warnings", ReceiversFor(tree, ("alertname", "E"), ("severity", "warning"), ("model", "Titan-Text")));
    }

    [Fact]
    public void Match_WhenARouteHasMatchMatchReAndMatchers_ShouldRequireAllOfThem()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - match: {team: ml}
                  match_re: {severity: 'critical|warning'}
                  matchers: ['env!="dev"']
                  receiver: ml
            """);

        Assert.Equal("ml", ReceiversFor(tree, ("team", "ml"), ("severity", "warning"), ("env", "prod")));
        Assert.Equal("root", ReceiversFor(tree, ("team", "ml"), ("severity", "warning"), ("env", "dev")));
        Assert.Equal("root", ReceiversFor(tree, ("team", "ml"), ("severity", "info"), ("env", "prod")));
        Assert.Equal("root", ReceiversFor(tree, ("team", "ai"), ("severity", "warning"), ("env", "prod")));
        Assert.Equal(
            "{env!=\"dev\",severity=~\"critical|warning\",team=\"ml\"}",
            tree.Root.Routes[0].MatchersText);
    }

    [Fact]
    public void Match_WhenAValueEndsInANewline_ShouldNotMatchARegexWithoutIt()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes: [{match_re: {severity: critical}, receiver: pager}]
            """);

        Assert.Equal("pager", ReceiversFor(tree, ("severity", "critical")));
        Assert.Equal("root", ReceiversFor(tree, ("severity", "critical\n")));
    }

    [Fact]
    public void TimeIntervals_WhenSetOnAParent_ShouldNotMuteItsChildrenAsInAlertmanager()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - matchers: [team=ml]
                  mute_time_intervals: [always]
                  routes:
                    - matchers: [severity=critical]
                      receiver: ml-pager
            time_intervals:
              - name: always
                time_intervals: [{}]
            """);

        var parent = tree.Root.Routes[0];
        var child = parent.Routes[0];

        Assert.Equal(["always"], tree.MutedBy(parent, T0));
        Assert.Empty(tree.MutedBy(child, T0));
        Assert.Empty(child.MuteTimeIntervals);
    }

    [Fact]
    public void MutedBy_ShouldMuteOutsideActiveIntervalsAndInsideMuteIntervals()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - matchers: [severity=warning]
                  receiver: slack-ops
                  active_time_intervals: [business-hours, on-call-saturday]
                  mute_time_intervals: [lunch]
            time_intervals:
              - name: business-hours
                time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}], weekdays: ['monday:friday']}]
              - name: on-call-saturday
                time_intervals: [{weekdays: [saturday], times: [{start_time: '10:00', end_time: '12:00'}]}]
              - name: lunch
                time_intervals: [{times: [{start_time: '12:00', end_time: '13:00'}]}]
            """);
        var route = tree.Root.Routes[0];
        var monday = new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero);

        Assert.Empty(tree.MutedBy(route, monday.AddHours(10)));
        Assert.Equal(["lunch"], tree.MutedBy(route, monday.AddHours(12.5)));
        Assert.Equal(["business-hours", "on-call-saturday"], tree.MutedBy(route, monday.AddHours(18)));
        Assert.Empty(tree.MutedBy(route, monday.AddDays(5).AddHours(11)));
        Assert.Equal(["business-hours", "on-call-saturday"], tree.MutedBy(route, monday.AddDays(6).AddHours(11)));
        Assert.Empty(tree.MutedBy(tree.Root, monday.AddHours(18)));
    }

    private static RoutingTree BusinessHoursSlack() => Parse("""
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          routes:
            - matchers: [severity="warning"]
              receiver: slack-ops
              active_time_intervals: [business-hours]
        time_intervals:
          - name: business-hours
            time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}], weekdays: ['monday:friday']}]
        """);

    [Fact]
    public void Plan_WhenTheRouteIsOutsideItsActiveInterval_ShouldHoldTheNotificationUntilItIsActive()
    {
        var routing = BusinessHoursSlack();
        var friday = new DateTimeOffset(2025, 3, 14, 16, 58, 0, TimeSpan.Zero);
        var alert = Firing("CompletionRateLow", AlertSeverity.Warning, friday);
        var states = new Dictionary<string, AlertGroupState>(StringComparer.Ordinal);
        var sent = new List<(DateTimeOffset At, AlertNotification Notification)>();
        var muted = 0;

        // Every 5 minutes from Friday 16:58 to Monday 09:03: group_wait ends at 16:58:30, outside business hours from 17:00.
        for (var now = friday; now <= new DateTimeOffset(2025, 3, 17, 9, 3, 0, TimeSpan.Zero); now += TimeSpan.FromMinutes(5))
        {
            var plan = NotificationPlanner.Plan([alert], [.. states.Values], routing, now);
            foreach (var group in plan.Groups)
            {
                states[group.GroupId] = group.Next;
            }

            sent.AddRange(plan.Notifications.Select(n => (now, n)));
            muted += plan.Muted;
        }

        var (at, notification) = Assert.Single(sent);
        Assert.Equal(new DateTimeOffset(2025, 3, 17, 9, 3, 0, TimeSpan.Zero), at);
        Assert.Equal("slack-ops", notification.Receiver);
        Assert.Equal(NotifyReasons.FirstNotification, notification.Reason);
        // Muted at every flush from Friday 17:03 to Monday 08:58: (2 days 15 h 55 min) / 5 min + 1.
        Assert.Equal(768, muted);
    }

    [Fact]
    public void Plan_WhenMutedAtTheFlush_ShouldRecordNothingAsNotifiedAndSayWhichIntervalMuted()
    {
        var routing = BusinessHoursSlack();
        var saturday = new DateTimeOffset(2025, 3, 15, 10, 0, 0, TimeSpan.Zero);
        var alert = Firing("CompletionRateLow", AlertSeverity.Warning, saturday - TimeSpan.FromHours(1));

        var plan = NotificationPlanner.Plan([alert], [], routing, saturday);

        var group = Assert.Single(plan.Groups);
        Assert.Null(group.Notification);
        Assert.Equal(["business-hours"], group.MutedBy);
        Assert.Null(group.Next.LastNotifiedAt);
        Assert.Empty(group.Next.NotifiedFiring);
        Assert.Equal(saturday + TimeSpan.FromMinutes(5), group.Next.NextFlushAt);
    }

    [Fact]
    public void Plan_WhenEveryAlertResolvesDuringTheMute_ShouldResolveSilentlyAsAlertmanagerDoes()
    {
        var routing = BusinessHoursSlack();
        var friday = new DateTimeOffset(2025, 3, 14, 16, 0, 0, TimeSpan.Zero);
        var alert = Firing("CompletionRateLow", AlertSeverity.Warning, friday - TimeSpan.FromHours(1));

        var first = NotificationPlanner.Plan([alert], [], routing, friday);
        var duringMute = NotificationPlanner.Plan([], [.. first.Groups.Select(g => g.Next)], routing, friday + TimeSpan.FromHours(2));

        Assert.Equal(NotifyReasons.FirstNotification, Assert.Single(first.Notifications).Reason);
        var group = Assert.Single(duringMute.Groups);
        Assert.Null(group.Notification);
        Assert.Equal(["business-hours"], group.MutedBy);
        Assert.True(group.Next.IsClosed);
    }

    [Fact]
    public void Plan_WhenOnlyOneOfTwoContinuingRoutesIsMuted_ShouldStillNotifyTheOther()
    {
        var routing = Parse("""
            route:
              receiver: default
              group_wait: 0s
              routes:
                - matchers: [severity=critical]
                  receiver: pagerduty
                  continue: true
                - matchers: [severity=critical]
                  receiver: slack-ops
                  mute_time_intervals: [nights]
            time_intervals:
              - name: nights
                time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]
            """);
        var night = new DateTimeOffset(2025, 3, 10, 3, 0, 0, TimeSpan.Zero);

        var plan = NotificationPlanner.Plan([Firing("ErrorRateHigh", AlertSeverity.Critical, night)], [], routing, night + TimeSpan.FromSeconds(1));

        Assert.Equal(["pagerduty"], plan.Notifications.Select(n => n.Receiver));
        Assert.Equal(1, plan.Muted);
    }

    [Fact]
    public void OneShotPlan_WhenTheRouteIsMuted_ShouldWaitForTheFirstEvaluationAfterTheMute()
    {
        var routing = BusinessHoursSlack();
        var saturday = new DateTimeOffset(2025, 3, 15, 10, 0, 0, TimeSpan.Zero);
        var notice = Firing("MonthlyBudgetWarning", AlertSeverity.Warning, saturday);

        var weekend = OneShotPlanner.Plan([notice], new HashSet<string>(), routing, saturday);
        var monday = OneShotPlanner.Plan([notice], new HashSet<string>(), routing, saturday + TimeSpan.FromDays(2));

        Assert.Empty(weekend);
        Assert.Equal("slack-ops", Assert.Single(monday).Notification.Receiver);
    }
}
