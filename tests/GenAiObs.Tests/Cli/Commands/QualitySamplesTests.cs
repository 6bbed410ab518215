using System.IO.Compression;
using System.Text.Json;
using GenAiObs.Tests.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// The bundled quality experiment (tests/tools/generate-samples.py, quality-experiment.jsonl.gz):
/// arms A and B of ticket-summary, with a planted regression of arm B on 2026-11-08. The replay's
/// figures and tests are checked against values computed here from the raw sample records.
/// </summary>
public sealed class QualitySamplesTests(ReplayedSamples samples) : IClassFixture<ReplayedSamples>
{
    private static readonly DateTimeOffset LastDay = new(2026, 11, 8, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Per arm: feedback (satisfied, total) and the evaluation scores, read straight from the sample file.</summary>
    private static Dictionary<string, (int Satisfied, int Rated, List<double> Scores)> RawArms()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "samples", "quality-experiment.jsonl.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        var arms = new Dictionary<string, (int Satisfied, int Rated, List<double> Scores)>(StringComparer.Ordinal)
        {
            ["A"] = (0, 0, []),
            ["B"] = (0, 0, []),
        };
        var armOfRequest = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.TryGetProperty("schemaType", out _))
            {
                armOfRequest[root.GetProperty("requestId").GetString()!] = root.GetProperty("requestMetadata").GetProperty("variant").GetString()!;
            }
            else if (root.TryGetProperty("schema", out _))
            {
                var arm = armOfRequest[root.GetProperty("requestId").GetString()!];
                var (satisfied, rated, scores) = arms[arm];
                arms[arm] = (satisfied + (root.GetProperty("rating").GetString() == "up" ? 1 : 0), rated + 1, scores);
            }
            else if (root.GetProperty("attributes").TryGetProperty("app.variant", out var variant))
            {
                var arm = variant.GetString()!;
                foreach (var e in root.GetProperty("events").EnumerateArray())
                {
                    arms[arm].Scores.Add(e.GetProperty("attributes").GetProperty("gen_ai.evaluation.score.value").GetDouble());
                }
            }
        }

        return arms;
    }

    /// <summary>Per arm: the model-call spans (untagged children of the tagged agent spans) and their output tokens, from the sample file.</summary>
    private static Dictionary<string, (int Calls, long OutputTokens)> RawModelCalls()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "samples", "quality-experiment.jsonl.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        var armOfTrace = new Dictionary<string, string>(StringComparer.Ordinal);
        var calls = new List<(string TraceId, long OutputTokens)>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (!root.TryGetProperty("traceId", out var trace))
            {
                continue;
            }

            var attributes = root.GetProperty("attributes");
            if (attributes.TryGetProperty("app.variant", out var variant))
            {
                armOfTrace[trace.GetString()!] = variant.GetString()!;
            }
            else
            {
                Assert.Equal("chat", attributes.GetProperty("gen_ai.operation.name").GetString());
                calls.Add((trace.GetString()!, attributes.GetProperty("gen_ai.usage.output_tokens").GetInt64()));
            }
        }

        return calls.GroupBy(c => armOfTrace[c.TraceId]).ToDictionary(g => g.Key, g => (g.Count(), g.Sum(c => c.OutputTokens)), StringComparer.Ordinal);
    }

    [Fact]
    public void Replay_WhenModelCallSpansCarryNoTags_ShouldCountThemUnderTheirAgentSpansFeatureAndArm()
    {
        var raw = RawModelCalls();
        using var json = JsonDocument.Parse(samples.Stdout);

        var feature = json.RootElement.GetProperty("features").GetProperty("ticket-summary");

        Assert.Equal(raw.Values.Sum(r => r.Calls), feature.GetProperty("spans").GetProperty("modelCalls").GetInt64());
        foreach (var (arm, (calls, outputTokens)) in raw)
        {
            var spans = feature.GetProperty("variants").GetProperty(arm).GetProperty("spans");
            Assert.Equal((calls, outputTokens), (spans.GetProperty("modelCalls").GetInt32(), spans.GetProperty("outputTokens").GetInt64()));
        }

        // The same calls as the invocation log, priced from the same table: the same cost.
        Assert.Equal(feature.GetProperty("costUsd").GetDecimal(), feature.GetProperty("spans").GetProperty("costUsd").GetDecimal());
    }

    private static double NormalCdf(double z) =>
        0.5 + Quadrature.Simpson(x => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), 0, z, 200_000);

    [Fact]
    public void Replay_WhenTheQualityExperimentIsReplayed_ShouldShowTheComparisonComputedFromTheRawRecords()
    {
        var arms = RawArms();
        using var json = JsonDocument.Parse(samples.Stdout);
        var root = json.RootElement;

        var comparison = Assert.Single(root.GetProperty("comparisons").EnumerateArray());
        Assert.Equal(("ticket-summary", "A", "B"), (comparison.GetProperty("feature").GetString(), comparison.GetProperty("armA").GetString(), comparison.GetProperty("armB").GetString()));

        // Satisfaction: every feedback event joins its request (within 30 minutes), so the rates are the raw ones.
        var (sa, na, scoresA) = arms["A"];
        var (sb, nb, scoresB) = arms["B"];
        var satisfaction = comparison.GetProperty("satisfaction");
        Assert.Equal((double)sa / na, satisfaction.GetProperty("a").GetDouble(), 9);
        Assert.Equal((double)sb / nb, satisfaction.GetProperty("b").GetDouble(), 9);
        var pooled = (double)(sa + sb) / (na + nb);
        var z = ((double)sb / nb - (double)sa / na) / Math.Sqrt(pooled * (1 - pooled) * (1.0 / na + 1.0 / nb));
        Assert.Equal(2 * (1 - NormalCdf(Math.Abs(z))), satisfaction.GetProperty("pValue").GetDouble(), tolerance: 1e-7);

        // Mean evaluation score and Welch's t.
        var score = comparison.GetProperty("evaluationScore");
        double ma = scoresA.Average(), mb = scoresB.Average();
        double va = scoresA.Sum(x => (x - ma) * (x - ma)) / (scoresA.Count - 1), vb = scoresB.Sum(x => (x - mb) * (x - mb)) / (scoresB.Count - 1);
        var se2 = va / scoresA.Count + vb / scoresB.Count;
        var t = (mb - ma) / Math.Sqrt(se2);
        var df = se2 * se2 / (Math.Pow(va / scoresA.Count, 2) / (scoresA.Count - 1) + Math.Pow(vb / scoresB.Count, 2) / (scoresB.Count - 1));
        Assert.Equal(ma, score.GetProperty("a").GetDouble(), tolerance: 1e-9);
        Assert.Equal(mb, score.GetProperty("b").GetDouble(), tolerance: 1e-9);
        Assert.Equal(2 * Quadrature.StudentTCdf(-Math.Abs(t), df), score.GetProperty("pValue").GetDouble(), tolerance: 1e-6);

        // Arm B is the cheaper one (shorter answers) and the less satisfying one (the planted regression).
        Assert.StartsWith("B is ", comparison.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Contains("% cheaper", comparison.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Contains("satisfaction ", comparison.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Equal(na + nb, root.GetProperty("features").GetProperty("ticket-summary").GetProperty("feedback").GetInt64());
        Assert.Equal(0, root.GetProperty("quality").GetProperty("unjoinedFeedback").GetInt64());
    }

    [Fact]
    public void Replay_WhenArmBRegressesOnTheLastDay_ShouldWarnQualityDropForTheFeatureThatDayOnly()
    {
        var drops = samples.Alerts.Where(a => a.Rule == "QualityDrop").ToList();

        Assert.NotEmpty(drops);
        Assert.All(drops, a => Assert.Equal(("ticket-summary", "slack-ops", "warning"), (a.Labels["feature"], a.Receiver, a.Severity)));
        Assert.All(drops, a => Assert.True(a.At >= LastDay, $"QualityDrop at {a.At:O}, before the regression"));
        Assert.DoesNotContain("jane.doe", samples.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("missed the point", samples.Stdout, StringComparison.Ordinal);
    }
}
