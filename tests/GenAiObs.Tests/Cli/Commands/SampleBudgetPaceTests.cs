using System.Text.Json;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// The bundled samples' month pace (the weekday batch nights of tests/tools/generate-budget-pace-sample.py)
/// against the $80 budget of samples/samples.env: replay warns FinOps of the forecast once, from the first
/// evaluation with three complete days of November, and no other budget notice is due.
/// </summary>
public sealed class SampleBudgetPaceTests(ReplayedSamples samples) : IClassFixture<ReplayedSamples>
{
    private static readonly DateTimeOffset FourthOfNovember = new(2026, 11, 4, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Replay_WhenTheSamplesPaceCrossesTheirBudget_ShouldWarnFinOpsOnceWithTheForecast()
    {
        var forecast = Assert.Single(samples.Alerts, a => a.Rule == "BudgetForecastExceeded");

        Assert.Equal(("warning", "slack-finops", "firing", "2026-11"), (forecast.Severity, forecast.Receiver, forecast.Status, forecast.Labels["period"]));
        Assert.Equal(FourthOfNovember, forecast.At);
        Assert.DoesNotContain(samples.Alerts, a => a.Rule is "BudgetThreshold" or "MonthlyBudgetExceeded");
    }

    [Fact]
    public void Replay_ForecastText_ShouldGiveTheForecastItsRangeTheCrossingDayAndTheBudget()
    {
        using var json = JsonDocument.Parse(samples.Stdout);
        var alert = json.RootElement.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("rule").GetString() == "BudgetForecastExceeded");
        var summary = alert.GetProperty("summary").GetString()!;

        Assert.StartsWith("Budget forecast exceeded for 2026-11: month-end spend forecast $", summary, StringComparison.Ordinal);
        Assert.Contains("(range $", summary, StringComparison.Ordinal);
        Assert.Contains("of the $80.00 monthly budget; at the current rate the budget is crossed on 2026-11-", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_WhenTheEnvironmentSetsItsOwnBudgetOrFilesAreGiven_ShouldNotApplyTheSampleSettings()
    {
        var samplesDirectory = Path.Combine(AppContext.BaseDirectory, "samples");
        var files = Directory.GetFiles(samplesDirectory, "*.gz").Order(StringComparer.Ordinal).ToArray();

        var (ownBudgetExit, ownBudget, _) = await ReplayCommandTests.RunWithAsync(new Dictionary<string, string> { ["GENAIOBS_MONTHLY_BUDGET_USD"] = "1000" }, "replay", "--json");
        var (filesExit, explicitFiles, _) = await ReplayCommandTests.RunAsync(["replay", "--json", .. files]);

        Assert.Equal((0, 0), (ownBudgetExit, filesExit));
        Assert.DoesNotContain("BudgetForecastExceeded", ownBudget, StringComparison.Ordinal);
        Assert.DoesNotContain("BudgetForecastExceeded", explicitFiles, StringComparison.Ordinal);
    }
}
