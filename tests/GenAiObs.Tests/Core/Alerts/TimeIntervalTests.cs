using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;
using Xunit;

namespace GenAiObs.Tests.Alerts;

/// <summary>Alertmanager's time intervals (https://prometheus.io/docs/alerting/latest/configuration/#time_interval).</summary>
public class TimeIntervalTests
{
    private static TimeInterval Interval(TimeIntervalRangeSpec spec) => TimeInterval.Build(spec, "test");

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 12, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(8, 59, false)]
    [InlineData(9, 0, true)]
    [InlineData(16, 59, true)]
    [InlineData(17, 0, false)]
    public void Times_ShouldIncludeTheStartAndExcludeTheEnd(int hour, int minute, bool expected)
    {
        var interval = Interval(new TimeIntervalRangeSpec { Times = [new("09:00", "17:00")] });

        Assert.Equal(expected, interval.Contains(Utc(2025, 3, 10, hour, minute)));
    }

    [Fact]
    public void Times_WhenEndIs2400_ShouldRunToMidnight()
    {
        var interval = Interval(new TimeIntervalRangeSpec { Times = [new("17:00", "24:00")] });

        Assert.True(interval.Contains(Utc(2025, 3, 10, 23, 59)));
        Assert.False(interval.Contains(Utc(2025, 3, 11, 0, 0)));
    }

    [Theory]
    [InlineData(9, false)]  // Sunday 2025-03-09
    [InlineData(10, true)]  // Monday
    [InlineData(14, true)]  // Friday
    [InlineData(15, true)]  // Saturday (listed on its own)
    public void Weekdays_ShouldAcceptRangesAndSingleDaysCaseInsensitively(int day, bool expected)
    {
        var interval = Interval(new TimeIntervalRangeSpec { Weekdays = ["Monday:FRIDAY", "saturday"] });

        Assert.Equal(expected, interval.Contains(Utc(2025, 3, day)));
    }

    [Theory]
    [InlineData(2025, 1, 31, true)]   // -1 is January 31
    [InlineData(2025, 1, 30, false)]
    [InlineData(2025, 2, 28, true)]   // -1 is February 28 in 2025
    [InlineData(2024, 2, 28, false)]  // but February 29 in 2024
    [InlineData(2024, 2, 29, true)]
    public void DaysOfMonth_WhenNegative_ShouldCountFromTheEndOfTheMonth(int year, int month, int day, bool expected)
    {
        var interval = Interval(new TimeIntervalRangeSpec { DaysOfMonth = ["-1"] });

        Assert.Equal(expected, interval.Contains(Utc(year, month, day)));
    }

    [Fact]
    public void DaysOfMonth_WhenRangePassesTheMonthsEnd_ShouldClampToIt()
    {
        var wholeMonth = Interval(new TimeIntervalRangeSpec { DaysOfMonth = ["1:31"] });
        var endOfMonth = Interval(new TimeIntervalRangeSpec { DaysOfMonth = ["30:31"] });
        var lastThree = Interval(new TimeIntervalRangeSpec { DaysOfMonth = ["-3:-1"] });

        Assert.True(wholeMonth.Contains(Utc(2025, 2, 28)));
        Assert.False(endOfMonth.Contains(Utc(2025, 2, 28)));
        Assert.True(endOfMonth.Contains(Utc(2025, 4, 30)));
        Assert.True(lastThree.Contains(Utc(2025, 2, 26)));
        Assert.False(lastThree.Contains(Utc(2025, 2, 25)));
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(5, true)]
    [InlineData(8, true)]
    [InlineData(12, true)]
    public void Months_ShouldAcceptNumbersNamesAndRanges(int month, bool expected)
    {
        var interval = Interval(new TimeIntervalRangeSpec { Months = ["1:2", "may:August", "december"] });

        Assert.Equal(expected, interval.Contains(Utc(2025, month, 1)));
    }

    [Theory]
    [InlineData(2019, false)]
    [InlineData(2020, true)]
    [InlineData(2022, true)]
    [InlineData(2030, true)]
    public void Years_ShouldAcceptRangesAndSingleYears(int year, bool expected)
    {
        var interval = Interval(new TimeIntervalRangeSpec { Years = ["2020:2022", "2030"] });

        Assert.Equal(expected, interval.Contains(Utc(year, 6, 1)));
    }

    [Fact]
    public void Location_ShouldEvaluateEveryFieldInThatTimeZone()
    {
        // 2025-03-10 08:30 UTC is 09:30 in Berlin (CET) on a Monday; 2025-03-09 23:30 UTC is already Monday in Sydney.
        var berlin = Interval(new TimeIntervalRangeSpec { Times = [new("09:00", "17:00")], Location = "Europe/Berlin" });
        var sydneyMondays = Interval(new TimeIntervalRangeSpec { Weekdays = ["monday"], Location = "Australia/Sydney" });

        Assert.True(berlin.Contains(Utc(2025, 3, 10, 8, 30)));
        Assert.False(berlin.Contains(Utc(2025, 3, 10, 16, 30)));
        Assert.True(sydneyMondays.Contains(Utc(2025, 3, 9, 23, 30)));
        Assert.False(sydneyMondays.Contains(Utc(2025, 3, 10, 14, 0)));
    }

    [Fact]
    public void Contains_WhenSeveralFieldsAreGiven_ShouldRequireAllOfThem()
    {
        var interval = Interval(new TimeIntervalRangeSpec { Times = [new("09:00", "17:00")], Weekdays = ["monday:friday"] });

        Assert.True(interval.Contains(Utc(2025, 3, 10, 10)));
        Assert.False(interval.Contains(Utc(2025, 3, 10, 18)));
        Assert.False(interval.Contains(Utc(2025, 3, 9, 10)));
    }

    [Fact]
    public void Contains_WhenNoFieldIsGiven_ShouldContainEveryInstant()
    {
        Assert.True(Interval(new TimeIntervalRangeSpec()).Contains(Utc(2025, 3, 10)));
    }

    [Theory]
    [InlineData("times", "both start and end times must be provided")]
    [InlineData("times-format", "couldn't parse timestamp")]
    [InlineData("times-order", "cannot be equal to or later than")]
    [InlineData("weekday-name", "'funday' is not valid")]
    [InlineData("weekday-order", "start day cannot be after end day")]
    [InlineData("day-zero", "0 is not a valid day of the month")]
    [InlineData("day-sign", "end day must be negative if start day is negative")]
    [InlineData("day-order", "end day 3 is always before start day 5")]
    [InlineData("month-order", "end month january is before start month march")]
    [InlineData("month-range", "months are 1 to 12")]
    [InlineData("year-order", "end year 2020 is before start year 2022")]
    [InlineData("range-format", "couldn't parse range")]
    [InlineData("location", "unknown time zone 'Mars/Olympus'")]
    public void Build_WhenAFieldIsInvalid_ShouldNameItAndSayWhy(string @case, string expected)
    {
        var spec = @case switch
        {
            "times" => new TimeIntervalRangeSpec { Times = [new("09:00", null)] },
            "times-format" => new TimeIntervalRangeSpec { Times = [new("9:00", "17:00")] },
            "times-order" => new TimeIntervalRangeSpec { Times = [new("17:00", "09:00")] },
            "weekday-name" => new TimeIntervalRangeSpec { Weekdays = ["funday"] },
            "weekday-order" => new TimeIntervalRangeSpec { Weekdays = ["friday:monday"] },
            "day-zero" => new TimeIntervalRangeSpec { DaysOfMonth = ["0"] },
            "day-sign" => new TimeIntervalRangeSpec { DaysOfMonth = ["-3:5"] },
            "day-order" => new TimeIntervalRangeSpec { DaysOfMonth = ["5:3"] },
            "month-order" => new TimeIntervalRangeSpec { Months = ["march:january"] },
            "month-range" => new TimeIntervalRangeSpec { Months = ["13"] },
            "year-order" => new TimeIntervalRangeSpec { Years = ["2022:2020"] },
            "range-format" => new TimeIntervalRangeSpec { Years = ["2020:2021:2022"] },
            _ => new TimeIntervalRangeSpec { Location = "Mars/Olympus" },
        };

        var error = Assert.Throws<RoutingConfigException>(() => TimeInterval.Build(spec, "GENAIOBS_ROUTING: time_intervals[0].time_intervals[0]"));

        Assert.StartsWith("GENAIOBS_ROUTING: time_intervals[0].time_intervals[0].", error.Setting, StringComparison.Ordinal);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WhenTimeIntervalsAreConfigured_ShouldReadEveryFieldFromYaml()
    {
        var tree = RoutingConfigParser.Parse("""
            route:
              receiver: default
              routes:
                - matchers: ['severity="warning"']
                  receiver: slack-ops
                  active_time_intervals: [business-hours]
                  mute_time_intervals: [holidays]
            time_intervals:
              - name: business-hours
                time_intervals:
                  - times: [{start_time: '09:00', end_time: '17:00'}]
                    weekdays: ['monday:friday']
                    location: Europe/Berlin
            mute_time_intervals:
              - name: holidays
                time_intervals:
                  - months: [december]
                    days_of_month: ['24:26', '-1']
                    years: ['2025:2030']
            """, "test");

        var route = tree.Root.Routes[0];

        Assert.Equal(["business-hours", "holidays"], tree.TimeIntervals.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["business-hours"], route.ActiveTimeIntervals);
        Assert.Equal(["holidays"], route.MuteTimeIntervals);
        Assert.Equal("Europe/Berlin", tree.TimeIntervals["business-hours"][0].Zone.Id);
        Assert.True(tree.TimeIntervals["holidays"][0].Contains(Utc(2025, 12, 31)));
        Assert.False(tree.TimeIntervals["holidays"][0].Contains(Utc(2025, 12, 30)));
    }
}
