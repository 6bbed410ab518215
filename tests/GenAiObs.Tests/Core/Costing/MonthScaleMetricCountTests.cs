using System.Globalization;
using System.Text;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Costing;

/// <summary>
/// The custom-metric count of a month, counted in the EMF the processor actually wrote (not from a
/// formula): a month of invocation-log deliveries is parsed, priced, turned into metrics and
/// serialised exactly as the invocation-log function does, then every line is parsed against the
/// EMF specification and every (namespace, metric, dimension values) counted. A change that
/// reintroduces a per-principal (or any unbounded) dimension fails here.
/// </summary>
public sealed class MonthScaleMetricCountTests
{
    private const string Namespace = "GenAI/Observability";
    private const string Service = "genai-observability";
    private static readonly string[] Models =
    [
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-pro-v1:0",
        "meta.llama3-3-70b-instruct-v1:0", "amazon.nova-lite-v1:0",
    ];

    private static readonly string[] StopReasonsLogged = ["end_turn", "max_tokens", "tool_use"];

    [Theory]
    [InlineData(40)]
    [InlineData(500)]
    public void Month_WhenEveryPrincipalCallsEveryDay_ShouldWriteTheSameBoundedSetOfCustomMetrics(int principals)
    {
        var month = RunMonth(principals, teams: 3);

        // Derived from the design, not read back from the code: [Service] 9 metrics (Invocations,
        // CostUsd, the 4 cost parts, CacheSavingsUsd, CacheReadTokens, RejectedRecords), CostUsd per
        // model (5), StopReasonCount per stop reason (3; the completion rate is derived from it),
        // CostUsd per team (3) and per environment (1: GENAIOBS_ENVIRONMENT).
        Assert.Equal(9 + 5 + 3 + 3 + 1, month.Metrics.Count);
        Assert.DoesNotContain(month.Metrics, m => m.Contains("Principal=", StringComparison.Ordinal));

        // Every principal is still visible: as a property of the attribution documents.
        Assert.Equal(principals, month.Principals.Count);
        Assert.Equal(30 * 24, month.Deliveries);
    }

    [Fact]
    public void Month_WhenFiftyTeamsCall_ShouldGrowOnlyByTheTeamValuesTheCapLetsThrough()
    {
        var month = RunMonth(principals: 500, teams: 50, maxPerBatch: 5);

        var teamMetrics = month.Metrics.Count(m => m.Contains("|Team=", StringComparison.Ordinal));
        Assert.Equal(9 + 5 + 3 + 1, month.Metrics.Count - teamMetrics);
        Assert.Contains(month.Metrics, m => m.EndsWith("|Team=other", StringComparison.Ordinal));
        Assert.InRange(teamMetrics, 6, 51);
    }

    private static (HashSet<string> Metrics, HashSet<string> Principals, int Deliveries) RunMonth(int principals, int teams, int maxPerBatch = 20)
    {
        var processor = new BatchProcessor(PriceTable.LoadDefault());
        var serializer = new EmfSerializer(Namespace);
        var options = new InvocationMetricsOptions(Service, Environment: "prod", Limits: new CardinalityLimits { Team = maxPerBatch });
        var metrics = new HashSet<string>(StringComparer.Ordinal);
        var seenPrincipals = new HashSet<string>(StringComparer.Ordinal);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var deliveries = 0;
        var record = 0;

        // One delivery per hour for 30 days; each principal calls once a day, at its own hour.
        for (var hour = 0; hour < 30 * 24; hour++)
        {
            var events = new List<(string Id, long Timestamp, byte[] Message)>();
            for (var p = hour % 24; p < principals; p += 24)
            {
                var at = start.AddHours(hour).AddSeconds(p % 3600);
                var json = Record(at, $"role-{p:D4}", Models[record % Models.Length], StopReasonsLogged[record % StopReasonsLogged.Length], $"team-{record % teams:D2}", record);
                events.Add((TestEvents.EventId(events.Count), at.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(json)));
                record++;
            }

            if (events.Count == 0)
            {
                continue;
            }

            var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(events)));
            Assert.Empty(result.Rejections);
            deliveries++;
            var batch = InvocationMetricsBuilder.Build(result, options, start.AddHours(hour + 1).ToUnixTimeMilliseconds());
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            serializer.WriteLines(batch, output);
            foreach (var document in EmfSpec.ParseLines(output.ToString()))
            {
                // A plain line (an attribution document) defines no metric: CloudWatch extracts nothing from it.
                if (document.HasDirective)
                {
                    Assert.Equal(Namespace, document.Namespace);
                    var dimensions = string.Join("|", document.DimensionSets.Single().Select(d => d + "=" + document.Dimensions[d]));
                    foreach (var (name, _) in document.Definitions)
                    {
                        metrics.Add(name + "|" + dimensions);
                    }
                }

                if (document.Properties.TryGetValue("Principal", out var principal))
                {
                    seenPrincipals.Add(principal);
                }
            }
        }

        return (metrics, seenPrincipals, deliveries);
    }

    private static string Record(DateTimeOffset at, string role, string model, string stopReason, string team, int index)
    {
        var input = 1000 + (index % 500);
        var output = 50 + (index % 200);
        var cacheRead = index % 4 == 0 ? 512 : 0;
        var latency = 300 + (index % 900);
        var time = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return string.Concat(
            "{\"schemaType\":\"ModelInvocationLog\",\"schemaVersion\":\"1.0\",\"timestamp\":\"", time, "\",\"accountId\":\"111122223333\",",
            "\"identity\":{\"arn\":\"arn:aws:sts::111122223333:assumed-role/", role, "/session-", index.ToString(CultureInfo.InvariantCulture), "\"},",
            "\"region\":\"us-east-1\",\"requestId\":\"req-", index.ToString(CultureInfo.InvariantCulture), "\",\"operation\":\"Converse\",\"modelId\":\"", model, "\",",
            "\"requestMetadata\":{\"team\":\"", team, "\"},",
            string.Create(CultureInfo.InvariantCulture, $"\"input\":{{\"inputContentType\":\"application/json\",\"inputTokenCount\":{input},\"cacheReadInputTokenCount\":{cacheRead},\"cacheWriteInputTokenCount\":0}},"),
            string.Create(CultureInfo.InvariantCulture, $"\"output\":{{\"outputContentType\":\"application/json\",\"outputTokenCount\":{output},\"outputBodyJson\":{{\"stopReason\":\"{stopReason}\",\"metrics\":{{\"latencyMs\":{latency}}},\"usage\":{{\"inputTokens\":{input},\"outputTokens\":{output}}}}}}}}}"));
    }
}
