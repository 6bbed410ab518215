using System.Text.Json;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary><c>genaiobs routes</c>: amtool's routing tools (config routes test / show, check-config) on our router.</summary>
public sealed class RoutesCommandTests : IDisposable
{
    private const string Config = """
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 10s
          group_interval: 2m
          repeat_interval: 90d
          routes:
            - matchers: ['severity="critical"']
              receiver: pagerduty
              group_by: ['...']
              continue: true
            - matchers: ['{severity=~"critical|warning", team!="sandbox"}']
              receiver: slack-ops
              group_wait: 0s
              active_time_intervals: [business-hours]
              routes:
                - match: {model: claude}
                  receiver: slack-claude
        receivers: [{name: default}, {name: pagerduty}, {name: slack-ops}, {name: slack-claude}]
        time_intervals:
          - name: business-hours
            time_intervals: [{weekdays: ['monday:friday']}]
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-routes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => ReplayCommandTests.RunAsync(args);

    [Theory]
    [InlineData("severity=critical", "pagerduty,slack-ops")]
    [InlineData("severity=critical team=sandbox", "pagerduty")]
    [InlineData("severity=\"warning\" model=claude", "slack-claude")]
    [InlineData("severity=info", "default")]
    [InlineData("", "default")]
    public async Task Test_WhenGivenLabels_ShouldPrintTheReceiversInOrderOnOneLine(string labels, string expected)
    {
        var config = Write("routing.yaml", Config);

        var (exit, stdout, _) = await RunAsync(["routes", "test", "--config", config, .. labels.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        Assert.Equal(0, exit);
        Assert.Equal(expected + Environment.NewLine, stdout);
    }

    [Fact]
    public async Task Test_WhenJson_ShouldPrintEachMatchedRouteWithGroupingAndPrometheusDurations()
    {
        var config = Write("routing.yaml", Config);

        var (exit, stdout, _) = await RunAsync("routes", "test", "--config=" + config, "--json", "severity=critical", "model=claude");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var routes = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, routes.Count);
        Assert.Equal("pagerduty", routes[0].GetProperty("receiver").GetString());
        Assert.Empty(routes[0].GetProperty("groupBy").EnumerateArray());
        Assert.True(routes[0].GetProperty("groupByAll").GetBoolean());
        Assert.Equal("10s", routes[0].GetProperty("groupWait").GetString());
        Assert.Equal("2m", routes[0].GetProperty("groupInterval").GetString());
        Assert.Equal("90d", routes[0].GetProperty("repeatInterval").GetString());
        Assert.Equal("slack-claude", routes[1].GetProperty("receiver").GetString());
        Assert.Equal(["alertname"], routes[1].GetProperty("groupBy").EnumerateArray().Select(e => e.GetString()));
        Assert.False(routes[1].GetProperty("groupByAll").GetBoolean());
        Assert.Equal("0s", routes[1].GetProperty("groupWait").GetString());
    }

    [Fact]
    public async Task Test_WhenNoConfigIsGiven_ShouldUseTheDefaultTree()
    {
        var (critical, criticalOut, _) = await RunAsync("routes", "test", "alertname=ErrorRateHigh", "severity=critical");
        var (budget, budgetOut, _) = await RunAsync("routes", "test", "--json", "alertname=MonthlyBudgetExceeded", "severity=warning");

        Assert.Equal(0, critical);
        Assert.Equal("pagerduty" + Environment.NewLine, criticalOut);
        Assert.Equal(0, budget);
        using var json = JsonDocument.Parse(budgetOut);
        var route = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("slack-finops", route.GetProperty("receiver").GetString());
        Assert.Equal(["alertname", "cloud_provider"], route.GetProperty("groupBy").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("30s", route.GetProperty("groupWait").GetString());
        Assert.Equal("5m", route.GetProperty("groupInterval").GetString());
        Assert.Equal("4h", route.GetProperty("repeatInterval").GetString());
    }

    [Fact]
    public async Task Test_WhenTheRoutingFileVariableIsSet_ShouldUseItWithoutConfig()
    {
        var config = Write("routing.yaml", Config);

        var (exit, stdout, _) = await ReplayCommandTests.RunWithAsync(
            new Dictionary<string, string> { ["GENAIOBS_ROUTING_FILE"] = config }, "routes", "test", "severity=warning");

        Assert.Equal(0, exit);
        Assert.Equal("slack-ops" + Environment.NewLine, stdout);
    }

    [Theory]
    [InlineData("--verify.receivers=pagerduty,slack-ops", 0)]
    [InlineData("--verify.receivers=slack-ops,pagerduty", 1)]
    [InlineData("--verify.receivers=pagerduty", 1)]
    public async Task Test_WhenVerifyingReceivers_ShouldExitOneOnAMismatch(string verify, int expectedExit)
    {
        var config = Write("routing.yaml", Config);

        var (exit, stdout, stderr) = await RunAsync("routes", "test", "--config", config, verify, "severity=critical");

        Assert.Equal(expectedExit, exit);
        Assert.Equal("pagerduty,slack-ops" + Environment.NewLine, stdout);
        Assert.Equal(expectedExit == 1, stderr.Contains("Expected receivers did not match resolved receivers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Test_WhenTheConfigIsInvalid_ShouldExitTwoWithTheMessage()
    {
        var config = Write("bad.yaml", "route: {receiver: a}\nreceivers: [{name: a}, {name: a}]");

        var (exit, stdout, stderr) = await RunAsync("routes", "test", "--config", config, "severity=critical");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains($"{config}: receivers[1].name: notification config name \"a\" is not unique", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("severity=~critical")]
    [InlineData("severity")]
    [InlineData("--unknown")]
    public async Task Test_WhenALabelIsNotNameEqualsValue_ShouldExitTwo(string argument)
    {
        var (exit, _, stderr) = await RunAsync("routes", "test", argument);

        Assert.Equal(2, exit);
        Assert.StartsWith("genaiobs routes:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WhenTheFileIsValid_ShouldExitZeroWithASummary()
    {
        var config = Write("routing.yaml", Config);

        var (exit, stdout, _) = await RunAsync("routes", "check", config);

        Assert.Equal(0, exit);
        var lines = stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                $"Checking '{config}'  SUCCESS",
                "Found:",
                " - route: 3 routes below the root, sending to default, pagerduty, slack-ops, slack-claude",
                " - 4 receivers",
                " - 1 time intervals",
            ],
            lines);
    }

    [Theory]
    [InlineData("route: {receiver: r, routes: [{match_re: {team: }}]}", "route.routes[0].match_re.team: invalid regexp value for \"team\"")]
    [InlineData("route: {receiver: r, routes: [{matchers: ['team=\"a']}]}", "route.routes[0].matchers[0]: matcher value contains unescaped double quote")]
    [InlineData("route: {receiver: r, routes: [{mute_time_intervals: [x]}]}", "route.routes[0].mute_time_intervals: undefined time interval \"x\" used in route")]
    public async Task Check_WhenTheFileIsInvalid_ShouldExitTwoWithTheMessage(string yaml, string expected)
    {
        var config = Write("bad.yaml", yaml);

        var (exit, _, stderr) = await RunAsync("routes", "check", config);

        Assert.Equal(2, exit);
        Assert.Contains($"Checking '{config}'  FAILED: {config}: {expected}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WhenTheFileIsMissing_ShouldExitTwo()
    {
        var (exit, _, stderr) = await RunAsync("routes", "check", Path.Combine(_directory, "missing.yaml"));

        Assert.Equal(2, exit);
        Assert.Contains("FAILED", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_ShouldPrintTheTreeAsAmtoolDoes()
    {
        var config = Write("routing.yaml", Config);

        var (exit, stdout, _) = await RunAsync("routes", "show", "--config", config);

        Assert.Equal(0, exit);
        Assert.Equal(
            "Routing tree:\n" +
            ".\n" +
            "└── default-route  receiver: default\n" +
            "    ├── {severity=\"critical\"}  continue: true  receiver: pagerduty\n" +
            "    └── {severity=~\"critical|warning\",team!=\"sandbox\"}  receiver: slack-ops\n" +
            "        └── {model=\"claude\"}  receiver: slack-claude\n" +
            "\n",
            stdout);
    }

    [Fact]
    public async Task Show_WhenNoConfigIsGiven_ShouldPrintTheDefaultTree()
    {
        var (exit, stdout, _) = await RunAsync("routes", "show");

        Assert.Equal(0, exit);
        Assert.Equal(
            "Routing tree:\n" +
            ".\n" +
            "└── default-route  receiver: default\n" +
            "    ├── {alertname=~\"MonthlyBudgetExceeded|BudgetForecastExceeded\"}  receiver: slack-finops\n" +
            "    ├── {severity=\"critical\"}  receiver: pagerduty\n" +
            "    └── {severity=\"warning\"}  receiver: slack-ops\n" +
            "\n",
            stdout);
    }

    [Fact]
    public async Task Show_WhenABranchIsNotTheLast_ShouldDrawItsVerticalLine()
    {
        var config = Write("routing.yaml", """
            route:
              receiver: r
              routes:
                - {matchers: [a=1], routes: [{matchers: [b=1], receiver: x}]}
                - {matchers: [a=2], receiver: y}
            """);

        var (_, stdout, _) = await RunAsync("routes", "show", "--config", config);

        Assert.Contains("    ├── {a=\"1\"}  receiver: r\n    │   └── {b=\"1\"}  receiver: x\n    └── {a=\"2\"}  receiver: y\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routes_WhenNoSubcommand_ShouldExitTwoWithUsage()
    {
        var (exit, _, stderr) = await RunAsync("routes");

        Assert.Equal(2, exit);
        Assert.Contains("genaiobs routes test", stderr, StringComparison.Ordinal);
    }
}
