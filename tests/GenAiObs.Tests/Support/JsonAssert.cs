using System.Text.Json;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// Structural JSON equality: same members (any order), numbers compared by value; <c>costUsd</c>
/// members may differ by <paramref name="costTolerance"/> (stored cost rounds each record to a
/// micro-dollar before summing; a summary that sums unrounded decimals can differ by ½ µ$ per record).
/// </summary>
internal static class JsonAssert
{
    public static void Equivalent(JsonElement expected, JsonElement actual, decimal costTolerance = 0, string path = "$")
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} vs {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedNames = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualNames = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                Assert.True(expectedNames.SequenceEqual(actualNames), $"{path}: members [{string.Join(",", expectedNames)}] vs [{string.Join(",", actualNames)}]");
                foreach (var property in expected.EnumerateObject())
                {
                    Equivalent(property.Value, actual.GetProperty(property.Name), costTolerance, path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                foreach (var (e, a, i) in expected.EnumerateArray().Zip(actual.EnumerateArray()).Select((pair, i) => (pair.First, pair.Second, i)))
                {
                    Equivalent(e, a, costTolerance, $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                var tolerance = path.EndsWith(".costUsd", StringComparison.Ordinal) ? costTolerance : 0;
                Assert.True(Math.Abs(expected.GetDecimal() - actual.GetDecimal()) <= tolerance, $"{path}: {expected} vs {actual}");
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
            default:
                break;
        }
    }
}
