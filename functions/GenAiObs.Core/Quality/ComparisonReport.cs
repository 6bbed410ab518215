using System.Text.Json;

namespace GenAiObs.Core.Quality;

/// <summary>Writes <see cref="ArmComparison"/>s as the <c>"comparisons"</c> array of <c>replay --json</c> and <c>report --json --compare variant</c>.</summary>
public static class ComparisonReport
{
    /// <summary>
    /// <c>"comparisons":[{"feature","armA","armB","requestsA","requestsB",
    /// "&lt;metric&gt;":{"a","b","difference","pValue","test","countA","countB"}…,"verdict"}]</c>.
    /// </summary>
    public static void WriteMember(Utf8JsonWriter writer, IReadOnlyList<ArmComparison> comparisons)
    {
        writer.WriteStartArray("comparisons");
        foreach (var comparison in comparisons)
        {
            writer.WriteStartObject();
            writer.WriteString("feature", comparison.Feature);
            writer.WriteString("armA", comparison.ArmA);
            writer.WriteString("armB", comparison.ArmB);
            writer.WriteNumber("requestsA", comparison.RequestsA);
            writer.WriteNumber("requestsB", comparison.RequestsB);
            foreach (var metric in comparison.Metrics)
            {
                writer.WriteStartObject(metric.Name);
                writer.WriteNumber("a", Round(metric.ValueA));
                writer.WriteNumber("b", Round(metric.ValueB));
                writer.WriteNumber("difference", Round(metric.Difference));
                writer.WriteNumber("pValue", Round(metric.PValue));
                writer.WriteString("test", metric.Test);
                writer.WriteNumber("countA", metric.CountA);
                writer.WriteNumber("countB", metric.CountB);
                writer.WriteEndObject();
            }

            writer.WriteString("verdict", comparison.Verdict);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>One line per comparison for text reports: <c>feature: B vs A — verdict</c>.</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<ArmComparison> comparisons) =>
        comparisons.Select(c => $"{c.Feature}: {c.ArmB} vs {c.ArmA} ({c.RequestsB:N0} vs {c.RequestsA:N0} requests) — {c.Verdict}");

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 9, MidpointRounding.ToEven) : 0;
}
