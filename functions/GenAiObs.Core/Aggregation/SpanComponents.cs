using GenAiObs.Core.Records;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The component a span's latency is attributed to (the seed's "component performance
/// breakdown"): the class for classified spans, else the first word of the span name (HTTP
/// method, RPC system …), so free-form names with ids do not explode the key space.
/// </summary>
public static class SpanComponents
{
    private const int MaxLength = 64;

    public static string Of(SpanRecord span) => span.Class switch
    {
        SpanClass.Agent => "agent",
        SpanClass.ModelCall => "model_call",
        SpanClass.Tool => "tool",
        _ => "other:" + FirstWord(span.Name),
    };

    private static string FirstWord(string name)
    {
        var trimmed = name.AsSpan().Trim();
        var end = trimmed.IndexOfAny(' ', '/');
        var word = end < 0 ? trimmed : trimmed[..end];
        if (word.Length == 0)
        {
            return "unnamed";
        }

        return word.Length > MaxLength ? word[..MaxLength].ToString() : word.ToString();
    }
}
