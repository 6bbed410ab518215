using System.Text;
using System.Text.Json;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// The CLI round trip against dynalite: <c>init-table</c>, <c>replay --dynamodb</c> (twice, and in
/// parallel), then <c>report --json</c> must equal one in-memory <c>replay --json</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReplayDynamoDbTests : IDisposable
{
    private static readonly string[] Fixtures =
        ["converse-anthropic.json", "stream-anthropic.json", "invoke-llama.json", "error-throttled.json", "invoke-titan.json"];

    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-cli-ddb-").FullName;
    private readonly string _table = "genaiobs-cli-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")
        ?? throw new InvalidOperationException("AWS_ENDPOINT_URL_DYNAMODB is not set: run `bash tests/run-tests.sh`, which starts dynalite.");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Report_WhenTheSameEventsWereReplayedTwiceAndInParallel_ShouldEqualOneReplay()
    {
        var events = SubscriptionEvents();
        var variables = new Dictionary<string, string>
        {
            ["GENAIOBS_TABLE_NAME"] = _table,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = _endpoint,
            ["AWS_REGION"] = "us-east-1",
        };

        Assert.Equal(0, (await RunAsync(variables, "init-table")).Exit);
        var first = await RunAsync(variables, "replay", "--dynamodb", "--json", events);
        var again = await RunAsync(variables, "replay", "--dynamodb", "--json", events);
        var parallel = await Task.WhenAll(
            RunAsync(variables, "replay", "--dynamodb", "--json", events),
            RunAsync(variables, "replay", "--dynamodb", "--json", events));
        var inMemory = await RunAsync(new Dictionary<string, string>(), "replay", "--json", events);
        var report = await RunAsync(variables, "report", "--json", "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-21T00:00:00Z");

        Assert.All(new[] { first, again, parallel[0], parallel[1], inMemory, report }, run => Assert.Equal(0, run.Exit));
        using var expected = JsonDocument.Parse(inMemory.Stdout);
        using var actual = JsonDocument.Parse(report.Stdout);
        // Absolute totals of the five fixtures, read off the fixture files (so a bug the in-memory and
        // DynamoDB paths share still fails): one throttled call; input 1,200 + 210 + 40 + 0 + 18,
        // output 310 + 1,024 + 77 + 0 + 128, cache reads 800, cache writes 1,500; every model is priced.
        // Cost in micro-dollars, each record rounded half to even: Sonnet 4.5 (us., × 1.1)
        // (1,200 × 3 + 310 × 15 + 800 × 0.3) × 1.1 = 9,339; Haiku 4.5 (eu., × 1.1)
        // (210 × 1 + 1,024 × 5 + 1,500 × 1.25) × 1.1 = 7,925.5 → 7,926; Llama 3.1 70B (40 + 77) × 0.72
        // = 84.24 → 84; Titan Text Express 18 × 0.2 + 128 × 0.6 = 80.4 → 80; the throttled call 0.
        // Total $0.017429 (prices: functions/GenAiObs.Core/Pricing/default-prices.json).
        var invocations = actual.RootElement.GetProperty("invocations");
        Assert.Equal(
            (5L, 1L, 1468L, 1539L, 800L, 1500L, 0L),
            (invocations.GetProperty("records").GetInt64(), invocations.GetProperty("errors").GetInt64(),
             invocations.GetProperty("inputTokens").GetInt64(), invocations.GetProperty("outputTokens").GetInt64(),
             invocations.GetProperty("cacheReadTokens").GetInt64(), invocations.GetProperty("cacheWriteTokens").GetInt64(),
             invocations.GetProperty("unpriced").GetInt64()));
        Assert.Equal(0.017429m, invocations.GetProperty("costUsd").GetDecimal());
        Assert.Equal(
            WithoutRejected(expected.RootElement.GetProperty("invocations")),
            WithoutRejected(actual.RootElement.GetProperty("invocations")));
    }

    [Fact]
    public async Task Report_WhenAnExportOfSeveralDeliveriesWasReplayedTwice_ShouldCountEveryRecordOnce()
    {
        // Arrange: 5,000 raw records without ids, read as two deliveries (4,096 + 904): their ids and
        // batch ids come from content, so the second replay must find every batch already applied.
        var lines = Enumerable.Range(0, 5000).Select(i => Encoding.UTF8.GetString(TestEvents.CompactFixture(Fixtures[i % Fixtures.Length]))
            .Replace("\"requestId\":\"", "\"requestId\":\"" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal));
        var path = Path.Combine(_directory, "export.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        var variables = new Dictionary<string, string>
        {
            ["GENAIOBS_TABLE_NAME"] = _table,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = _endpoint,
            ["AWS_REGION"] = "us-east-1",
        };

        // Act
        Assert.Equal(0, (await RunAsync(variables, "init-table")).Exit);
        var first = await RunAsync(variables, "replay", "--dynamodb", "--json", path);
        var again = await RunAsync(variables, "replay", "--dynamodb", "--json", path);
        var report = await RunAsync(variables, "report", "--json", "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-21T00:00:00Z");

        // Assert
        Assert.All(new[] { first, again, report }, run => Assert.Equal(0, run.Exit));
        using var actual = JsonDocument.Parse(report.Stdout);
        Assert.Equal(5000, actual.RootElement.GetProperty("invocations").GetProperty("records").GetInt64());
    }

    private string SubscriptionEvents()
    {
        var messages = Fixtures.Select(TestEvents.CompactFixture).ToArray();
        var path = Path.Combine(_directory, "events.jsonl");
        File.WriteAllText(path, Encoding.UTF8.GetString(TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages))) + "\n");
        return path;
    }

    private static string WithoutRejected(JsonElement summary)
    {
        var copy = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(summary.GetRawText())!;
        copy.Remove("rejected");
        return JsonSerializer.Serialize(new SortedDictionary<string, JsonElement>(copy, StringComparer.Ordinal));
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(Dictionary<string, string> variables, params string[] args) =>
        ReplayCommandTests.RunWithAsync(variables, args);
}
