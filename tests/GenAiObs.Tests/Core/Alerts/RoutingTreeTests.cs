using Xunit;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Template;
using static GenAiObs.Tests.Alerts.AlertTestData;

namespace GenAiObs.Tests.Alerts;

public class RoutingTreeTests
{
    private static RoutingTree Parse(string yaml) => RoutingConfigParser.Parse(yaml, "GENAIOBS_ROUTING");

    private static IReadOnlyList<string> ReceiversFor(RoutingTree tree, params (string, string)[] labels) =>
        [.. tree.Match(Labels(labels)).Select(r => r.Receiver)];

    [Theory]
    [InlineData("MonthlyBudgetExceeded", "warning", "slack-finops")]
    [InlineData("BudgetForecastExceeded", "warning", "slack-finops")]
    [InlineData("BudgetThreshold", "warning", "slack-ops")]
    [InlineData("ErrorRateHigh", "critical", "pagerduty")]
    [InlineData("CompletionRateLow", "warning", "slack-ops")]
    [InlineData("DailyDigest", "info", "default")]
    public void Default_WhenAlertMatches_ShouldRouteToTheBuiltInReceivers(string alertName, string severity, string expected)
    {
        var receivers = ReceiversFor(RoutingTree.Default, ("alertname", alertName), ("severity", severity), ("cloud_provider", "aws"));

        Assert.Equal([expected], receivers);
    }

    [Fact]
    public void Default_WhenTheDocumentedYamlIsParsed_ShouldEqualTheBuiltInTreeNodeForNode()
    {
        // Arrange: the one yaml block introduced by "Default:" in README.md and docs/.
        var documented = DocumentedDefaultYaml();

        // Act
        var parsed = Parse(documented);

        // Assert
        Assert.Equal(Describe(RoutingTree.Default.Root), Describe(parsed.Root));
        Assert.Equal(RoutingTree.Default.Receivers, parsed.Receivers);
    }

    /// <summary>Every property of a route and its children that routing depends on, as text.</summary>
    private static string Describe(Route route) =>
        $"{route.MatchersText} -> {route.Receiver} group_by=[{string.Join(',', route.GroupBy)}] all={route.GroupByAll} " +
        $"wait={route.GroupWait} interval={route.GroupInterval} repeat={route.RepeatInterval} continue={route.Continue} " +
        $"mute=[{string.Join(',', route.MuteTimeIntervals)}] active=[{string.Join(',', route.ActiveTimeIntervals)}] " +
        $"({string.Join("; ", route.Routes.Select(Describe))})";

