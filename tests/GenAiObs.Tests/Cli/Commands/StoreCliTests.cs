using System.Text.Json;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Cli;
using GenAiObs.Cli.Commands;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>init-table and report against dynalite.</summary>
[Trait("Category", "Integration")]
public sealed class StoreCliTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly string _endpoint = System.Environment.GetEnvironmentVariable(DynamoDbStoreSettings.EndpointVariable)
        ?? throw new InvalidOperationException("AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests through tests/run-tests.sh (it starts dynalite).");

    [Fact]
    public async Task InitTable_WhenRunTwice_ShouldCreateTheTableThenFindIt()
    {
        // Arrange
        var table = UniqueTable();
        var command = new InitTableCommand(Environment(table));
        using var first = new StringWriter();
        using var second = new StringWriter();

        // Act
        var firstCode = await command.RunAsync(["--json"], first, TextWriter.Null);
        var secondCode = await command.RunAsync(["--json"], second, TextWriter.Null);

        // Assert
        Assert.Equal(0, firstCode);
        Assert.Equal(0, secondCode);
        Assert.True(JsonDocument.Parse(first.ToString()).RootElement.GetProperty("created").GetBoolean());
        Assert.False(JsonDocument.Parse(second.ToString()).RootElement.GetProperty("created").GetBoolean());
        using var client = DynamoDbClientFactory.Create(_endpoint, "us-east-1");
        var description = await client.DescribeTableAsync(table);
        Assert.Equal(["pk", "sk"], description.Table.KeySchema.Select(k => k.AttributeName));
        Assert.Equal("PAY_PER_REQUEST", description.Table.BillingModeSummary?.BillingMode?.Value ?? "PAY_PER_REQUEST");
    }

    [Fact]
    public async Task Report_WhenTheSameBatchesWereAppliedTwice_ShouldEqualTheReplaySummaryOfOneReplay()
    {
        // Arrange: the table, then two "replays" of the same deliveries (same batch ids).
        var table = UniqueTable();
        var environment = Environment(table);
        Assert.Equal(0, await new InitTableCommand(environment).RunAsync([], TextWriter.Null, TextWriter.Null));
        var records = AggregateReportTests.Invocations();
        using (var client = DynamoDbClientFactory.Create(_endpoint, "us-east-1"))
        {
            var store = new DynamoDbAggregateStore(client, table);
            for (var replay = 0; replay < 2; replay++)
            {
                await store.ApplyBatchAsync(AggregateBuilder.Build("delivery-1", records.Take(3), []));
                await store.ApplyBatchAsync(AggregateBuilder.Build("delivery-2", records.Skip(3), []));
            }
        }

        var summary = new InvocationSummary();
        records.ForEach(summary.Add);
        using var stdout = new StringWriter();

        // Act
        var code = await new ReportCommand(environment).RunAsync(["--json", "--from", "2026-11-05T09:00:00Z", "--to", "2026-11-05T11:00:00Z"], stdout, TextWriter.Null);

        // Assert
        Assert.Equal(0, code);
        using var report = JsonDocument.Parse(stdout.ToString());
        using var replayJson = AggregateReportTests.Write(writer => summary.WriteJson(writer, includeRejected: false));
        JsonAssert.Equivalent(replayJson.RootElement, report.RootElement.GetProperty("invocations"));
        AggregateReportTests.AssertInvocationTotals(report.RootElement.GetProperty("invocations"));
        Assert.Equal(0, report.RootElement.GetProperty("spans").GetProperty("records").GetInt32());
    }

    [Fact]
    public async Task Report_WhenDeferredDeltasAreNotRolledUpYet_ShouldPrintTheFiguresOfDirectWritesAndTheSameAfterTheRollup()
    {
        // Arrange: the same two deliveries as deltas (deferred writes), the roll-up watermark before them.
        var table = UniqueTable();
        var environment = Environment(table);
        Assert.Equal(0, await new InitTableCommand(environment).RunAsync([], TextWriter.Null, TextWriter.Null));
        var records = AggregateReportTests.Invocations();
        using var client = DynamoDbClientFactory.Create(_endpoint, "us-east-1");
        var store = new DynamoDbAggregateStore(client, table);
        await StoreTestData.LeaveAsDeltasAsync(store, new[] { AggregateBuilder.Build("delivery-1", records.Take(3), []), AggregateBuilder.Build("delivery-2", records.Skip(3), []) }, T0 - Buckets.FineWidth);
        var summary = new InvocationSummary();
        records.ForEach(summary.Add);
        using var replayJson = AggregateReportTests.Write(writer => summary.WriteJson(writer, includeRejected: false));
        string[] args = ["--json", "--from", "2026-11-05T09:00:00Z", "--to", "2026-11-05T11:00:00Z"];
        using var pending = new StringWriter();
        using var rolled = new StringWriter();

        // Act: a report while every window is pending, then one after the evaluator's roll-up.
        var pendingCode = await new ReportCommand(environment, _ => store, new SimulatedClock(T0.AddMinutes(72))).RunAsync(args, pending, TextWriter.Null);
        var itemsBeforeRollup = await store.GetItemsAsync(string.Empty, Granularity.Fine, T0, T0.AddHours(2));
        var rollup = await new DeltaRollup(store, store).RunAsync(T0.AddMinutes(90));
        var rolledCode = await new ReportCommand(environment, _ => store, new SimulatedClock(T0.AddMinutes(90))).RunAsync(args, rolled, TextWriter.Null);

        // Assert: both what one replay of the records gives; the second read the items, not the deltas.
        Assert.Equal((0, 0), (pendingCode, rolledCode));
        Assert.Empty(itemsBeforeRollup);
        Assert.Equal(2, rollup.Deltas);
        Assert.NotEmpty(await store.GetItemsAsync(string.Empty, Granularity.Fine, T0, T0.AddHours(2)));
        foreach (var output in new[] { pending, rolled })
        {
            using var report = JsonDocument.Parse(output.ToString());
            JsonAssert.Equivalent(replayJson.RootElement, report.RootElement.GetProperty("invocations"));
            AggregateReportTests.AssertInvocationTotals(report.RootElement.GetProperty("invocations"));
        }
    }

    [Fact]
    public async Task Report_WhenTheRangeExcludesSomeBuckets_ShouldOnlyCountBucketsStartingInside()
    {
        // Arrange: an in-memory store behind the command; records at 09:01 … 10:05.
        var store = new InMemoryAggregateStore();
        await store.ApplyBatchAsync(AggregateBuilder.Build("range", AggregateReportTests.Invocations(), []));
        var command = new ReportCommand(Environment("unused"), _ => store);
        using var stdout = new StringWriter();

        // Act
        await command.RunAsync(["--json", "--from", "2026-11-05T09:05:00Z", "--to", "2026-11-05T10:00:00Z"], stdout, TextWriter.Null);

        // Assert: the 09:05 and 09:40 buckets only.
        var invocations = JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("invocations");
        Assert.Equal(3, invocations.GetProperty("records").GetInt32());
    }

    [Theory]
    [InlineData("--json", "--from", "2026-11-05T09:00:00Z")]
    [InlineData("--json", "--from", "yesterday", "--to", "2026-11-05T09:00:00Z")]
    [InlineData("--json", "--from", "2026-11-05T10:00:00Z", "--to", "2026-11-05T09:00:00Z")]
    public async Task Report_WhenTheRangeIsMissingOrInvalid_ShouldFailWithAUsageError(params string[] args)
    {
        // Arrange
        var command = new ReportCommand(Environment("t"), _ => new InMemoryAggregateStore());

        // Act
        var error = await Assert.ThrowsAsync<CliUsageException>(() => command.RunAsync(args, TextWriter.Null, TextWriter.Null));

        // Assert
        Assert.Contains("--", error.Message);
    }

    [Fact]
    public async Task InitTable_WhenNoTableIsConfigured_ShouldFailNamingTheVariable()
    {
        // Arrange
        var command = new InitTableCommand(new CliEnvironment(new Dictionary<string, string>(), "."));

        // Act
        var error = await Assert.ThrowsAsync<CliUsageException>(() => command.RunAsync([], TextWriter.Null, TextWriter.Null));

        // Assert
        Assert.Contains("GENAIOBS_TABLE_NAME", error.Message);
    }

    private CliEnvironment Environment(string table) => new(
        new Dictionary<string, string> { ["GENAIOBS_TABLE_NAME"] = table, ["AWS_ENDPOINT_URL_DYNAMODB"] = _endpoint, ["AWS_REGION"] = "us-east-1" },
        ".");

    private static string UniqueTable() => "genaiobs-cli-" + Guid.NewGuid().ToString("N")[..12];
}
