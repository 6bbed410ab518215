namespace GenAiObs.Core.Statistics;

/// <summary>
/// Forecasts a month's total spend from its month-to-date daily costs with day-of-week
/// seasonality (classical multiplicative decomposition with a level and weekday indices, as in
/// Hyndman &amp; Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., §3.4):
/// <list type="number">
/// <item><b>Weekday factors</b> from the last up-to-<see cref="SeasonalityDays"/> complete days (this
/// month's and the previous month's): the mean cost of each weekday divided by the mean of the seven
/// weekday means, so the factors average to 1. With fewer than <see cref="MinSeasonalityDays"/> days
/// every factor is 1 (a flat daily mean).</item>
/// <item><b>Rate</b>: each complete day of this month divided by its weekday's factor is one
/// weekday-adjusted daily rate; the current rate is their mean. A weekday whose factor is 0 (no
/// spend on it in the history) says nothing about the rate and is left out.</item>
/// <item><b>Forecast</b> = month-to-date cost + rate × (the rest of today's factor, pro rata, plus the
/// factors of the remaining days of the month).</item>
/// <item><b>Range</b>: a 95 % prediction interval for the remaining spend, treating the adjusted rates as
/// independent draws: rate·F ± t(0.975, n−1) · s · √(Σw² + F²/n), with s the standard deviation of the
/// n adjusted rates, w the remaining days' weights and F their sum (the first term is the days' own
/// spread, the second the uncertainty of the mean rate). The remaining spend is never below 0; with a
/// single rate the range is the point forecast.</item>
/// <item><b>Crossing day</b>: the first day on which month-to-date cost plus the projected spend
/// (rate × factor per day) reaches the budget.</item>
/// </list>
/// Money stays in decimal; only the interval's spread uses double.
/// </summary>
public static class MonthEndForecaster
{
    /// <summary>How many complete days back the weekday factors look (four weeks: each weekday four times).</summary>
    public const int SeasonalityDays = 28;

    /// <summary>Below this many days of history there is no weekday pattern to estimate: the factors are flat.</summary>
    public const int MinSeasonalityDays = 7;

    /// <summary>Forecasts the month holding <paramref name="at"/>.</summary>
    /// <param name="dailyCosts">
    /// Costs of complete UTC days, oldest first, without gaps, the last one being the day before
    /// <paramref name="at"/>'s day. Only the last <see cref="SeasonalityDays"/> are used; pass them
    /// from the first day with data (days before it are unknown, not zero).
    /// </param>
    /// <param name="monthToDate">Cost from the start of the month to <paramref name="at"/> (today's partial day included).</param>
    /// <param name="at">The evaluation time (UTC).</param>
    /// <returns>The forecast, or null when this month has no complete day with a usable rate yet.</returns>
    public static MonthEndForecast? Forecast(IReadOnlyList<decimal> dailyCosts, decimal monthToDate, DateTimeOffset at)
    {
        at = at.ToUniversalTime();
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var monthEnd = monthStart.AddMonths(1).AddDays(-1);

        var historyCount = Math.Min(SeasonalityDays, dailyCosts.Count);
        var historyStart = dailyCosts.Count - historyCount;
        DateOnly DayOf(int index) => today.AddDays(index - dailyCosts.Count);

        var factors = WeekdayFactors(dailyCosts, historyStart, DayOf);
        var seasonal = historyCount >= MinSeasonalityDays;

        // This month's complete days, weekday-adjusted.
        var rates = new List<decimal>();
        for (var i = 0; i < dailyCosts.Count; i++)
        {
            var day = DayOf(i);
            if (day < monthStart)
            {
                continue;
            }

            var factor = factors[(int)day.DayOfWeek];
            if (factor > 0)
            {
                rates.Add(dailyCosts[i] / factor);
            }
        }

        if (rates.Count == 0)
        {
            return null;
        }

        var rate = rates.Sum() / rates.Count;

        // Remaining weights: the rest of today pro rata, then every later day of the month.
        var elapsed = (decimal)(at - new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)).Ticks / TimeSpan.TicksPerDay;
        var projection = new List<ProjectedDay>();
        for (var day = today; day <= monthEnd; day = day.AddDays(1))
        {
            var weight = factors[(int)day.DayOfWeek] * (day == today ? 1 - elapsed : 1);
            projection.Add(new ProjectedDay(day, weight, rate * weight));
        }

        var totalWeight = projection.Sum(day => day.Weight);
        var remaining = rate * totalWeight;
        var margin = 0m;
        if (rates.Count >= 2)
        {
            var mean = (double)rate;
            var spread = Math.Sqrt(rates.Sum(r => ((double)r - mean) * ((double)r - mean)) / (rates.Count - 1));
            var squaredWeights = projection.Sum(day => (double)day.Weight * (double)day.Weight);
            var width = StudentTDistribution.Quantile(0.975, rates.Count - 1) * spread
                * Math.Sqrt(squaredWeights + (double)totalWeight * (double)totalWeight / rates.Count);
            margin = (decimal)width;
        }

        return new MonthEndForecast(
            monthToDate,
            monthToDate + remaining,
            monthToDate + Math.Max(0, remaining - margin),
            monthToDate + remaining + margin,
            rate,
            factors,
            seasonal,
            historyCount,
            rates.Count,
            projection);
    }

    /// <summary>Per <see cref="DayOfWeek"/>: the weekday's mean cost over the mean of the seven weekday means; all 1 without enough history or spend.</summary>
    private static decimal[] WeekdayFactors(IReadOnlyList<decimal> dailyCosts, int historyStart, Func<int, DateOnly> dayOf)
    {
        var factors = new decimal[7];
        Array.Fill(factors, 1m);
        if (dailyCosts.Count - historyStart < MinSeasonalityDays)
        {
            return factors;
        }

        var sums = new decimal[7];
        var counts = new int[7];
        for (var i = historyStart; i < dailyCosts.Count; i++)
        {
            var weekday = (int)dayOf(i).DayOfWeek;
            sums[weekday] += dailyCosts[i];
            counts[weekday]++;
        }

        var means = new decimal[7];
        for (var weekday = 0; weekday < 7; weekday++)
        {
            means[weekday] = sums[weekday] / counts[weekday];
        }

        var level = means.Sum() / 7;
        if (level <= 0)
        {
            return factors;
        }

        for (var weekday = 0; weekday < 7; weekday++)
        {
            factors[weekday] = means[weekday] / level;
        }

        return factors;
    }
}
