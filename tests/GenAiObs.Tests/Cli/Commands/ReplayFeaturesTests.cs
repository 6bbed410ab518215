using System.Globalization;
using System.Text.Json;
using GenAiObs.Tests.Cli;
using Xunit;

namespace GenAiObs.Tests.Cli.Commands;

public sealed class ReplayFeaturesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-features-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Record(int i, string feature, string variant, int latencyMs, int outputTokens)
    {
        var inv = CultureInfo.InvariantCulture;
        return "{\"schemaType\":\"ModelInvocationLog\",\"timestamp\":\"2026-11-20T14:" + (i / 60).ToString("D2", inv) + ":" + (i % 60).ToString("D2", inv) + "Z\"," +
            "\"accountId\":\"111122223333\",\"region\":\"us-east-1\",\"requestId\":\"req-" + i.ToString(inv) + "\",\"operation\":\"Converse\"," +
            "\"modelId\":\"us.anthropic.claude-sonnet-4-5-20250929-v1:0\",\"identity\":{\"arn\":\"arn:aws:sts::111122223333:assumed-role/app/x\"}," +
            "\"input\":{\"inputTokenCount\":1000},\"output\":{\"outputTokenCount\":" + outputTokens.ToString(inv) +
            ",\"outputBodyJson\":{\"stopReason\":\"end_turn\",\"metrics\":{\"latencyMs\":" + latencyMs.ToString(inv) + "}}}," +
            "\"requestMetadata\":{\"feature\":\"" + feature + "\",\"variant\":\"" + variant + "\"}}";
    }

    [Fact]
    public async Task Replay_WhenRecordsAreTagged_ShouldReportFeaturesWhoseCostMatchesTheInvocationTotals()
    {
        var lines = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            lines.Add(Record(i, "summarise", i % 2 == 0 ? "A" : "B", 100 + (10 * i), i % 2 == 0 ? 200 : 100));
        }

        var file = Path.Combine(_directory, "tagged.jsonl");
        await File.WriteAllLinesAsync(file, lines);

        var (exit, stdout, _) = await ReplayCommandTests.RunAsync("replay", "--json", file);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var feature = root.GetProperty("features").GetProperty("summarise");
        // Cost through the aggregates equals cost through the replay summary (a different path).
        Assert.Equal(root.GetProperty("invocations").GetProperty("costUsd").GetDecimal(), feature.GetProperty("costUsd").GetDecimal());
        Assert.Equal(40, feature.GetProperty("requests").GetInt64());
        var a = feature.GetProperty("variants").GetProperty("A");
        var b = feature.GetProperty("variants").GetProperty("B");
        Assert.Equal(20, a.GetProperty("requests").GetInt64());
        Assert.Equal(20 * 200, a.GetProperty("outputTokens").GetInt64());
        Assert.Equal(20 * 100, b.GetProperty("outputTokens").GetInt64());
        Assert.Equal(a.GetProperty("outputTokens").GetInt64() / a.GetProperty("costUsd").GetDouble(), a.GetProperty("outputTokensPerUsd").GetDouble(), 3);
        Assert.Equal(1.0, a.GetProperty("completionRate").GetDouble());
        Assert.Equal(0.0, b.GetProperty("errorRate").GetDouble());
    }

    [Fact]
    public async Task Replay_WhenFeedbackRatesTaggedRequests_ShouldJoinItToTheirCost()
    {
        var requests = Enumerable.Range(0, 4).Select(i => Record(i, "summarise", "A", 200, 100)).ToList();
        var feedback = new[]
        {
            "{\"schema\":\"genaiobs.feedback/1\",\"timestamp\":\"2026-11-20T15:00:00Z\",\"requestId\":\"req-0\",\"rating\":\"up\",\"comment\":\"CANARY-COMMENT\"}",
            "{\"schema\":\"genaiobs.feedback/1\",\"timestamp\":\"2026-11-20T15:00:00Z\",\"requestId\":\"req-1\",\"rating\":2}",
            "{\"schema\":\"genaiobs.feedback/1\",\"timestamp\":\"2026-11-20T15:00:00Z\",\"requestId\":\"req-404\",\"rating\":\"up\",\"feature\":\"summarise\",\"variant\":\"A\"}",
            "{\"schema\":\"genaiobs.feedback/1\",\"requestId\":\"req-2\",\"rating\":\"sideways\"}",
        };
        var file = Path.Combine(_directory, "a-requests.jsonl");
        await File.WriteAllLinesAsync(file, requests);
        var ratings = Path.Combine(_directory, "b-feedback.jsonl");
        await File.WriteAllLinesAsync(ratings, feedback);

        var (exit, stdout, _) = await ReplayCommandTests.RunAsync("replay", "--json", file, ratings);

        Assert.Equal(0, exit);
        Assert.DoesNotContain("CANARY", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout);
        var arm = json.RootElement.GetProperty("features").GetProperty("summarise").GetProperty("variants").GetProperty("A");
        Assert.Equal(3, arm.GetProperty("feedback").GetInt64());
        Assert.Equal(2.0 / 3, arm.GetProperty("satisfactionRate").GetDouble(), 6);
        Assert.Equal(1, arm.GetProperty("unjoinedFeedback").GetInt64());
        // Joined: req-0 (up) and req-1 (2 stars), equal cost each: cost per satisfied = 2 × one request's cost.
        var perRequest = arm.GetProperty("costUsd").GetDecimal() / 4;
        Assert.Equal(decimal.Round(2 * perRequest, 6), arm.GetProperty("costPerSatisfiedRequestUsd").GetDecimal());
        Assert.Equal(1, json.RootElement.GetProperty("invocations").GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task Replay_WhenTextOutput_ShouldListFeaturesAndTheirArms()
    {
        var file = Path.Combine(_directory, "tagged.jsonl");
        await File.WriteAllLinesAsync(file, [Record(1, "triage", "control", 300, 50), Record(2, "triage", "treatment", 400, 60)]);

        var (exit, stdout, _) = await ReplayCommandTests.RunAsync("replay", file);

        Assert.Equal(0, exit);
        Assert.Contains("triage / control", stdout, StringComparison.Ordinal);
        Assert.Contains("triage / treatment", stdout, StringComparison.Ordinal);
    }
}
