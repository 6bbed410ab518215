using System.Text.Json;

namespace GenAiObs.Tests.Store;

/// <summary>Reads the evaluator function's JSON response in the deferred-mode function tests.</summary>
internal static class EvaluatorResponse
{
    /// <summary>The names of the rules the run reported firing, in ordinal order.</summary>
    public static List<string> Firing(byte[] response)
    {
        using var json = JsonDocument.Parse(response);
        return [.. json.RootElement.GetProperty("firing").EnumerateArray().Select(rule => rule.GetString()!).Order(StringComparer.Ordinal)];
    }
}
