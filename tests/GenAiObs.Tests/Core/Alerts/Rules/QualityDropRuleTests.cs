using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts.Rules;
using Xunit;
using static GenAiObs.Tests.Rules.RuleTestKit;

namespace GenAiObs.Tests.Rules;

public sealed class QualityDropRuleTests
{
    /// <summary>Feedback of one arm of "summarise" at <paramref name="time"/>, under the feature and the arm as the processors count it.</summary>
    private static FakeAlertData Ratings(FakeAlertData data, DateTimeOffset time, string arm, int ratings, int satisfied)
    {
        void Add(AggregateCounters c)
        {
            c.Add(CounterNames.Feedback, ratings);
            c.Add(CounterNames.FeedbackSatisfied, satisfied);
        }

        return data.Add(AggregateKeys.Feature("summarise"), time, Add).Add(AggregateKeys.Variant("summarise", arm), time, Add);
    }

    private static FakeAlertData Scores(FakeAlertData data, DateTimeOffset time, string arm, int count, double score)
    {
        void Add(AggregateCounters c)
        {
            c.Add(CounterNames.EvaluationsScored, count);
            c.Add(CounterNames.EvaluationScoreMicros, (long)Math.Round(count * score * 1e6));
            c.Add(CounterNames.EvaluationScoreSquareMicros, (long)Math.Round(count * score * score * 1e6));
        }

        return data.Add(AggregateKeys.Feature("summarise"), time, Add).Add(AggregateKeys.Variant("summarise", arm), time, Add);
    }

    private static FakeAlertData Week(FakeAlertData data)
    {
        for (var day = 1; day <= 7; day++)
        {
            Ratings(data, DayStart.AddDays(-day).AddHours(12), "A", 40, 36);
            Ratings(data, DayStart.AddDays(-day).AddHours(12), "B", 40, 36);
        }

        return data;
    }

    [Fact]
    public async Task QualityDrop_WhenOneArmsSatisfactionFalls_ShouldFireForTheFeatureNamingThatArmFirst()
    {
        // Baseline 90 %; today A 18/20 and B 8/20: 26/40 = 65 % < 90 % × 90 %.
        var data = Week(new FakeAlertData().Baseline(AggregateKeys.Feature("summarise"), Today));
        Ratings(data, Now.AddHours(-1), "A", 20, 18);
        Ratings(data, Now.AddHours(-1), "B", 20, 8);

        var alerts = await EvaluateAsync(new QualityDropRule(), data);

        var alert = Assert.Single(alerts);
        Assert.Equal("summarise", alert.Labels["feature"]);
        Assert.Contains("satisfaction 65.0%", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("baseline 90.0%", alert.Summary, StringComparison.Ordinal);
        // Unsatisfied today: B 12 of 14.
        var top = alert.Contributors[0];
        Assert.Equal(("variant", "B"), (top.Dimension, top.Name));
        Assert.Equal(12.0 / 14, top.Share, 9);
    }

    [Fact]
    public async Task QualityDrop_WhenTheMeanScoreFalls_ShouldFire()
    {
        var data = new FakeAlertData().Baseline(AggregateKeys.Feature("summarise"), Today);
        Scores(data, DayStart.AddDays(-2), "A", 100, 0.8);
        Scores(data, Now.AddHours(-1), "A", 30, 0.6);

        var alert = Assert.Single(await EvaluateAsync(new QualityDropRule(), data));

        Assert.Contains("mean evaluation score 0.6", alert.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(19, 5, 30)]   // too few ratings today
    [InlineData(20, 17, 30)]  // 85 % is not below 90 % of 90 %
    [InlineData(20, 5, 3)]    // warming up
    public async Task QualityDrop_WhenNotEnoughEvidence_ShouldStaySilent(int ratings, int satisfied, int historyDays)
    {
        var data = Week(new FakeAlertData().Baseline(AggregateKeys.Feature("summarise"), Today, historyDays));
        Ratings(data, Now.AddHours(-1), "A", ratings, satisfied);

        Assert.Empty(await EvaluateAsync(new QualityDropRule(), data));
    }
}
