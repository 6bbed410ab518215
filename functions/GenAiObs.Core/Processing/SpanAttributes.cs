namespace GenAiObs.Core.Processing;

/// <summary>One OpenTelemetry attribute the span parser reads.</summary>
/// <param name="Key">The attribute key as exporters write it.</param>
/// <param name="Field">What it feeds.</param>
/// <param name="Value">How its value is read.</param>
/// <param name="Precedence">0 for the preferred key of <paramref name="Field"/>; a present key with a lower number wins over a higher one, whatever their order in the span.</param>
/// <param name="OnResource">True when it is read from <c>resource.attributes</c> rather than the span's own <c>attributes</c>.</param>
public sealed record SpanAttribute(string Key, SpanAttributeField Field, SpanAttributeValue Value, int Precedence, bool OnResource = false);

/// <summary>
/// The one table of the OpenTelemetry attributes <see cref="SpanParser"/> reads: name, key and
/// precedence. Current OpenTelemetry GenAI semantic-convention names come first
/// (https://github.com/open-telemetry/semantic-conventions-genai), then the older or
/// framework-specific spellings still seen in <c>aws/spans</c>. Every other attribute — message
/// and prompt contents among them — is skipped unread.
/// </summary>
public static class SpanAttributes
{
    public static IReadOnlyList<SpanAttribute> All { get; } =
    [
        new("gen_ai.operation.name", SpanAttributeField.OperationName, SpanAttributeValue.Identity, 0),
        new("gen_ai.provider.name", SpanAttributeField.Provider, SpanAttributeValue.Identity, 0),
        // Deprecated for gen_ai.provider.name (semantic conventions 1.37).
        new("gen_ai.system", SpanAttributeField.Provider, SpanAttributeValue.Identity, 1),
        new("gen_ai.request.model", SpanAttributeField.Model, SpanAttributeValue.Identity, 0),
        new("gen_ai.response.model", SpanAttributeField.Model, SpanAttributeValue.Identity, 1),
        new("gen_ai.usage.input_tokens", SpanAttributeField.InputTokens, SpanAttributeValue.Count, 0),
        new("gen_ai.usage.prompt_tokens", SpanAttributeField.InputTokens, SpanAttributeValue.Count, 1),
        new("gen_ai.usage.output_tokens", SpanAttributeField.OutputTokens, SpanAttributeValue.Count, 0),
        new("gen_ai.usage.completion_tokens", SpanAttributeField.OutputTokens, SpanAttributeValue.Count, 1),
        new("gen_ai.usage.cache_read.input_tokens", SpanAttributeField.CacheReadTokens, SpanAttributeValue.Count, 0),
        new("gen_ai.usage.cache_read_input_tokens", SpanAttributeField.CacheReadTokens, SpanAttributeValue.Count, 1),
        new("gen_ai.usage.cache_creation.input_tokens", SpanAttributeField.CacheWriteTokens, SpanAttributeValue.Count, 0),
        new("gen_ai.usage.cache_creation_input_tokens", SpanAttributeField.CacheWriteTokens, SpanAttributeValue.Count, 1),
        // Strands Agents' spelling.
        new("gen_ai.usage.cache_write_input_tokens", SpanAttributeField.CacheWriteTokens, SpanAttributeValue.Count, 2),
        new("gen_ai.response.finish_reasons", SpanAttributeField.FinishReasons, SpanAttributeValue.FinishReasons, 0),
        new("gen_ai.tool.name", SpanAttributeField.ToolName, SpanAttributeValue.Identity, 0),
        new("gen_ai.tool.status", SpanAttributeField.ToolStatus, SpanAttributeValue.ToolStatus, 0),
        new("gen_ai.agent.name", SpanAttributeField.AgentName, SpanAttributeValue.Identity, 0),
        new("session.id", SpanAttributeField.SessionId, SpanAttributeValue.Identity, 0),
        new("error.type", SpanAttributeField.ErrorType, SpanAttributeValue.Identity, 0),
        new("service.name", SpanAttributeField.ServiceName, SpanAttributeValue.Identity, 0, OnResource: true),
        new("deployment.environment.name", SpanAttributeField.Environment, SpanAttributeValue.Identity, 0, OnResource: true),
        // Renamed to deployment.environment.name in semantic conventions 1.27
        // (https://opentelemetry.io/docs/specs/semconv/registry/attributes/deployment/).
        new("deployment.environment", SpanAttributeField.Environment, SpanAttributeValue.Identity, 1, OnResource: true),
    ];
}
