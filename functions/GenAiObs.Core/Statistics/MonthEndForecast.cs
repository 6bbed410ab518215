namespace GenAiObs.Core.Statistics;

/// <summary>One day of a <see cref="MonthEndForecast"/>'s projection.</summary>
/// <param name="Day">The UTC day.</param>
/// <param name="Weight">Its weekday factor (today: times the part of the day still to come).</param>
/// <param name="Spend">The projected spend: rate × weight.</param>
public readonly record struct ProjectedDay(DateOnly Day, decimal Weight, decimal Spend);

/// <summary>The outcome of <see cref="MonthEndForecaster.Forecast"/> (amounts in USD).</summary>
/// <param name="MonthToDate">Spend so far this month.</param>
/// <param name="Forecast">The forecast month-end spend.</param>
/// <param name="Low">Lower end of the 95 % range.</param>
/// <param name="High">Upper end of the 95 % range.</param>
/// <param name="DailyRate">The current weekday-adjusted daily rate.</param>
/// <param name="WeekdayFactors">The weekday factors, indexed by <see cref="DayOfWeek"/>.</param>
/// <param name="Seasonal">False when the history was too short for weekday factors (all 1).</param>
/// <param name="HistoryDays">Complete days the weekday factors were estimated from.</param>
/// <param name="RateDays">Complete days of this month the rate was estimated from.</param>
/// <param name="Projection">Today (its remaining part) and every later day of the month.</param>
public sealed record MonthEndForecast(
    decimal MonthToDate,
    decimal Forecast,
    decimal Low,
    decimal High,
    decimal DailyRate,
    IReadOnlyList<decimal> WeekdayFactors,
    bool Seasonal,
    int HistoryDays,
    int RateDays,
    IReadOnlyList<ProjectedDay> Projection)
{
    /// <summary>The first day on which spend at the current rate reaches <paramref name="budget"/>; null when it does not this month.</summary>
    public DateOnly? CrossingDay(decimal budget)
    {
        var cumulative = MonthToDate;
        foreach (var day in Projection)
        {
            cumulative += day.Spend;
            if (cumulative >= budget)
            {
                return day.Day;
            }
        }

        return null;
    }
}
