using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Metrics;

/// <summary>Settings of <see cref="SpanMetricsBuilder"/>.</summary>
/// <param name="MaxDimensionValues">
/// Cardinality cap: per batch, at most this many distinct values of each of Service,
/// Environment, ModelId, ToolName and span-name family are published by name (the ones with the
/// most spans); the rest are published as <c>other</c>. Every distinct value is a billed custom metric.
/// </param>
/// <param name="DefaultEnvironment">The Environment dimension for spans whose resource names none (else <c>unknown</c>).</param>
/// <param name="PipelineServiceName">
/// The pipeline's own name (<c>POWERTOOLS_SERVICE_NAME</c>): the <c>Service</c> of RejectedRecords,
/// which belong to no instrumented service — the same dimension sets the invocation-log function uses.
/// </param>
public sealed record SpanMetricsOptions(
    int MaxDimensionValues = SpanMetricsOptions.DefaultMaxDimensionValues,
    string? DefaultEnvironment = null,
    string PipelineServiceName = SpanMetricsOptions.DefaultPipelineServiceName)
{
    public const int DefaultMaxDimensionValues = 20;
    public const string DefaultPipelineServiceName = "genai-observability";
}

/// <summary>
/// Turns the spans of one batch into metric data points: agent, model-call and tool counts,
/// latencies and token usage, component latency by span family, finish reasons, sessions, and the
/// span-priced model cost (published as <c>AgentModelCostUsd</c>, never added to the invocation-log
/// <c>CostUsd</c>, so dashboards cannot double count). Pure: the EMF serializer writes the batch.
/// <para>
/// <c>Service</c> and <c>Environment</c> are the instrumented application's (resource
/// <c>service.name</c>, <c>deployment.environment.name</c>), not this pipeline's; only
/// RejectedRecords, which belongs to no span, carries the pipeline's own service name. Every
/// capped dimension keeps its top N values by span count per batch and folds the rest into
/// <c>other</c>. Error counters are written as 0 beside their totals so alarms see 0, not
/// missing data. See <see cref="SpanMetricNames.Catalogue"/> for the exact dimension sets.
/// </para>
/// </summary>
public sealed class SpanMetricsBuilder
{
    /// <summary>The value a capped-out dimension value is published under.</summary>
    public const string OtherValue = "other";

    /// <summary>The value of Service, Environment, ModelId or ToolName when the span does not say.</summary>
    public const string UnknownValue = "unknown";

    public const string ServiceDimension = "Service";
    public const string EnvironmentDimension = "Environment";
    public const string ModelDimension = "ModelId";
    public const string ToolDimension = "ToolName";
    public const string ComponentDimension = "Component";
    public const string FinishReasonDimension = "FinishReason";
    public const string ReasonDimension = "Reason";

    private const string OtherPrefix = "other:";

    // EMF dimension values are strings of at most 1024 characters.
    private const int MaxDimensionValueLength = 1024;

    private readonly int _maxDimensionValues;
    private readonly string? _defaultEnvironment;
    private readonly string _pipelineService;

    public SpanMetricsBuilder(SpanMetricsOptions? options = null)
    {
        options ??= new SpanMetricsOptions();
        _pipelineService = Clean(options.PipelineServiceName);
        _maxDimensionValues = Math.Max(1, options.MaxDimensionValues);
        _defaultEnvironment = string.IsNullOrWhiteSpace(options.DefaultEnvironment) ? null : options.DefaultEnvironment;
    }

    /// <summary>The pipeline's own service name: the <c>Service</c> of RejectedRecords and of the quality documents.</summary>
    public string PipelineServiceName => _pipelineService;

    /// <summary>Builds the metrics of one processed delivery: its spans and every rejection (envelope and record).</summary>
    /// <param name="result">The batch processor's result.</param>
    /// <param name="fallbackTimestampMs">Event time for rejections (they carry none): normally the invocation time.</param>
    public MetricBatch Build(BatchResult result, long fallbackTimestampMs) =>
        Build(result.Spans, result.Rejections, fallbackTimestampMs);

    /// <summary>Builds the metrics of one batch.</summary>
    /// <param name="spans">The accepted, priced spans.</param>
    /// <param name="rejections">The batch's rejections (counted in <c>RejectedRecords</c> by <c>Reason</c>).</param>
    /// <param name="fallbackTimestampMs">Event time for data points without one of their own (rejections).</param>
    public MetricBatch Build(IReadOnlyList<PricedSpan> spans, IReadOnlyList<Rejection> rejections, long fallbackTimestampMs)
    {
        var batch = new MetricBatch();
        AddTo(batch, spans, rejections, fallbackTimestampMs);
        return batch;
    }

