using System.Globalization;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// One validated <c>time_interval_spec</c> with Alertmanager's semantics
/// (https://prometheus.io/docs/alerting/latest/configuration/#time_interval): an instant is
/// inside when, in the interval's time zone, it matches every given field — a time of day in
/// [start, end), a weekday, a day of the month (negative days count from the month's end and
/// ranges are clamped to the month), a month and a year, each range inclusive.
/// </summary>
public sealed class TimeInterval
{
    private static readonly string[] WeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    private readonly IReadOnlyList<(int Start, int End)>? _minutes;
    private readonly IReadOnlyList<(int Begin, int End)>? _weekdays;
    private readonly IReadOnlyList<(int Begin, int End)>? _daysOfMonth;
    private readonly IReadOnlyList<(int Begin, int End)>? _months;
    private readonly IReadOnlyList<(int Begin, int End)>? _years;

    private TimeInterval(
        IReadOnlyList<(int, int)>? minutes,
        IReadOnlyList<(int, int)>? weekdays,
        IReadOnlyList<(int, int)>? daysOfMonth,
        IReadOnlyList<(int, int)>? months,
        IReadOnlyList<(int, int)>? years,
        TimeZoneInfo zone)
    {
        _minutes = minutes;
        _weekdays = weekdays;
        _daysOfMonth = daysOfMonth;
        _months = months;
        _years = years;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>Validates one <c>time_interval_spec</c>; <paramref name="setting"/> prefixes every error (e.g. <c>GENAIOBS_ROUTING: time_intervals[0].time_intervals[1]</c>).</summary>
    /// <exception cref="RoutingConfigException">A field is invalid; the setting names it.</exception>
    public static TimeInterval Build(TimeIntervalRangeSpec spec, string setting)
    {
        var minutes = spec.Times?.Select((time, i) => TimeRange(time, $"{setting}.times[{i}]")).ToList();
        var weekdays = spec.Weekdays?.Select(text => Range(text, $"{setting}.weekdays", Weekday, ValidateWeekdays)).ToList();
        var days = spec.DaysOfMonth?.Select(text => Range(text, $"{setting}.days_of_month", Number, ValidateDaysOfMonth)).ToList();
        var months = spec.Months?.Select(text => Range(text, $"{setting}.months", Month, ValidateMonths)).ToList();
        var years = spec.Years?.Select(text => Range(text, $"{setting}.years", Number, ValidateYears)).ToList();
        var zone = FindZone(spec.Location, $"{setting}.location");
        return new TimeInterval(minutes, weekdays, days, months, years, zone);
    }

    /// <summary>Whether <paramref name="instant"/> is inside the interval.</summary>
    public bool Contains(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        if (_minutes is not null)
        {
            var minute = (local.Hour * 60) + local.Minute;
            if (!_minutes.Any(range => minute >= range.Start && minute < range.End))
            {
                return false;
            }
        }

        if (_daysOfMonth is not null && !_daysOfMonth.Any(range => InDayOfMonthRange(range, local)))
        {
            return false;
        }

        if (_months is not null && !InAny(_months, local.Month))
        {
            return false;
        }

        if (_weekdays is not null && !InAny(_weekdays, (int)local.DayOfWeek))
        {
            return false;
        }

        return _years is null || InAny(_years, local.Year);
    }

    private static bool InAny(IReadOnlyList<(int Begin, int End)> ranges, int value) =>
        ranges.Any(range => value >= range.Begin && value <= range.End);

    private static bool InDayOfMonthRange((int Begin, int End) range, DateTimeOffset local)
    {
        var daysInMonth = DateTime.DaysInMonth(local.Year, local.Month);
        var begin = range.Begin < 0 ? daysInMonth + range.Begin + 1 : range.Begin;
        var end = range.End < 0 ? daysInMonth + range.End + 1 : range.End;
        if (begin > daysInMonth)
        {
            // The range starts after this month's last day (e.g. 30:31 in February).
            return false;
        }

        // Clamp to the month, so 1:31 in February ends on its last day.
        end = Math.Min(end, daysInMonth);
        return local.Day >= begin && local.Day <= end;
    }

    private static (int Start, int End) TimeRange(TimeOfDaySpec time, string setting)
    {
        if (string.IsNullOrEmpty(time.StartTime) || string.IsNullOrEmpty(time.EndTime))
        {
            throw new RoutingConfigException(setting, "both start and end times must be provided");
        }

        var start = MinuteOfDay(time.StartTime, setting);
        var end = MinuteOfDay(time.EndTime, setting);
        if (start >= end)
        {
            throw new RoutingConfigException(setting, $"start time {time.StartTime} cannot be equal to or later than end time {time.EndTime}");
        }

        return (start, end);
    }

    /// <summary><c>HH:MM</c> from 00:00 to 23:59, or <c>24:00</c>.</summary>
    private static int MinuteOfDay(string text, string setting)
    {
        var valid = text.Length == 5 && text[2] == ':'
            && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[3]) && char.IsAsciiDigit(text[4]);
        var hours = valid ? ((text[0] - '0') * 10) + (text[1] - '0') : -1;
        var minutes = valid ? ((text[3] - '0') * 10) + (text[4] - '0') : -1;
        if (!valid || minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
        {
            throw new RoutingConfigException(setting, $"couldn't parse timestamp '{text}', invalid format (expected HH:MM, 00:00 to 24:00)");
        }

        return (hours * 60) + minutes;
    }

    private static (int Begin, int End) Range(string text, string setting, Func<string, int?> member, Func<int, int, string?> validate)
    {
        var lower = text.ToLowerInvariant();
        var parts = lower.Split(':');
        if (parts.Length > 2)
        {
            throw new RoutingConfigException(setting, $"couldn't parse range '{text}', invalid format");
        }

        var begin = member(parts[0]) ?? throw new RoutingConfigException(setting, $"'{parts[0]}' is not valid here (in '{text}')");
        var end = parts.Length == 2 ? member(parts[1]) ?? throw new RoutingConfigException(setting, $"'{parts[1]}' is not valid here (in '{text}')") : begin;
        if (validate(begin, end) is { } problem)
        {
            throw new RoutingConfigException(setting, $"'{text}': {problem}");
        }

        return (begin, end);
    }

    private static int? Number(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static int? Weekday(string text)
    {
        var index = Array.IndexOf(WeekdayNames, text);
        return index < 0 ? null : index;
    }

    private static int? Month(string text)
    {
        var index = Array.IndexOf(MonthNames, text);
        return index >= 0 ? index + 1 : Number(text);
    }

    private static string? ValidateWeekdays(int begin, int end) =>
        begin > end ? "start day cannot be after end day (the week runs sunday to saturday)" : null;

    private static string? ValidateDaysOfMonth(int begin, int end)
    {
        if (begin == 0 || begin < -31 || begin > 31)
        {
            return $"{begin} is not a valid day of the month: out of range";
        }

        if (end == 0 || end < -31 || end > 31)
        {
            return $"{end} is not a valid day of the month: out of range";
        }

        if (begin < 0 && end > 0)
        {
            return "end day must be negative if start day is negative";
        }

        // Months differ in length; with the shortest (28 days) a negative index is 28 + n.
        var checkBegin = begin < 0 ? 28 + begin : begin;
        var checkEnd = end < 0 ? 28 + end : end;
        return checkBegin > checkEnd ? $"end day {end} is always before start day {begin}" : null;
    }

    private static string? ValidateMonths(int begin, int end)
    {
        if (begin is < 1 or > 12 || end is < 1 or > 12)
        {
            return "months are 1 to 12 (or january to december)";
        }

        return begin > end ? $"end month {MonthNames[end - 1]} is before start month {MonthNames[begin - 1]}" : null;
    }

    private static string? ValidateYears(int begin, int end)
    {
        if (begin < 1 || end < 1)
        {
            return "years must be positive";
        }

        return begin > end ? $"end year {end} is before start year {begin}" : null;
    }

    private static TimeZoneInfo FindZone(string? location, string setting)
    {
        if (string.IsNullOrEmpty(location) || location == "UTC")
        {
            return TimeZoneInfo.Utc;
        }

        if (location == "Local")
        {
            return TimeZoneInfo.Local;
        }

        try
        {
            // IANA names are read from the system's time zone database (tzdata).
            return TimeZoneInfo.FindSystemTimeZoneById(location);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new RoutingConfigException(setting, $"unknown time zone '{location}' (expected an IANA name such as Europe/Berlin, UTC or Local)");
        }
    }
}
