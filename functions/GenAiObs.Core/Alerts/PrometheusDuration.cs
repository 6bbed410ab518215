using System.Globalization;
using System.Text;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// Durations in the Prometheus/Alertmanager syntax: units in the fixed order
/// y (365d), w, d, h, m, s, ms, each at most once, e.g. <c>30s</c>, <c>5m</c>, <c>1h30m</c>, or <c>0</c>.
/// </summary>
public static class PrometheusDuration
{
    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("y", TimeSpan.FromDays(365)),
        ("w", TimeSpan.FromDays(7)),
        ("d", TimeSpan.FromDays(1)),
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        var position = 0;
        var nextUnit = 0;
        long totalMs = 0;
        while (position < text.Length)
        {
            var digitsStart = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == digitsStart || position - digitsStart > 12)
            {
                return false;
            }

            var number = long.Parse(text.AsSpan(digitsStart, position - digitsStart), NumberStyles.None, CultureInfo.InvariantCulture);
            var unitIndex = -1;
            // "ms" must be tried before "m" at the same position.
            if (position + 1 < text.Length && text[position] == 'm' && text[position + 1] == 's')
            {
                unitIndex = 6;
                position += 2;
            }
            else if (position < text.Length)
            {
                for (var i = 0; i < 6; i++)
                {
                    if (text[position] == Units[i].Unit[0])
                    {
                        unitIndex = i;
                        break;
                    }
                }

                position++;
            }

            if (unitIndex < nextUnit)
            {
                return false; // missing, unknown, repeated or out-of-order unit
            }

            nextUnit = unitIndex + 1;
            try
            {
                totalMs = checked(totalMs + (number * (long)Units[unitIndex].Size.TotalMilliseconds));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        if (totalMs > (long)TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>
    /// Formats as Prometheus does (prometheus/common model.Duration.String): largest units first
    /// (90 minutes → <c>1h30m</c>), years and weeks only when they divide the rest exactly
    /// (90 days → <c>90d</c>, not <c>12w6d</c>), zero as <c>0s</c>.
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var remaining = (long)duration.TotalMilliseconds;
        var builder = new StringBuilder();
        foreach (var (unit, size) in Units)
        {
            var sizeMs = (long)size.TotalMilliseconds;
            var exactOnly = unit is "y" or "w";
            if (remaining >= sizeMs && (!exactOnly || remaining % sizeMs == 0))
            {
                builder.Append((remaining / sizeMs).ToString(CultureInfo.InvariantCulture)).Append(unit);
                remaining %= sizeMs;
            }
        }

        return builder.ToString();
    }
}
