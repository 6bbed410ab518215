namespace GenAiObs.Core.Records;

/// <summary>How a span is classified (see the span parser for the rules).</summary>
public enum SpanClass
{
    Other = 0,
    Agent,
    ModelCall,
    Tool,
}
