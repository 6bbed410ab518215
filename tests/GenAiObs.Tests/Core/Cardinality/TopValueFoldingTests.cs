using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Cardinality;

/// <summary>Caller-chosen dimension values are bounded per bucket: the top N by cost keep their key, the rest become <c>other</c>.</summary>
public sealed class TopValueFoldingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string> Team(string team) => new(StringComparer.Ordinal) { ["team"] = team };

    [Fact]
    public void Keep_WhenValuesTie_ShouldRankByWeightThenCountThenName()
    {
        var ranking = new TopValues();
        ranking.Add("b", 2m);
        ranking.Add("a", 2m);
        ranking.Add("c", 1m, count: 5);
        ranking.Add("d", 1m, count: 6);
        ranking.Add("e", 3m);

        var kept = ranking.Keep(3);

        Assert.Equal(["a", "b", "e"], kept.Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b", "d", "e"], ranking.Keep(4).Order(StringComparer.Ordinal));
        Assert.Equal(TopValues.Other, TopValues.Fold("c", kept));
    }

    [Theory]
    [InlineData("principal=5,session=7", 5, 7, 20)]
    [InlineData(" TEAM = 3 ", 20, 50, 3)]
    public void With_WhenGivenOverrides_ShouldChangeOnlyThoseDimensions(string text, int principal, int session, int team)
    {
        var limits = CardinalityLimits.Default.With(text);

        Assert.Equal((principal, session, team, 20), (limits.Principal, limits.Session, limits.Team, limits.Application));
    }

    [Theory]
    [InlineData("model=5")]
    [InlineData("principal=0")]
    [InlineData("principal=10001")]
    [InlineData("principal")]
    [InlineData("team=x")]
    public void With_WhenMalformed_ShouldThrow(string text) =>
        Assert.Throws<FormatException>(() => CardinalityLimits.Default.With(text));

    [Fact]
    public void Build_WhenOneBucketHasMoreTeamsThanTheLimit_ShouldKeepTheTopByCostAndFoldTheRestExactly()
    {
        // Arrange: 30 teams, team-i spends (i + 1) × $0.001 — the 20 costliest are team-10 … team-29.
        var records = Enumerable.Range(0, 30)
            .Select(i => StoreTestData.Invocation(T0.AddSeconds(i), cost: 0.001m * (i + 1), metadata: Team("team-" + i)))
            .ToList();

        // Act
        var batch = AggregateBuilder.Build("b1", records, []);

        // Assert
        var teams = batch.Deltas.Where(d => d.Key.StartsWith(AggregateKeys.TeamPrefix, StringComparison.Ordinal)).ToDictionary(d => d.Key, d => d.Counters);
        Assert.Equal(21, teams.Count);
        Assert.All(Enumerable.Range(10, 20), i => Assert.Contains(AggregateKeys.Team("team-" + i), teams.Keys));
        var other = teams[AggregateKeys.Team(TopValues.Other)];
        Assert.Equal(10, other[CounterNames.Requests]);
        Assert.Equal(Enumerable.Range(1, 10).Sum(i => 1000L * i), other[CounterNames.CostMicros]);
        Assert.Equal(30, teams.Values.Sum(c => c[CounterNames.Requests]));
        Assert.Equal(30, batch.Deltas.Single(d => d.Key == AggregateKeys.Total).Counters[CounterNames.Requests]);
    }

    [Fact]
    public void Build_WhenLimitsAreSet_ShouldFoldPrincipalsAndSessionsToThem()
    {
        var records = Enumerable.Range(0, 6).Select(i => StoreTestData.Invocation(T0, principal: "role-" + i, cost: 0.01m * (i + 1))).ToList();
        var spans = Enumerable.Range(0, 6).Select(i => StoreTestData.Span(T0, SpanClass.ModelCall, sessionId: "s-" + i, model: "m", cost: 0.001m * (i + 1))).ToList();

        var batch = AggregateBuilder.Build("b2", records, spans, CardinalityLimits.Default with { Principal = 2, Session = 3 });

        Assert.Equal(
            ["principal#other", "principal#role-4", "principal#role-5"],
            batch.Deltas.Select(d => d.Key).Where(k => k.StartsWith(AggregateKeys.PrincipalPrefix, StringComparison.Ordinal)));
        Assert.Equal(
            ["session#other", "session#s-3", "session#s-4", "session#s-5"],
            batch.Deltas.Select(d => d.Key).Where(k => k.StartsWith(AggregateKeys.SessionPrefix, StringComparison.Ordinal)));
        Assert.Equal(3, batch.Deltas.Single(d => d.Key == "session#other").Counters[CounterNames.Spans]);
    }

    [Fact]
    public void Combine_WhenDeliveriesKeptDifferentValues_ShouldFoldTheRollupToTheLimit()
    {
        // Two deliveries each keep their own 20 teams in the fine items; the hourly rollup keeps 20 overall.
        var sums = Enumerable.Range(0, 40).ToDictionary(
            i => AggregateKeys.Team("t" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)),
            i => new AggregateCounters([new(CounterNames.Requests, 1), new(CounterNames.CostMicros, 100 + i)]),
            StringComparer.Ordinal);
        sums[AggregateKeys.Total] = new AggregateCounters([new(CounterNames.Requests, 40)]);

        var rollup = AggregateMaintenance.Combine(sums);

        Assert.Equal(22, rollup.Count);
        Assert.Equal(20, rollup[AggregateKeys.Team(TopValues.Other)][CounterNames.Requests]);
        Assert.Equal(Enumerable.Range(0, 20).Sum(i => 100L + i), rollup[AggregateKeys.Team(TopValues.Other)][CounterNames.CostMicros]);
        Assert.Contains(AggregateKeys.Team("t39"), rollup.Keys);
        Assert.DoesNotContain(AggregateKeys.Team("t19"), rollup.Keys);
        Assert.Equal(1, sums[AggregateKeys.Team("t00")][CounterNames.Requests]);
    }

    [Fact]
    public void InvocationMetrics_WhenTeamsExceedTheirLimit_ShouldPublishTheTopByCostAndOther()
    {
        var records = Enumerable.Range(0, 5).Select(i => StoreTestData.Invocation(T0, cost: 0.01m * (i + 1), metadata: Team("team-" + i))).ToList();

        var batch = InvocationMetricsBuilder.Build(records, [], new InvocationMetricsOptions("svc", Limits: CardinalityLimits.Default with { Team = 2 }), T0.ToUnixTimeMilliseconds());
        var lines = new EmfSerializer().Serialize(batch);

        var teams = lines
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            // Team as a dimension (attribution documents also carry the raw team as a property).
            .Where(root => root.TryGetProperty("_aws", out _) && root.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Dimensions")[0].EnumerateArray().Any(d => d.GetString() == MetricDimensions.Team))
            .Select(root => root.GetProperty(MetricDimensions.Team).GetString())
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(["other", "team-3", "team-4"], teams);
    }
}
