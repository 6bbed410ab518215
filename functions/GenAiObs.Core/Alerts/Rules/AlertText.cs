using System.Globalization;
using System.Text;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>Invariant number formatting for alert text.</summary>
public static class AlertText
{
    public static string Usd(decimal amount) =>
        "$" + decimal.Round(amount, 2, MidpointRounding.AwayFromZero).ToString("#,0.00", CultureInfo.InvariantCulture);

    public static string Percent(double share) =>
        (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Percent(decimal share) => Percent((double)share);

    /// <summary><c>15m</c>, <c>2h</c>, <c>7d</c>: the largest unit that divides the span.</summary>
    public static string Window(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerDay == 0 ? ((long)window.TotalDays).ToString(CultureInfo.InvariantCulture) + "d"
        : window.Ticks % TimeSpan.TicksPerHour == 0 ? ((long)window.TotalHours).ToString(CultureInfo.InvariantCulture) + "h"
        : ((long)window.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary>A ratio as a percentage with one decimal, e.g. <c>12.5%</c>.</summary>
    public static string Ratio(double numerator, double denominator) =>
        denominator > 0 ? Percent(numerator / denominator) : "n/a";

    public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Milliseconds(double ms) => ms.ToString("#,0", CultureInfo.InvariantCulture) + " ms";

    public static string Amount(decimal amount, string unit) => unit switch
    {
        "usd" => Usd(amount),
        _ => decimal.Round(amount, 0, MidpointRounding.AwayFromZero).ToString("#,0", CultureInfo.InvariantCulture) + " " + unit,
    };

    /// <summary>A threshold or amount as written in the settings (<c>5</c>, <c>10000</c>, <c>2.5</c>).</summary>
    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Joins non-empty lines for a description.</summary>
    public static string Lines(IEnumerable<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            if (string.IsNullOrEmpty(line))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(line);
        }

        return builder.ToString();
    }
}
