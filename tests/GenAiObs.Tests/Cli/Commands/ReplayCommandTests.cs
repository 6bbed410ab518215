using System.Text;
using System.Text.Json;
using GenAiObs.Cli;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Cli;

public sealed class ReplayCommandTests : IDisposable
{
    private static readonly string[] RecordFixtures =
        ["converse-anthropic.json", "stream-anthropic.json", "invoke-llama.json", "error-throttled.json", "s3-offloaded.json"];

    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Replay_WhenNoFileGiven_ShouldReplayTheBundledSamples()
    {
        var (exit, stdout, _) = await RunAsync("replay", "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var invocations = json.RootElement.GetProperty("invocations");
        Assert.True(invocations.GetProperty("records").GetInt64() > 1000);
        Assert.Equal(0, invocations.GetProperty("rejected").GetInt64());
        Assert.True(invocations.GetProperty("unpriced").GetInt64() > 0);
        Assert.False(invocations.GetProperty("byModel").GetProperty("us.example.new-model-v1:0").GetProperty("priced").GetBoolean());
        Assert.True(json.RootElement.GetProperty("spans").GetProperty("records").GetInt64() > 1000);
    }

    [Fact]
    public async Task Replay_WhenRuleSettingIsBroken_ShouldFailNamingTheVariable()
    {
        var variables = new Dictionary<string, string> { ["GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD"] = "lots" };

        var (exit, _, stderr) = await RunWithAsync(variables, "replay", "--json");

        Assert.Equal(2, exit);
        Assert.Contains("GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_WhenThresholdRaised_ShouldNotSendThatAlert()
    {
        var variables = new Dictionary<string, string> { ["GENAIOBS_RULE_ERROR_RATE_HIGH_ENABLED"] = "false" };

        var (exit, stdout, _) = await RunWithAsync(variables, "replay", "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.DoesNotContain(json.RootElement.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("rule").GetString() == "ErrorRateHigh");
    }

    [Fact]
    public async Task Replay_WhenJson_ShouldFollowTheInvocationsContract()
    {
        var file = Write("records.jsonl", string.Join('\n', RecordFixtures.Select(f => Encoding.UTF8.GetString(TestEvents.CompactFixture(f)))));

        var (exit, stdout, _) = await RunAsync("replay", "--json", file);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var invocations = json.RootElement.GetProperty("invocations");
        Assert.Equal(5, invocations.GetProperty("records").GetInt64());
        Assert.Equal(0, invocations.GetProperty("rejected").GetInt64());
        Assert.Equal(1, invocations.GetProperty("errors").GetInt64());
        foreach (var member in new[] { "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpriced" })
        {
            Assert.Equal(JsonValueKind.Number, invocations.GetProperty(member).ValueKind);
        }

        // stopReasons counts successful calls only: records − errors.
        var stopReasonTotal = invocations.GetProperty("stopReasons").EnumerateObject().Sum(p => p.Value.GetInt64());
        Assert.Equal(4, stopReasonTotal);
        Assert.Equal(1, invocations.GetProperty("stopReasons").GetProperty("unknown").GetInt64());

        var byModel = invocations.GetProperty("byModel");
        var modelRecords = byModel.EnumerateObject().Sum(p => p.Value.GetProperty("records").GetInt64());
        Assert.Equal(5, modelRecords);
        foreach (var model in byModel.EnumerateObject())
        {
            foreach (var member in new[] { "records", "errors", "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd" })
            {
                Assert.Equal(JsonValueKind.Number, model.Value.GetProperty(member).ValueKind);
            }

            Assert.True(model.Value.GetProperty("priced").ValueKind is JsonValueKind.True or JsonValueKind.False);
            Assert.Equal(JsonValueKind.Object, model.Value.GetProperty("stopReasons").ValueKind);
        }

        var byPrincipal = invocations.GetProperty("byPrincipal");
        Assert.Equal(5, byPrincipal.EnumerateObject().Sum(p => p.Value.GetProperty("records").GetInt64()));
        Assert.Equal(
            invocations.GetProperty("costUsd").GetDecimal(),
            byPrincipal.EnumerateObject().Sum(p => p.Value.GetProperty("costUsd").GetDecimal()));
    }

    [Fact]
    public async Task Replay_WhenTheSameRecordsComeInEveryFormat_ShouldReportTheSameTotals()
    {
        var messages = RecordFixtures.Select(TestEvents.CompactFixture).ToArray();
        var dataMessage = TestEvents.DataMessage(messages);
        var subscriptionEvent = TestEvents.SubscriptionEvent(dataMessage);
        var filterLogEvents = FilterLogEventsOutput(messages);
        var jsonLines = Encoding.UTF8.GetBytes(string.Join('\n', messages.Select(Encoding.UTF8.GetString)) + "\n");

        var outputs = new List<string>();
        foreach (var (name, bytes) in new[]
                 {
                     ("event.json", subscriptionEvent), ("event.json.gz", TestEvents.Gzip(subscriptionEvent)),
                     ("data-message.json", dataMessage), ("filter-log-events.json", filterLogEvents),
                     ("records.jsonl", jsonLines), ("records.jsonl.gz", TestEvents.Gzip(jsonLines)),
                 })
        {
            var (exit, stdout, _) = await RunAsync("replay", "--json", WriteBytes(name, bytes));
            Assert.Equal(0, exit);
            using var json = JsonDocument.Parse(stdout);
            outputs.Add(json.RootElement.GetProperty("invocations").GetRawText());
        }

        Assert.All(outputs, output => Assert.Equal(outputs[0], output));
        using var first = JsonDocument.Parse(outputs[0]);
        Assert.Equal(5, first.RootElement.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task Replay_WhenARecordIsBroken_ShouldCountItRejectedAndKeepTheRest()
    {
        var good = Encoding.UTF8.GetString(TestEvents.CompactFixture("converse-anthropic.json"));
        var file = Write("mixed.jsonl", good + "\n{\"schemaType\":\"ModelInvocationLog\",\"operation\":\"Converse\"}\n{not json\n" + good + "\n");

        var (exit, stdout, _) = await RunAsync("replay", "--json", file);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var invocations = json.RootElement.GetProperty("invocations");
        Assert.Equal(2, invocations.GetProperty("records").GetInt64());
        Assert.Equal(2, invocations.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task Replay_WhenPricesFileGiven_ShouldPriceWithIt()
    {
        var record = Encoding.UTF8.GetString(TestEvents.CompactFixture("converse-anthropic.json"));
        var file = Write("one.jsonl", record);
        var prices = Write("prices.json", """
            {"currency":"USD","effectiveDate":"2026-12-01",
             "models":{"anthropic.claude-sonnet-4-5-20250929-v1:0":{"inputPerMillion":1000000,"outputPerMillion":0,"cacheReadPerMillion":0,"cacheWritePerMillion":0}},
             "inferenceProfiles":{}}
            """);

        var (exit, stdout, _) = await RunAsync("replay", "--json", "--prices", prices, file);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        // 1,200 input tokens at $1 per token; no regional multiplier in this table.
        Assert.Equal(1200m, json.RootElement.GetProperty("invocations").GetProperty("costUsd").GetDecimal());
    }

    [Fact]
    public async Task Replay_WhenTableOutput_ShouldShowModelsPrincipalsAndNoContent()
    {
        var file = Write("records.jsonl", string.Join('\n', RecordFixtures.Select(f => Encoding.UTF8.GetString(TestEvents.CompactFixture(f)))));

        var (exit, stdout, stderr) = await RunAsync("replay", "--stats", file);

        Assert.Equal(0, exit);
        Assert.Contains("us.anthropic.claude-sonnet-4-5-20250929-v1:0", stdout, StringComparison.Ordinal);
        Assert.Contains("support-bot-role", stdout, StringComparison.Ordinal);
        Assert.Contains("records/s", stderr, StringComparison.Ordinal);
        foreach (var text in new[] { stdout, stderr })
        {
            Assert.DoesNotContain(TestEvents.PromptCanary, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TestEvents.ResponseCanary, text, StringComparison.Ordinal);
            Assert.DoesNotContain("@example.com", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--prices")]
    public async Task Replay_WhenArgumentsAreWrong_ShouldExitWithUsageError(string argument)
    {
        var (exit, _, stderr) = await RunAsync("replay", argument);

        Assert.Equal(2, exit);
        Assert.Contains("genaiobs replay:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_WhenFileIsMissing_ShouldExitWithAClearMessage()
    {
        var (exit, _, stderr) = await RunAsync("replay", Path.Combine(_directory, "nope.json"));

        Assert.Equal(2, exit);
        Assert.Contains("nope.json", stderr, StringComparison.Ordinal);
    }

    private static byte[] FilterLogEventsOutput(byte[][] messages)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("events");
            for (var i = 0; i < messages.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("logStreamName", "aws/bedrock/modelinvocations");
                writer.WriteNumber("timestamp", 1_795_000_000_000L + i);
                writer.WriteString("message", Encoding.UTF8.GetString(messages[i]));
                writer.WriteNumber("ingestionTime", 1_795_000_000_500L + i);
                writer.WriteString("eventId", TestEvents.EventId(i));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("searchedLogStreams");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    internal static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        RunWithAsync(new Dictionary<string, string>(), args);

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunWithAsync(Dictionary<string, string> variables, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment(variables, Path.Combine(AppContext.BaseDirectory, "samples"));
        var exit = await CliApp.RunAsync(args, stdout, stderr, environment);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
