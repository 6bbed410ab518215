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
}
