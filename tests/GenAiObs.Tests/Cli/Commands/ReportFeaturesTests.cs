using System.Text.Json;
using GenAiObs.Cli;
using GenAiObs.Cli.Commands;
using GenAiObs.Core.Aggregation;
using GenAiObs.Tests.Core.Aggregation;
using Xunit;

namespace GenAiObs.Tests.Cli.Commands;

public sealed class ReportFeaturesTests
{
    [Fact]
    public async Task Report_WhenTheStoreHoldsTaggedRecords_ShouldPrintTheFeaturesReplayPrints()
    {
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build("tagged", FeatureReportTests.TwoArms(), []));
        var environment = new CliEnvironment(new Dictionary<string, string> { ["GENAIOBS_TABLE_NAME"] = "unused", ["AWS_REGION"] = "us-east-1" }, ".");
        using var stdout = new StringWriter();

        var exit = await new ReportCommand(environment, _ => store).RunAsync(["--json", "--from", "2026-11-20T13:00:00Z", "--to", "2026-11-20T15:00:00Z"], stdout, TextWriter.Null);

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout.ToString()).RootElement;
        var feature = root.GetProperty("features").GetProperty("summarise");
        Assert.Equal(20, feature.GetProperty("requests").GetInt64());
        Assert.Equal(0.14m, feature.GetProperty("costUsd").GetDecimal());
        Assert.Equal(0.04m, feature.GetProperty("variants").GetProperty("B").GetProperty("costUsd").GetDecimal());
        Assert.Equal(10, root.GetProperty("promptTemplates").GetProperty("summary@4").GetProperty("requests").GetInt64());
        // Existing keys keep their shape.
        Assert.Equal(20, root.GetProperty("invocations").GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task Report_WhenComparingVariants_ShouldAddEachPairsTestsAndVerdict()
    {
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build("tagged", FeatureReportTests.TwoArms(), []));
        var environment = new CliEnvironment(new Dictionary<string, string> { ["GENAIOBS_TABLE_NAME"] = "unused", ["AWS_REGION"] = "us-east-1" }, ".");
        using var stdout = new StringWriter();

        var exit = await new ReportCommand(environment, _ => store).RunAsync(["--json", "--compare", "variant", "--from", "2026-11-20T13:00:00Z", "--to", "2026-11-20T15:00:00Z"], stdout, TextWriter.Null);

        Assert.Equal(0, exit);
        var comparison = Assert.Single(JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("comparisons").EnumerateArray());
        Assert.Equal(("summarise", "A", "B"), (comparison.GetProperty("feature").GetString(), comparison.GetProperty("armA").GetString(), comparison.GetProperty("armB").GetString()));
        // A: ten calls at $0.010; B: eight at $0.005 and two failed calls at $0.
        var cost = comparison.GetProperty("costPerRequestUsd");
        Assert.Equal(0.01, cost.GetProperty("a").GetDouble(), 9);
        Assert.Equal(0.004, cost.GetProperty("b").GetDouble(), 9);
        Assert.Equal("Welch t", cost.GetProperty("test").GetString());
        Assert.Equal("Mann-Whitney U", comparison.GetProperty("latencyP95Ms").GetProperty("test").GetString());
        Assert.StartsWith("B is 60 % cheaper", comparison.GetProperty("verdict").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_WhenComparingSomethingElse_ShouldFailWithAUsageError()
    {
        var environment = new CliEnvironment(new Dictionary<string, string> { ["GENAIOBS_TABLE_NAME"] = "unused", ["AWS_REGION"] = "us-east-1" }, ".");

        await Assert.ThrowsAsync<CliUsageException>(() => new ReportCommand(environment, _ => new InMemoryAggregateStore()).RunAsync(["--compare", "model", "--from", "2026-11-20T13:00:00Z", "--to", "2026-11-20T15:00:00Z"], TextWriter.Null, TextWriter.Null));
    }
}