    /// <summary>Adds the metrics of one batch to <paramref name="batch"/>.</summary>
    public void AddTo(MetricBatch batch, IReadOnlyList<PricedSpan> spans, IReadOnlyList<Rejection> rejections, long fallbackTimestampMs)
    {
        var caps = new Caps(spans, _maxDimensionValues, _defaultEnvironment);
        var sessions = new Dictionary<(DimensionSet Dimensions, string SessionId), SessionTally>();

        foreach (var priced in spans)
        {
            var span = priced.Span;
            var timestampMs = span.End.ToUnixTimeMilliseconds();
            var service = caps.Service(span);
            var environment = caps.Environment(span);
            var root = batch.Dimensions(ServiceDimension, service, EnvironmentDimension, environment);

            switch (span.Class)
            {
                case SpanClass.Agent:
                    var agent = Attributed(batch, root, priced);
                    batch.AddCount(agent, SpanMetricNames.AgentInvocations, 1, timestampMs);
                    batch.AddCount(agent, SpanMetricNames.AgentErrors, span.IsError ? 1 : 0, timestampMs);
                    break;
                case SpanClass.ModelCall:
                    AddModelCall(batch, priced, root, caps.Model(span), timestampMs, service, environment);
                    break;
                case SpanClass.Tool:
                    var byTool = Attributed(batch, batch.Dimensions(ServiceDimension, service, EnvironmentDimension, environment, ToolDimension, caps.Tool(span)), priced);
                    foreach (var dimensions in (ReadOnlySpan<DimensionSet>)[root, byTool])
                    {
                        batch.AddCount(dimensions, SpanMetricNames.ToolCalls, 1, timestampMs);
                        batch.AddCount(dimensions, SpanMetricNames.ToolErrors, span.ToolFailed ? 1 : 0, timestampMs);
                    }

                    batch.AddObservation(byTool, SpanMetricNames.ToolLatency, span.DurationMs, timestampMs);
                    break;
                case SpanClass.Other:
                default:
                    break;
            }

            var byComponent = batch.Dimensions(ServiceDimension, service, EnvironmentDimension, environment, ComponentDimension, caps.Component(span));
            batch.AddObservation(byComponent, SpanMetricNames.ComponentLatency, span.DurationMs, timestampMs);

            if (span.SessionId is not null)
            {
                var key = (root, span.SessionId);
                if (!sessions.TryGetValue(key, out var tally))
                {
                    tally = new SessionTally();
                    sessions[key] = tally;
                }

                tally.LastEndMs = Math.Max(tally.LastEndMs, timestampMs);
                if (span.Class == SpanClass.ModelCall)
                {
                    tally.ModelCalls++;
                }
            }
        }

        // One value per session seen in the batch, at the time of its last span here.
        foreach (var ((dimensions, _), tally) in sessions)
        {
            batch.AddCount(dimensions, SpanMetricNames.Sessions, 1, tally.LastEndMs);
            batch.AddObservation(dimensions, SpanMetricNames.ModelCallsPerSession, tally.ModelCalls, tally.LastEndMs, MetricUnit.Count);
        }

        // Rejections have no span (so no instrumented service): they are the pipeline's own, under
        // [Service] (0 when none, so alarms see 0 rather than missing data) and [Service, Reason].
        batch.AddCount(batch.Dimensions(ServiceDimension, _pipelineService), SpanMetricNames.RejectedRecords, 0, fallbackTimestampMs);
        foreach (var rejection in rejections)
        {
            var count = Math.Max(rejection.Count, 1);
            batch.AddCount(batch.Dimensions(ServiceDimension, _pipelineService), SpanMetricNames.RejectedRecords, count, fallbackTimestampMs);
            batch.AddCount(batch.Dimensions(ServiceDimension, _pipelineService, ReasonDimension, rejection.Reason), SpanMetricNames.RejectedRecords, count, fallbackTimestampMs);
        }
    }

    private static void AddModelCall(MetricBatch batch, PricedSpan priced, DimensionSet root, string model, long timestampMs, string service, string environment)
    {
        var span = priced.Span;
        var byModel = Attributed(batch, batch.Dimensions(ServiceDimension, service, EnvironmentDimension, environment, ModelDimension, model), priced);
        foreach (var dimensions in (ReadOnlySpan<DimensionSet>)[root, byModel])
        {
            batch.AddCount(dimensions, SpanMetricNames.ModelCalls, 1, timestampMs);
            batch.AddCount(dimensions, SpanMetricNames.ModelCallErrors, span.IsError ? 1 : 0, timestampMs);
            batch.AddCount(dimensions, SpanMetricNames.SpanInputTokens, span.InputTokens, timestampMs);
            batch.AddCount(dimensions, SpanMetricNames.SpanOutputTokens, span.OutputTokens, timestampMs);
            batch.AddCount(dimensions, SpanMetricNames.SpanCacheReadTokens, span.CacheReadTokens, timestampMs);
            batch.AddCount(dimensions, SpanMetricNames.SpanCacheWriteTokens, span.CacheWriteTokens, timestampMs);
            batch.AddCount(dimensions, SpanMetricNames.AgentModelCostUsd, (double)priced.CostUsd, timestampMs, MetricUnit.None);
            batch.AddCount(dimensions, SpanMetricNames.UnpricedModelCalls, priced.Unpriced ? 1 : 0, timestampMs);
        }

        batch.AddObservation(byModel, SpanMetricNames.ModelCallLatency, span.DurationMs, timestampMs);

        // Finish reasons are counted on model-call spans only: agent spans repeat their last call's.
        foreach (var reason in span.FinishReasons)
        {
            var byReason = batch.Dimensions(ServiceDimension, service, EnvironmentDimension, environment, FinishReasonDimension, reason);
            batch.AddCount(byReason, SpanMetricNames.FinishReasonCount, 1, timestampMs);
        }
    }

