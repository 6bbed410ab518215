namespace GenAiObs.Core.Processing;

/// <summary>How <see cref="SpanParser"/> reads an attribute's value.</summary>
public enum SpanAttributeValue
{
    /// <summary>A string of at most <see cref="SpanParser.MaxIdentityBytes"/> bytes (an id, a name, a model).</summary>
    Identity,

    /// <summary>A token count: a non-negative integer (JSON number or string) up to <see cref="SpanParser.MaxTokenCount"/>.</summary>
    Count,

    /// <summary>An array of finish reasons (or one string, or the array's JSON text), normalised.</summary>
    FinishReasons,

    /// <summary>A tool status: <c>error</c> or <c>failure</c> marks the tool call failed.</summary>
    ToolStatus,
}
