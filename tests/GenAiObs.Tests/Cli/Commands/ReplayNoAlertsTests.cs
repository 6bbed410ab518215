using System.Text;
using System.Text.Json;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary><c>replay --no-alerts</c>: the per-record job alone, the same output less the alert simulation.</summary>
public sealed class ReplayNoAlertsTests(ReplayedSamples samples) : IClassFixture<ReplayedSamples>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-no-alerts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Replay_WhenNoAlerts_ShouldPrintTheSameJsonLessOnlyTheAlertsMember()
    {
        var (exit, stdout, _) = await ReplayCommandTests.RunAsync("replay", "--json", "--no-alerts");

        Assert.Equal(0, exit);
        using var full = JsonDocument.Parse(samples.Stdout);
        using var withoutAlerts = JsonDocument.Parse(stdout);
        Assert.NotEmpty(full.RootElement.GetProperty("alerts").EnumerateArray());
        var expected = full.RootElement.EnumerateObject().Where(member => member.Name != "alerts").Select(member => (member.Name, member.Value.GetRawText())).ToList();
        var actual = withoutAlerts.RootElement.EnumerateObject().Select(member => (member.Name, member.Value.GetRawText())).ToList();
        // The samples are tagged, so the members read from the aggregates (features, templates, comparisons) are compared too.
        Assert.Contains(expected, member => member.Name == "features");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Replay_WhenNoAlertsAndARuleSettingIsBroken_ShouldNotReadTheRuleSettings()
    {
        var file = WriteRecords();
        var variables = new Dictionary<string, string> { ["GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD"] = "lots" };

        var (exit, stdout, stderr) = await ReplayCommandTests.RunWithAsync(variables, "replay", "--json", "--no-alerts", file);

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetProperty("invocations").GetProperty("records").GetInt64());
        Assert.False(json.RootElement.TryGetProperty("alerts", out _));
    }

    [Fact]
    public async Task Replay_WhenNoAlertsWithTableAndStats_ShouldSayTheSimulationDidNotRun()
    {
        var file = WriteRecords();

        var (exit, stdout, stderr) = await ReplayCommandTests.RunAsync("replay", "--no-alerts", "--stats", file);

        Assert.Equal(0, exit);
        Assert.Contains("Alerts: not simulated (--no-alerts)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("would have been sent", stdout, StringComparison.Ordinal);
        Assert.Contains("alert evaluation not run (--no-alerts)", stderr, StringComparison.Ordinal);
        Assert.Contains("alert simulation not run (--no-alerts)", stderr, StringComparison.Ordinal);
    }

    private string WriteRecords()
    {
        var path = Path.Combine(_directory, "records.jsonl");
        File.WriteAllText(path, string.Join('\n', new[] { "converse-anthropic.json", "error-throttled.json" }.Select(f => Encoding.UTF8.GetString(TestEvents.CompactFixture(f)))));
        return path;
    }
}