    /// <summary>
    /// The span's own group (agent: <c>[Service, Environment]</c>; model call: <c>… ModelId</c>; tool:
    /// <c>… ToolName</c>) with its attribution properties: the feature, variant and prompt template of
    /// its span or resource attributes, and in central ingestion the delivery's account and Region.
    /// Properties split documents, never metrics (<see cref="SpanMetricNames.AttributionProperties"/>);
    /// an untagged span of a direct delivery stays in the plain group.
    /// </summary>
    private static DimensionSet Attributed(MetricBatch batch, DimensionSet dimensions, PricedSpan priced)
    {
        var tags = priced.Span.Dimensions;
        if (tags is null && priced.Origin is null)
        {
            return dimensions;
        }

        return batch.WithProperties(
            dimensions,
            [
                (MetricDimensions.Feature, tags?.Feature),
                (MetricDimensions.Variant, tags?.Variant),
                (MetricDimensions.PromptTemplate, tags?.Template),
                (MetricDimensions.Account, priced.Origin?.AccountId),
                (MetricDimensions.Region, priced.Origin?.Region),
            ]);
    }

    /// <summary>
    /// The name family of an "other" span: the first word of its name (<c>POST</c>,
    /// <c>AgentExecutor.workflow</c>), taken from <see cref="SpanComponents"/> so the
    /// ComponentLatency dimension and the stored aggregates name components the same way. Only
    /// called for spans of class Other.
    /// </summary>
    private static string OtherFamily(SpanRecord span) => SpanComponents.Of(span)[OtherPrefix.Length..];

    private static string Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return UnknownValue;
        }

        return value.Length <= MaxDimensionValueLength ? value : value[..MaxDimensionValueLength];
    }

    private sealed class SessionTally
    {
        public long LastEndMs { get; set; } = long.MinValue;
        public int ModelCalls { get; set; }
    }

    /// <summary>Per-batch top-N sets for each capped dimension.</summary>
    private sealed class Caps
    {
        private readonly HashSet<string> _services;
        private readonly HashSet<string> _environments;
        private readonly HashSet<string> _models;
        private readonly HashSet<string> _tools;
        private readonly HashSet<string> _families;
        private readonly string? _defaultEnvironment;

        public Caps(IReadOnlyList<PricedSpan> spans, int max, string? defaultEnvironment)
        {
            _defaultEnvironment = defaultEnvironment;
            _services = Top(spans.Select(s => Clean(s.Span.ServiceName)), max);
            _environments = Top(spans.Select(s => EnvironmentOf(s.Span)), max);
            _models = Top(spans.Where(s => s.Span.Class == SpanClass.ModelCall).Select(s => Clean(s.Span.Model)), max);
            _tools = Top(spans.Where(s => s.Span.Class == SpanClass.Tool).Select(s => Clean(s.Span.ToolName)), max);
            _families = Top(spans.Where(s => s.Span.Class == SpanClass.Other).Select(s => Clean(OtherFamily(s.Span))), max);
        }

        public string Service(SpanRecord span) => Keep(_services, Clean(span.ServiceName));

        public string Environment(SpanRecord span) => Keep(_environments, EnvironmentOf(span));

        public string Model(SpanRecord span) => Keep(_models, Clean(span.Model));

        public string Tool(SpanRecord span) => Keep(_tools, Clean(span.ToolName));

        public string Component(SpanRecord span) => span.Class switch
        {
            SpanClass.Agent => "agent",
            SpanClass.ModelCall => Clean("model:" + Model(span)),
            SpanClass.Tool => Clean("tool:" + Tool(span)),
            _ => Clean(OtherPrefix + Keep(_families, Clean(OtherFamily(span)))),
        };

        private string EnvironmentOf(SpanRecord span) =>
            Clean(string.IsNullOrWhiteSpace(span.Environment) ? _defaultEnvironment : span.Environment);

        private static string Keep(HashSet<string> kept, string value) => kept.Contains(value) ? value : OtherValue;

        // Ties are broken by ordinal name so the same batch always yields the same set.
        private static HashSet<string> Top(IEnumerable<string> values, int max) =>
            values.GroupBy(v => v, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(max)
                .Select(g => g.Key)
                .ToHashSet(StringComparer.Ordinal);
    }
}