    private static string DocumentedDefaultYaml()
    {
        var root = RepositoryPaths.Root;
        var documents = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.Exists(Path.Combine(root, "docs")) ? Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories) : []);
        var blocks = new List<string>();
        foreach (var document in documents)
        {
            var lines = File.ReadAllLines(document);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i] != "```yaml" || !PreviousText(lines, i).EndsWith("Default:", StringComparison.Ordinal))
                {
                    continue;
                }

                var end = Array.IndexOf(lines, "```", i + 1);
                blocks.Add(string.Join('\n', lines[(i + 1)..end]));
            }
        }

        return Assert.Single(blocks, block => block.StartsWith("route:", StringComparison.Ordinal));
    }

    private static string PreviousText(string[] lines, int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (lines[i].Trim().Length > 0)
            {
                return lines[i].TrimEnd();
            }
        }

        return string.Empty;
    }

    [Fact]
    public void Match_WhenSeveralChildrenMatch_ShouldTakeOnlyTheFirst()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - match: {team: a}
                  receiver: first
                - match: {team: a}
                  receiver: second
            """);

        Assert.Equal(["first"], ReceiversFor(tree, ("alertname", "X"), ("team", "a")));
    }

    [Fact]
    public void Match_WhenMatchedChildHasContinue_ShouldAlsoMatchLaterSiblings()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - match: {team: a}
                  receiver: audit
                  continue: true
                - match: {team: b}
                  receiver: never
                - match_re: {team: 'a|c'}
                  receiver: oncall
                - match: {team: a}
                  receiver: after-oncall
            """);

        Assert.Equal(["audit", "oncall"], ReceiversFor(tree, ("alertname", "X"), ("team", "a")));
    }

    [Fact]
    public void Match_WhenNoChildMatches_ShouldUseTheParentItself()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - match: {team: a}
                  receiver: team-a
                  routes:
                    - match: {severity: critical}
                      receiver: team-a-pager
            """);

        Assert.Equal(["team-a-pager"], ReceiversFor(tree, ("alertname", "X"), ("team", "a"), ("severity", "critical")));
        Assert.Equal(["team-a"], ReceiversFor(tree, ("alertname", "X"), ("team", "a"), ("severity", "warning")));
        Assert.Equal(["root"], ReceiversFor(tree, ("alertname", "X"), ("team", "b")));
    }

    [Fact]
    public void Match_WhenRegexMatchesOnlyPartOfTheValue_ShouldNotMatchBecauseRegexesAreAnchored()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - match_re: {model: 'claude'}
                  receiver: exact
                - match_re: {model: '.*claude.*'}
                  receiver: contains
            """);

        Assert.Equal(["contains"], ReceiversFor(tree, ("alertname", "X"), ("model", "anthropic.claude-3")));
        Assert.Equal(["exact"], ReceiversFor(tree, ("alertname", "X"), ("model", "claude")));
    }

    [Fact]
    public void Match_WhenMatcherLabelIsMissing_ShouldCompareAgainstTheEmptyString()
    {
        var tree = Parse("""
            route:
              receiver: root
              routes:
                - match_re: {team: '^$|none'}
                  receiver: unowned
            """);

        Assert.Equal(["unowned"], ReceiversFor(tree, ("alertname", "X")));
        Assert.Equal(["root"], ReceiversFor(tree, ("alertname", "X"), ("team", "a")));
    }

    [Fact]
    public void Build_WhenChildOmitsSettings_ShouldInheritThemFromItsParentChain()
    {
        var tree = Parse("""
            route:
              receiver: root
              group_by: [alertname]
              group_wait: 10s
              group_interval: 2m
              repeat_interval: 1h
              routes:
                - match: {team: a}
                  group_wait: 1m
                  routes:
                    - match: {severity: critical}
                      repeat_interval: 15m
            """);

        var leaf = tree.Root.Routes[0].Routes[0];

        Assert.Equal("root", leaf.Receiver);
        Assert.Equal(["alertname"], leaf.GroupBy);
        Assert.Equal(TimeSpan.FromMinutes(1), leaf.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(2), leaf.GroupInterval);
        Assert.Equal(TimeSpan.FromMinutes(15), leaf.RepeatInterval);
        Assert.Equal("route.routes[0].routes[0]", leaf.Path);
    }

    [Fact]
    public void Build_WhenNothingIsSetBelowTheRootReceiver_ShouldUseAlertmanagerDefaults()
    {
        var tree = Parse("route: {receiver: root}");

        Assert.Equal(TimeSpan.FromSeconds(30), tree.Root.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(5), tree.Root.GroupInterval);
        Assert.Equal(TimeSpan.FromHours(4), tree.Root.RepeatInterval);
        Assert.Empty(tree.Root.GroupBy);
    }

    [Fact]
    public void GroupLabels_WhenGroupByIsEllipsis_ShouldUseEveryLabel()
    {
        var tree = Parse("""
            route:
              receiver: root
              group_by: [alertname]
              routes:
                - match: {team: a}
                  group_by: ['...']
            """);
        var labels = Labels(("alertname", "X"), ("team", "a"), ("model", "m1"));

        var route = Assert.Single(tree.Match(labels));

        Assert.True(route.GroupByAll);
        Assert.Equal(labels, route.GroupLabels(labels));
        Assert.Equal(Labels(("alertname", "X")), tree.Root.GroupLabels(labels));
    }

    [Fact]
    public void GroupLabels_WhenAlertLacksAGroupByLabel_ShouldLeaveItOut()
    {
        var tree = Parse("route: {receiver: r, group_by: [alertname, cloud_provider]}");

        var groupLabels = tree.Root.GroupLabels(Labels(("alertname", "X"), ("model", "m")));

        Assert.Equal(Labels(("alertname", "X")), groupLabels);
    }

    [Theory]
    [InlineData("route: {receiver: r, group_wait: 5x}", "GENAIOBS_ROUTING: route.group_wait")]
    [InlineData("route: {receiver: r, routes: [{match: {a: b}, repeat_interval: 4h4h}]}", "GENAIOBS_ROUTING: route.routes[0].repeat_interval")]
    [InlineData("route: {receiver: r, group_interval: 0}", "GENAIOBS_ROUTING: route.group_interval")]
    [InlineData("route: {group_wait: 1s}", "GENAIOBS_ROUTING: route.receiver")]
    [InlineData("route: {receiver: r, match: {a: b}}", "GENAIOBS_ROUTING: route")]
    [InlineData("route: {receiver: r, group_by: ['...', alertname]}", "GENAIOBS_ROUTING: route.group_by")]
    [InlineData("route: {receiver: r, routes: [{match_re: {a: '('}}]}", "GENAIOBS_ROUTING: route.routes[0].match_re.a")]
    [InlineData("route: {receiver: r, routes: [{matchers: ['a=b', 'c']}]}", "GENAIOBS_ROUTING: route.routes[0].matchers[1]")]
    [InlineData("route: {receiver: r, routes: [{matchers: 'a=b'}]}", "GENAIOBS_ROUTING: route.routes[0].matchers")]
    [InlineData("route: {receiver: r, matchers: ['a=b']}", "GENAIOBS_ROUTING: route")]
    [InlineData("route: {receiver: r, routes: [{match_re: {a: }}]}", "GENAIOBS_ROUTING: route.routes[0].match_re.a")]
    [InlineData("route: {receiver: r, routes: [{match_re: {a: ~}}]}", "GENAIOBS_ROUTING: route.routes[0].match_re.a")]
    [InlineData("route: {receiver: r, routes: [{match: {'a-b': c}}]}", "GENAIOBS_ROUTING: route.routes[0].match")]
    [InlineData("route: {receiver: r, routes: [{receiver: x}]}\nreceivers: [{name: r}, {name: x}, {name: r}]", "GENAIOBS_ROUTING: receivers[2].name")]
    [InlineData("route: {receiver: r}\nreceivers: [{name: r}, {slack_configs: []}]", "GENAIOBS_ROUTING: receivers[1]")]
    [InlineData("route: {receiver: r, group_by: [a, a]}", "GENAIOBS_ROUTING: route.group_by")]
    [InlineData("route: {receiver: r, repeat_interval: 0s}", "GENAIOBS_ROUTING: route.repeat_interval")]
    [InlineData("route: {receiver: r, mute_time_intervals: [w]}\ntime_intervals: [{name: w}]", "GENAIOBS_ROUTING: route.mute_time_intervals")]
    [InlineData("route: {receiver: r, active_time_intervals: [w]}\ntime_intervals: [{name: w}]", "GENAIOBS_ROUTING: route.active_time_intervals")]
    [InlineData("route: {receiver: r, routes: [{mute_time_intervals: [nope]}]}\ntime_intervals: [{name: w}]", "GENAIOBS_ROUTING: route.routes[0].mute_time_intervals")]
    [InlineData("route: {receiver: r, routes: [{active_time_intervals: [nope]}]}", "GENAIOBS_ROUTING: route.routes[0].active_time_intervals")]
    [InlineData("route: {receiver: r}\ntime_intervals: [{name: w}]\nmute_time_intervals: [{name: w}]", "GENAIOBS_ROUTING: mute_time_intervals[0].name")]
    [InlineData("route: {receiver: r}\ntime_intervals: [{time_intervals: []}]", "GENAIOBS_ROUTING: time_intervals[0].name")]
    [InlineData("route: {receiver: r}\ntime_intervals: [{name: w, time_intervals: [{hours: [1]}]}]", "GENAIOBS_ROUTING: time_intervals[0].time_intervals[0].hours")]
    [InlineData("route: {receiver: r, continue: maybe}", "GENAIOBS_ROUTING: route.continue")]
    [InlineData("global: {resolve_timeout: 5m}\nroute: {receiver: r}", "GENAIOBS_ROUTING: global")]
    [InlineData("route: {receiver: r}\nreceivers: [{name: other}]", "GENAIOBS_ROUTING: route.receiver")]
    [InlineData("route: [unclosed", "GENAIOBS_ROUTING")]
    [InlineData("just text", "GENAIOBS_ROUTING")]
    public void Parse_WhenConfigurationIsInvalid_ShouldNameTheSetting(string yaml, string expectedSetting)
    {
        var error = Assert.Throws<RoutingConfigException>(() => Parse(yaml));

        Assert.Equal(expectedSetting, error.Setting);
        Assert.StartsWith(expectedSetting + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenNothingIsConfigured_ShouldReturnTheDefaultTree()
    {
        var tree = RoutingConfigParser.Load(_ => null, _ => throw new InvalidOperationException("no file expected"));

        Assert.Same(RoutingTree.Default, tree);
    }

    [Fact]
    public void Load_WhenFileIsConfigured_ShouldPreferItOverTheInlineVariable()
    {
        var variables = new Dictionary<string, string>
        {
            ["GENAIOBS_ROUTING_FILE"] = "/etc/routing.yaml",
            ["GENAIOBS_ROUTING"] = "route: {receiver: inline}",
        };

        var tree = RoutingConfigParser.Load(
            name => variables.GetValueOrDefault(name),
            path => path == "/etc/routing.yaml" ? "route: {receiver: from-file}" : throw new FileNotFoundException(path));

        Assert.Equal("from-file", tree.Root.Receiver);
    }

    [Fact]
    public void Load_WhenFileCannotBeRead_ShouldNameTheVariable()
    {
        var error = Assert.Throws<RoutingConfigException>(() => RoutingConfigParser.Load(
            name => name == "GENAIOBS_ROUTING_FILE" ? "/missing.yaml" : null,
            path => throw new FileNotFoundException(path)));

        Assert.Equal("GENAIOBS_ROUTING_FILE", error.Setting);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("1s500ms", 1_500)]
    [InlineData("0", 0)]
    public void TryParse_WhenDurationIsValid_ShouldReturnIt(string text, long expectedMs)
    {
        Assert.True(PrometheusDuration.TryParse(text, out var duration));
        Assert.Equal(expectedMs, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m5")]
    [InlineData("30m1h")]
    [InlineData("5m5m")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    public void TryParse_WhenDurationIsInvalid_ShouldFail(string text)
    {
        Assert.False(PrometheusDuration.TryParse(text, out _));
    }

    [Fact]
    public void Format_WhenGivenAParsedDuration_ShouldRoundTrip()
    {
        Assert.True(PrometheusDuration.TryParse("1d2h3m4s5ms", out var duration));

        Assert.Equal("1d2h3m4s5ms", PrometheusDuration.Format(duration));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(90 * 86_400_000L, "90d")]
    [InlineData(14 * 86_400_000L, "2w")]
    [InlineData(365 * 86_400_000L, "1y")]
    [InlineData(366 * 86_400_000L, "366d")]
    [InlineData(5_400_000, "1h30m")]
    public void Format_WhenYearsOrWeeksLeaveARemainder_ShouldUseDaysAsPrometheusDoes(long milliseconds, string expected)
    {
        Assert.Equal(expected, PrometheusDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
