using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Decides what a span stands for. <c>gen_ai.operation.name</c> decides when present
/// (<c>invoke_agent</c>/<c>create_agent</c> → agent, <c>execute_tool</c> → tool,
/// <c>chat</c>/<c>text_completion</c>/<c>generate_content</c>/<c>embeddings</c> → model call, any
/// other value → other). Without it: the span-name prefix (<c>invoke_agent </c>,
/// <c>execute_tool </c>, <c>chat </c>), then <c>gen_ai.tool.name</c> → tool,
/// <c>gen_ai.agent.name</c> → agent, a request/response model with token usage → model call;
/// everything else is other.
/// </summary>
/// <remarks>
/// An unrecognised operation name (for example Strands' <c>invoke_swarm</c>) deliberately does not
/// fall through to the attribute rules: such spans wrap agent or model spans of their own, and
/// counting them again would double agent invocations.
/// </remarks>
public static class SpanClassifier
{
    /// <summary>Classifies a span from the attributes that matter for it.</summary>
    /// <param name="operationName"><c>gen_ai.operation.name</c>, or null when absent.</param>
    /// <param name="spanName">The span name.</param>
    /// <param name="toolName"><c>gen_ai.tool.name</c>, or null.</param>
    /// <param name="agentName"><c>gen_ai.agent.name</c>, or null.</param>
    /// <param name="hasModel">True when <c>gen_ai.request.model</c> or <c>gen_ai.response.model</c> is present.</param>
    /// <param name="hasTokenUsage">True when an input or output token count is present (any spelling).</param>
    public static SpanClass Classify(string? operationName, string spanName, string? toolName, string? agentName, bool hasModel, bool hasTokenUsage)
    {
        if (operationName is not null)
        {
            return operationName switch
            {
                "invoke_agent" or "create_agent" => SpanClass.Agent,
                "execute_tool" => SpanClass.Tool,
                "chat" or "text_completion" or "generate_content" or "embeddings" => SpanClass.ModelCall,
                _ => SpanClass.Other,
            };
        }

        if (spanName.StartsWith("invoke_agent ", StringComparison.Ordinal))
        {
            return SpanClass.Agent;
        }

        if (spanName.StartsWith("execute_tool ", StringComparison.Ordinal))
        {
            return SpanClass.Tool;
        }

        if (spanName.StartsWith("chat ", StringComparison.Ordinal))
        {
            return SpanClass.ModelCall;
        }

        if (toolName is not null)
        {
            return SpanClass.Tool;
        }

        if (agentName is not null)
        {
            return SpanClass.Agent;
        }

        return hasModel && hasTokenUsage ? SpanClass.ModelCall : SpanClass.Other;
    }
}
