using System.Globalization;
using System.Text;

namespace GenAiObs.Core.Statistics;

/// <summary>
/// Turns an A/B comparison into one plain sentence such as
/// "B is 18 % cheaper, satisfaction unchanged, p = 0.41". The wording is a contract (reports and
/// alerts quote it), so it is fixed here:
/// <list type="bullet">
/// <item>Clauses follow the order of the metrics, joined by ", ".</item>
/// <item>A tested metric with p ≥ <see cref="SignificanceLevel"/>, or equal values, reads "{label} unchanged".</item>
/// <item>Otherwise the difference is relative to A, (B − A)/|A|, in per cent: whole numbers from 10 %, two
/// significant digits below ("3.5 %", "0.42 %"). A metric with comparatives reads "{B} is 18 % cheaper" (the arm
/// is named at the first such clause only: "B is 18 % cheaper, 30 % slower"); one without reads
/// "{label} 12 % higher" / "lower". When A is 0 there is no percentage: "B is more expensive", "{label} higher".</item>
/// <item>A tested metric's clause ends with ", p = 0.41": two significant digits, "p &lt; 0.0001" below that.</item>
/// </list>
/// </summary>
public static class ComparisonVerdict
{
    /// <summary>A difference with p at or above this is reported as "unchanged".</summary>
    public const double SignificanceLevel = 0.05;

    /// <summary>p-values below this are written "p &lt; 0.0001".</summary>
    public const double SmallestReportedP = 0.0001;

    /// <summary>The verdict on arm <paramref name="armB"/> against arm A over <paramref name="metrics"/>.</summary>
    /// <exception cref="ArgumentException">No metrics, or a value is not finite.</exception>
    public static string Describe(string armB, IReadOnlyList<MetricComparison> metrics)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(armB);
        if (metrics.Count == 0)
        {
            throw new ArgumentException("A verdict needs at least one metric.", nameof(metrics));
        }

        var text = new StringBuilder();
        var armNamed = false;
        foreach (var metric in metrics)
        {
            if (!double.IsFinite(metric.ValueA) || !double.IsFinite(metric.ValueB))
            {
                throw new ArgumentException($"The values of '{metric.Label}' must be finite.", nameof(metrics));
            }

            if (text.Length > 0)
            {
                text.Append(", ");
            }

            AppendClause(text, armB, metric, ref armNamed);
            if (metric.PValue is { } p)
            {
                text.Append(", ").Append(FormatP(p));
            }
        }

        return text.ToString();
    }

    /// <summary>"p = 0.41", "p = 0.0032", "p = 1.0", or "p &lt; 0.0001".</summary>
    public static string FormatP(double p)
    {
        if (double.IsNaN(p))
        {
            return "p = n/a";
        }

        return p < SmallestReportedP ? "p < 0.0001" : "p = " + FormatSignificant(Math.Min(p, 1), 2);
    }

    /// <summary>The magnitude of a percentage as the verdict writes it: "18", "3.5", "0.42".</summary>
    public static string FormatPercent(double percent)
    {
        var magnitude = Math.Abs(percent);
        return magnitude >= 9.5
            ? Math.Round(magnitude, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture)
            : FormatSignificant(magnitude, 2);
    }

    private static void AppendClause(StringBuilder text, string armB, MetricComparison metric, ref bool armNamed)
    {
        var hasComparatives = metric.LowerAdjective is not null && metric.HigherAdjective is not null;
        var unchanged = metric.ValueA == metric.ValueB || metric.PValue is >= SignificanceLevel || metric.PValue is double.NaN;
        if (unchanged)
        {
            text.Append(metric.Label).Append(" unchanged");
            return;
        }

        var higher = metric.ValueB > metric.ValueA;
        var percent = metric.ValueA == 0 ? (string?)null : FormatPercent((metric.ValueB - metric.ValueA) / Math.Abs(metric.ValueA) * 100) + " % ";
        if (hasComparatives)
        {
            if (!armNamed)
            {
                text.Append(armB).Append(" is ");
                armNamed = true;
            }

            text.Append(percent).Append(higher ? metric.HigherAdjective : metric.LowerAdjective);
        }
        else
        {
            text.Append(metric.Label).Append(' ').Append(percent).Append(higher ? "higher" : "lower");
        }
    }

    /// <summary>A non-negative value rounded to <paramref name="digits"/> significant digits, trailing zeros kept ("0.40").</summary>
    private static string FormatSignificant(double value, int digits)
    {
        if (value == 0)
        {
            return "0";
        }

        var rounded = RoundSignificant(value, digits);
        var decimals = Math.Max(0, digits - 1 - (int)Math.Floor(Math.Log10(rounded)));
        return rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static double RoundSignificant(double value, int digits)
    {
        var scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(value)));
        return Math.Round(value * scale, MidpointRounding.AwayFromZero) / scale;
    }
}
