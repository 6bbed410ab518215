using GenAiObs.Core.Aggregation;
using Xunit;

namespace GenAiObs.Tests.Store;

public sealed class BaselineCalculatorTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);

    [Fact]
    public void Compute_WhenFewerThanSevenDaysOfHistory_ShouldMarkWarmingUp()
    {
        // Arrange: data on the 5 days before Day.
        var daily = Enumerable.Range(1, 5).ToDictionary(i => Day.AddDays(-i), _ => Counters(requests: 100));

        // Act
        var baseline = BaselineCalculator.Compute("total", Day, daily, new Dictionary<DateTimeOffset, AggregateCounters>(), BaselineSettings.Default);

        // Assert
        Assert.True(baseline.WarmingUp);
        Assert.Equal(5, baseline.HistoryDays);
        Assert.Equal(5, baseline.Daily[BaselineMetric.Requests].Samples);
    }

    [Fact]
    public void Compute_WhenSevenDaysOfHistory_ShouldGiveMeanAndSampleStdDevOfTheLastSevenDays()
    {
        // Arrange: days −1…−7 hold 10,20,…,70 requests; day −8 (outside the window) holds 1000.
        var daily = Enumerable.Range(1, 7).ToDictionary(i => Day.AddDays(-i), i => Counters(requests: 10 * i, costMicros: 1_000_000 * i));
        daily[Day.AddDays(-8)] = Counters(requests: 1000);

        // Act
        var baseline = BaselineCalculator.Compute("total", Day, daily, new Dictionary<DateTimeOffset, AggregateCounters>(), BaselineSettings.Default);

        // Assert
        Assert.False(baseline.WarmingUp);
        Assert.Equal(8, baseline.HistoryDays);
        var requests = baseline.Daily[BaselineMetric.Requests];
        Assert.Equal(40, requests.Mean, 9);
        Assert.Equal(Math.Sqrt(2800.0 / 6), requests.StdDev, 9);
        Assert.Equal(7, requests.Samples);
        Assert.Equal(4_000_000, baseline.Daily[BaselineMetric.CostMicros].Mean, 6);
    }

    [Fact]
    public void Compute_WhenAQuietDayFollowsFirstAppearance_ShouldCountItAsZero()
    {
        // Arrange: seen 10 days ago, then only two busy days in the window.
        var daily = new Dictionary<DateOnly, AggregateCounters>
        {
            [Day.AddDays(-10)] = Counters(requests: 5),
            [Day.AddDays(-1)] = Counters(requests: 70),
            [Day.AddDays(-2)] = Counters(requests: 70),
        };

        // Act
        var baseline = BaselineCalculator.Compute("model#m", Day, daily, new Dictionary<DateTimeOffset, AggregateCounters>(), BaselineSettings.Default);

        // Assert
        Assert.Equal(20, baseline.Daily[BaselineMetric.Requests].Mean, 9);
        Assert.Equal(7, baseline.Daily[BaselineMetric.Requests].Samples);
        Assert.False(baseline.Daily.ContainsKey(BaselineMetric.CacheHitRate));
    }

    [Fact]
    public void Compute_WhenHourlyDataOverFourWeeks_ShouldProfileEachHourOfWeek()
    {
        // Arrange: Mondays 09:00 UTC held 100, 200, 300, 400 requests; the Monday before Day is week 1.
        var dayStart = new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var hourly = new Dictionary<DateTimeOffset, AggregateCounters>();
        var lastMonday = dayStart.AddDays(-1);
        while (lastMonday.DayOfWeek != DayOfWeek.Monday)
        {
            lastMonday = lastMonday.AddDays(-1);
        }

        lastMonday = lastMonday.AddHours(9);
        for (var week = 0; week < 4; week++)
        {
            hourly[lastMonday.AddDays(-7 * week)] = Counters(requests: 100 * (week + 1), input: 1000, cacheRead: 250);
        }

        var daily = new Dictionary<DateOnly, AggregateCounters> { [Day.AddDays(-30)] = Counters(requests: 1) };

        // Act
        var baseline = BaselineCalculator.Compute("total", Day, daily, hourly, BaselineSettings.Default);

        // Assert
        var monday9 = baseline.ForHour(lastMonday, BaselineMetric.Requests);
        Assert.NotNull(monday9);
        Assert.Equal(250, monday9.Value.Mean, 9);
        Assert.Equal(4, monday9.Value.Samples);
        Assert.Equal(0.2, baseline.ForHour(lastMonday, BaselineMetric.CacheHitRate)!.Value.Mean, 9);
        Assert.Equal(0, baseline.ForHour(lastMonday.AddHours(1), BaselineMetric.Requests)!.Value.Mean);
        Assert.Equal(168, baseline.HourOfWeek.Count);
    }

    [Fact]
    public void Compute_WhenNeverSeen_ShouldBeWarmingUpWithNoStats()
    {
        // Act
        var baseline = BaselineCalculator.Compute("total", Day, new Dictionary<DateOnly, AggregateCounters>(), new Dictionary<DateTimeOffset, AggregateCounters>(), BaselineSettings.Default);

        // Assert
        Assert.True(baseline.WarmingUp);
        Assert.Equal(0, baseline.HistoryDays);
        Assert.Empty(baseline.Daily);
        Assert.Empty(baseline.HourOfWeek);
    }

    internal static AggregateCounters Counters(long requests = 0, long costMicros = 0, long input = 0, long cacheRead = 0)
    {
        var counters = new AggregateCounters();
        counters.Add(CounterNames.Requests, requests);
        counters.Add(CounterNames.CostMicros, costMicros);
        counters.Add(CounterNames.InputTokens, input);
        counters.Add(CounterNames.CacheReadTokens, cacheRead);
        return counters;
    }
}
