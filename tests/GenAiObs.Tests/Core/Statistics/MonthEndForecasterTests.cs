using GenAiObs.Core.Statistics;
using Xunit;

namespace GenAiObs.Tests.Core.Statistics;

public sealed class MonthEndForecasterTests
{
    /// <summary>November 2026 starts on a Sunday: 21 weekdays and 9 weekend days.</summary>
    private static readonly DateOnly November = new(2026, 11, 1);

    private static decimal Weekly(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 10m : 50m;

    /// <summary>The pattern's cost for every complete day from <paramref name="first"/> to the day before <paramref name="today"/>.</summary>
    private static List<decimal> Costs(DateOnly first, DateOnly today, Func<DateOnly, decimal> cost)
    {
        var costs = new List<decimal>();
        for (var day = first; day < today; day = day.AddDays(1))
        {
            costs.Add(cost(day));
        }

        return costs;
    }

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(18)]
    [InlineData(29)]
    public void Forecast_ForAMonthThatRepeatsItsWeek_ShouldBeExactlyTheMonthsTotal(int dayOfMonth)
    {
        // Arrange: weekdays cost $50 and weekends $10 since October; a weekday-aware forecast of such a month is
        // its actual total, 21 × 50 + 9 × 10 = $1,140, whichever day it is made on.
        var today = November.AddDays(dayOfMonth - 1);
        var costs = Costs(new DateOnly(2026, 10, 1), today, Weekly);
        var monthToDate = Costs(November, today, Weekly).Sum();

        // Act
        var forecast = MonthEndForecaster.Forecast(costs, monthToDate, Midnight(today))!;

        // Assert
        Assert.True(forecast.Seasonal);
        Assert.Equal(MonthEndForecaster.SeasonalityDays, forecast.HistoryDays);
        Assert.Equal(1_140m, decimal.Round(forecast.Forecast, 6));
        Assert.Equal(forecast.Forecast, forecast.Low);
        Assert.Equal(forecast.Forecast, forecast.High);

        // The weekday factors: 50 and 10 over the mean of the weekday means, (5 × 50 + 2 × 10) / 7.
        Assert.Equal(50m * 7 / 270, decimal.Round(forecast.WeekdayFactors[(int)DayOfWeek.Monday], 20), 20);
        Assert.Equal(10m * 7 / 270, decimal.Round(forecast.WeekdayFactors[(int)DayOfWeek.Sunday], 20), 20);
    }

    [Fact]
    public void Forecast_ShouldNameTheDayTheBudgetIsCrossedAtTheCurrentRate()
    {
        // Arrange: the first day on which the month's cumulative pattern reaches $1,000, walked day by day.
        var today = November.AddDays(6);
        var expected = November;
        for (var total = Weekly(expected); total < 1_000m; total += Weekly(expected))
        {
            expected = expected.AddDays(1);
        }

        // Act
        var forecast = MonthEndForecaster.Forecast(Costs(new DateOnly(2026, 10, 1), today, Weekly), Costs(November, today, Weekly).Sum(), Midnight(today))!;

        // Assert
        Assert.Equal(new DateOnly(2026, 11, 26), expected);
        Assert.Equal(expected, forecast.CrossingDay(1_000m));
        Assert.Null(forecast.CrossingDay(1_200m));
    }

    [Fact]
    public void Forecast_WithFewerThanSevenDaysOfHistory_ShouldUseAFlatMeanAndATPredictionInterval()
    {
        // Arrange: the system started on 1 November; four days at 30, 50, 30, 50. Flat rate 40, s = √(400/3);
        // 26 days remain (weights 1), so the interval is 26·40 ± t(0.975, 3) · s · √(26 + 26²/4), with
        // t(0.975, 3) = 3.182446305 from the t table.
        decimal[] costs = [30m, 50m, 30m, 50m];
        var spread = Math.Sqrt(400.0 / 3);
        var margin = 3.182446305284263 * spread * Math.Sqrt(26 + 26.0 * 26 / 4);

        // Act
        var forecast = MonthEndForecaster.Forecast(costs, 160m, Midnight(November.AddDays(4)))!;

        // Assert
        Assert.False(forecast.Seasonal);
        Assert.Equal(4, forecast.RateDays);
        Assert.Equal(40m, forecast.DailyRate);
        Assert.Equal(160m + 26 * 40m, forecast.Forecast);
        Assert.Equal((double)(160m + 26 * 40m) - margin, (double)forecast.Low, 1e-6);
        Assert.Equal((double)(160m + 26 * 40m) + margin, (double)forecast.High, 1e-6);
    }

    [Fact]
    public void Forecast_PartWayThroughADay_ShouldCountTheRestOfTodayProRata()
    {
        // Arrange: flat history of $24 a day; at 18:00 on 5 November a quarter of today remains, then 25 days.
        decimal[] costs = [24m, 24m, 24m, 24m];
        var at = Midnight(November.AddDays(4)).AddHours(18);

        // Act
        var forecast = MonthEndForecaster.Forecast(costs, 96m + 20m, at)!;

        // Assert
        Assert.Equal(116m + 24m * (0.25m + 25), forecast.Forecast);
        Assert.Equal(forecast.Forecast, forecast.High);
    }

    [Fact]
    public void Forecast_WithHistoryButNoCompleteDayThisMonth_ShouldReturnNull()
    {
        Assert.Null(MonthEndForecaster.Forecast(Costs(new DateOnly(2026, 10, 20), November, Weekly), 0m, Midnight(November)));
        Assert.Null(MonthEndForecaster.Forecast([], 0m, Midnight(November.AddDays(3))));
    }

    [Fact]
    public void Forecast_WhenAWeekdayNeverSpends_ShouldLeaveItOutOfTheRate()
    {
        // Arrange: no spend on weekends at all; weekdays $30. Factor 0 for weekends, 7/5 for weekdays; the rate is
        // the weekday-adjusted 30 / (7/5) = 150/7 and the forecast the month's real total, 21 × 30 = $630.
        static decimal WeekdaysOnly(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0m : 30m;
        var today = November.AddDays(10);

        // Act
        var forecast = MonthEndForecaster.Forecast(Costs(new DateOnly(2026, 10, 1), today, WeekdaysOnly), Costs(November, today, WeekdaysOnly).Sum(), Midnight(today))!;

        // Assert
        Assert.Equal(0m, forecast.WeekdayFactors[(int)DayOfWeek.Saturday]);
        Assert.Equal(7, forecast.RateDays);
        Assert.Equal(630m, decimal.Round(forecast.Forecast, 6));
    }
}
