using GenAiObs.Core.Records;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// The component a span's latency is attributed to (the DevOps dashboard's
/// component latency breakdown), named like the ComponentLatency metric's Component dimension: <c>agent</c>,
/// <c>model:&lt;model&gt;</c>, <c>tool:&lt;tool&gt;</c>, else <c>other:&lt;first word of the span name&gt;</c>
/// (HTTP method, RPC system …), so free-form names with ids do not explode the key space.
/// </summary>
public static class SpanComponents
{
    private const int MaxLength = 64;

    public static string Of(SpanRecord span) => span.Class switch
    {
        SpanClass.Agent => "agent",
        SpanClass.ModelCall => "model:" + OrUnknown(span.Model),
        SpanClass.Tool => "tool:" + OrUnknown(span.ToolName),
        _ => "other:" + FirstWord(span.Name),
    };

    /// <summary>The name used for a missing model, tool or session (as the summaries and metrics use it).</summary>
    public const string Unknown = "unknown";

    public static string OrUnknown(string? value) => string.IsNullOrWhiteSpace(value) ? Unknown : value;

    private static string FirstWord(string name)
    {
        var trimmed = name.AsSpan().Trim();
        var end = trimmed.IndexOfAny(' ', '\t');
        var word = end < 0 ? trimmed : trimmed[..end];
        if (word.Length == 0)
        {
            return Unknown;
        }

        return word.Length > MaxLength ? word[..MaxLength].ToString() : word.ToString();
    }
}
