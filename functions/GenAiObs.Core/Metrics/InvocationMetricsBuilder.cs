using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Metrics;

/// <summary>The invocation-log metric names (CloudWatch namespace from <c>POWERTOOLS_METRICS_NAMESPACE</c>).</summary>
public static class InvocationMetricNames
{
    public const string Invocations = "Invocations";
    public const string InvocationErrors = "InvocationErrors";
    public const string Throttles = "Throttles";
    public const string InputTokens = "InputTokens";
    public const string OutputTokens = "OutputTokens";
    public const string CacheReadTokens = "CacheReadTokens";
    public const string CacheWriteTokens = "CacheWriteTokens";
    public const string CostUsd = "CostUsd";

    /// <summary>Uncached input tokens' share of <see cref="CostUsd"/> (USD).</summary>
    public const string InputCostUsd = "InputCostUsd";

    /// <summary>Output tokens' share of <see cref="CostUsd"/> (USD).</summary>
    public const string OutputCostUsd = "OutputCostUsd";

    /// <summary>Cache reads' share of <see cref="CostUsd"/> (USD).</summary>
    public const string CacheReadCostUsd = "CacheReadCostUsd";

    /// <summary>Cache writes' share of <see cref="CostUsd"/> (USD).</summary>
    public const string CacheWriteCostUsd = "CacheWriteCostUsd";

    /// <summary>What cache reads saved against paying the input price for those tokens (USD; not part of CostUsd).</summary>
    public const string CacheSavingsUsd = "CacheSavingsUsd";
    public const string InvocationLatency = "InvocationLatency";
    public const string TimeToFirstToken = "TimeToFirstToken";
    public const string Completions = "Completions";
    public const string Truncations = "Truncations";
    public const string StopReasonCount = "StopReasonCount";
    public const string UnpricedInvocations = "UnpricedInvocations";
    public const string RejectedRecords = "RejectedRecords";

    private static readonly string[] Total = [MetricDimensions.Service];
    private static readonly string[] ByModel = [MetricDimensions.Service, MetricDimensions.ModelId];
    private static readonly string[][] Attribution =
    [
        [MetricDimensions.Service, MetricDimensions.Principal],
        [MetricDimensions.Service, MetricDimensions.Team],
        [MetricDimensions.Service, MetricDimensions.Application],
        [MetricDimensions.Service, MetricDimensions.Environment],
    ];

    private static readonly string[] ByRegion = [MetricDimensions.Service, MetricDimensions.ModelId, MetricDimensions.InferenceRegion];

    /// <summary>
    /// Every metric <see cref="InvocationMetricsBuilder"/> publishes → its dimension sets (dimension
    /// names in EMF order). Dashboards and alarms are checked against this; a test checks it
    /// against what the builder emits. Principal, Team, Application and Environment sets appear
    /// only for records that carry them (Principal only when <c>GENAIOBS_MAX_PRINCIPALS</c> &gt; 0).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>> Catalogue { get; } =
        new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>(StringComparer.Ordinal)
        {
            [Invocations] = [Total, ByModel, .. Attribution, ByRegion],
            [InvocationErrors] = [Total, ByModel, .. Attribution],
            [InputTokens] = [Total, ByModel, .. Attribution],
            [OutputTokens] = [Total, ByModel, .. Attribution],
            [CostUsd] = [Total, ByModel, .. Attribution],
            [InputCostUsd] = [Total, ByModel],
            [OutputCostUsd] = [Total, ByModel],
            [CacheReadCostUsd] = [Total, ByModel],
            [CacheWriteCostUsd] = [Total, ByModel],
            [CacheSavingsUsd] = [Total, ByModel],
            [Throttles] = [Total, ByModel],
            [CacheReadTokens] = [Total, ByModel],
            [CacheWriteTokens] = [Total, ByModel],
            [Completions] = [Total, ByModel],
            [Truncations] = [Total, ByModel],
            [UnpricedInvocations] = [Total, ByModel],
            [InvocationLatency] = [Total, ByModel, ByRegion],
            [TimeToFirstToken] = [Total, ByModel, ByRegion],
            [StopReasonCount] = [[MetricDimensions.Service, MetricDimensions.StopReason], [MetricDimensions.Service, MetricDimensions.ModelId, MetricDimensions.StopReason]],
            [RejectedRecords] = [Total, [MetricDimensions.Service, MetricDimensions.Reason]],
        };
}

/// <summary>The dimension names the metric builders use.</summary>
public static class MetricDimensions
{
    public const string Service = "Service";
    public const string ModelId = "ModelId";
    public const string Principal = "Principal";
    public const string StopReason = "StopReason";
    public const string InferenceRegion = "InferenceRegion";
    public const string Team = "Team";
    public const string Application = "Application";
    public const string Environment = "Environment";
    public const string Reason = "Reason";

    /// <summary>The value standing for every principal (or team, application) outside the per-batch top N.</summary>
    public const string Other = "other";
}

/// <summary>Options of <see cref="InvocationMetricsBuilder"/> (from the function settings).</summary>
/// <param name="ServiceName">The <c>Service</c> dimension value (<c>POWERTOOLS_SERVICE_NAME</c>).</param>
/// <param name="MaxPrincipals">
/// <c>GENAIOBS_MAX_PRINCIPALS</c>: how many principals (and, separately, teams, applications and
/// environments taken from requestMetadata) keep their own dimension value per batch, ranked by cost; the rest
/// are published as <c>other</c>. 0 turns the principal dimension set off (teams, applications and
/// environments then keep their top 1).
/// </param>
/// <param name="Environment"><c>GENAIOBS_ENVIRONMENT</c>: the environment of records whose requestMetadata names none.</param>
/// <param name="Limits">Top values kept per batch for teams, applications and environments (<see cref="CardinalityLimits"/>; default <see cref="CardinalityLimits.Default"/>).</param>
public sealed record InvocationMetricsOptions(string ServiceName, int MaxPrincipals = 20, string? Environment = null, CardinalityLimits? Limits = null);

/// <summary>
/// Turns one batch of priced invocation records and rejections into CloudWatch metrics. A pure
/// function of its inputs. Dimension sets, each chosen for a question the dashboards and alarms ask:
/// <list type="bullet">
/// <item><c>[Service]</c> — totals: every metric, plus RejectedRecords (0 when none).</item>
/// <item><c>[Service, ModelId]</c> — every invocation metric, by model as logged. Both carry the cost split
/// (InputCostUsd, OutputCostUsd, CacheReadCostUsd, CacheWriteCostUsd — together CostUsd) and CacheSavingsUsd.</item>
/// <item><c>[Service, Principal]</c> — who spends: Invocations, InvocationErrors, tokens, CostUsd; top N principals by batch cost, the rest <c>other</c>.</item>
/// <item><c>[Service, StopReason]</c> and <c>[Service, ModelId, StopReason]</c> — StopReasonCount of successful calls.</item>
/// <item><c>[Service, ModelId, InferenceRegion]</c> — Invocations, InvocationLatency, TimeToFirstToken when the region is logged (cross-region inference).</item>
/// <item><c>[Service, Team]</c>, <c>[Service, Application]</c>, <c>[Service, Environment]</c> — Invocations, InvocationErrors, tokens, CostUsd, when known from requestMetadata (keys team/application/environment, any case) or, for Environment, <c>GENAIOBS_ENVIRONMENT</c>.</item>
/// <item><c>[Service, Reason]</c> — RejectedRecords by reject reason.</item>
/// </list>
/// Counters of the totals and by-model sets are written even when zero so alarms see 0, not missing data.
/// Latency and time to first token are raw values of successful calls (percentiles need raw, non-negative values).
/// </summary>
public static class InvocationMetricsBuilder
{
    private const string TeamKey = "team";
    private const string ApplicationKey = "application";
    private const string EnvironmentKey = "environment";

    /// <summary>Builds the metrics of one processed delivery (its invocations and rejections).</summary>
    public static MetricBatch Build(BatchResult result, InvocationMetricsOptions options, long batchTimestampMs)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Build(result.Invocations, result.Rejections, options, batchTimestampMs);
    }

    /// <summary>Builds the metrics of one batch; rejections are stamped with <paramref name="batchTimestampMs"/> (they have no event time).</summary>
    public static MetricBatch Build(
        IReadOnlyList<PricedInvocation> invocations,
        IReadOnlyList<Rejection> rejections,
        InvocationMetricsOptions options,
        long batchTimestampMs)
    {
        ArgumentNullException.ThrowIfNull(invocations);
        ArgumentNullException.ThrowIfNull(rejections);
        ArgumentNullException.ThrowIfNull(options);

        var batch = new MetricBatch();
        var total = batch.Dimensions(MetricDimensions.Service, options.ServiceName);

        var principals = TopByCost(invocations, i => i.Record.Principal, options.MaxPrincipals);
        var limits = options.Limits ?? CardinalityLimits.Default;
        var teams = TopByCost(invocations, i => Metadata(i.Record, TeamKey), limits.Team);
        var applications = TopByCost(invocations, i => Metadata(i.Record, ApplicationKey), limits.Application);
        var defaultEnvironment = Clean(options.Environment);
        var environments = TopByCost(invocations, i => Metadata(i.Record, EnvironmentKey) ?? defaultEnvironment, limits.Environment);

        foreach (var invocation in invocations)
        {
            var record = invocation.Record;
            var time = record.Timestamp.ToUnixTimeMilliseconds();

            AddFull(batch, total, invocation, time);
            AddFull(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.ModelId, record.ModelId), invocation, time);

            if (options.MaxPrincipals > 0)
            {
                var principal = principals.Contains(record.Principal) ? record.Principal : MetricDimensions.Other;
                AddUsage(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Principal, principal), invocation, time);
            }

            if (Metadata(record, TeamKey) is { } team)
            {
                AddUsage(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Team, teams.Contains(team) ? team : MetricDimensions.Other), invocation, time);
            }

            if (Metadata(record, ApplicationKey) is { } application)
            {
                AddUsage(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Application, applications.Contains(application) ? application : MetricDimensions.Other), invocation, time);
            }

            if ((Metadata(record, EnvironmentKey) ?? defaultEnvironment) is { } environment)
            {
                AddUsage(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Environment, environments.Contains(environment) ? environment : MetricDimensions.Other), invocation, time);
            }

            if (!record.IsError)
            {
                var reason = string.IsNullOrEmpty(record.StopReason) ? StopReasons.Unknown : record.StopReason;
                batch.AddCount(batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.StopReason, reason), InvocationMetricNames.StopReasonCount, 1, time);
                batch.AddCount(batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.ModelId, record.ModelId, MetricDimensions.StopReason, reason), InvocationMetricNames.StopReasonCount, 1, time);
            }

            if (Clean(record.InferenceRegion) is { } region)
            {
                var byRegion = batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.ModelId, record.ModelId, MetricDimensions.InferenceRegion, region);
                batch.AddCount(byRegion, InvocationMetricNames.Invocations, 1, time);
                AddLatencies(batch, byRegion, record, time);
            }
        }

        // RejectedRecords is always published at the service level, so an alarm on it sees 0.
        batch.AddCount(total, InvocationMetricNames.RejectedRecords, 0, batchTimestampMs);
        foreach (var rejection in rejections)
        {
            var count = Math.Max(rejection.Count, 1);
            batch.AddCount(total, InvocationMetricNames.RejectedRecords, count, batchTimestampMs);
            batch.AddCount(batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Reason, rejection.Reason), InvocationMetricNames.RejectedRecords, count, batchTimestampMs);
        }

        return batch;
    }

    /// <summary>Every invocation metric (totals and by-model sets).</summary>
    private static void AddFull(MetricBatch batch, DimensionSet dimensions, PricedInvocation invocation, long time)
    {
        var record = invocation.Record;
        AddUsage(batch, dimensions, invocation, time);
        batch.AddCount(dimensions, InvocationMetricNames.Throttles, record.IsThrottle ? 1 : 0, time);
        batch.AddCount(dimensions, InvocationMetricNames.CacheReadTokens, record.CacheReadTokens, time);
        batch.AddCount(dimensions, InvocationMetricNames.CacheWriteTokens, record.CacheWriteTokens, time);
        batch.AddCount(dimensions, InvocationMetricNames.Completions, !record.IsError && StopReasons.IsCompletion(record.StopReason) ? 1 : 0, time);
        batch.AddCount(dimensions, InvocationMetricNames.Truncations, !record.IsError && StopReasons.IsTruncation(record.StopReason) ? 1 : 0, time);
        batch.AddCount(dimensions, InvocationMetricNames.UnpricedInvocations, !record.IsError && invocation.Unpriced ? 1 : 0, time);
        var parts = invocation.Breakdown;
        batch.AddCount(dimensions, InvocationMetricNames.InputCostUsd, (double)parts.InputUsd, time, MetricUnit.None);
        batch.AddCount(dimensions, InvocationMetricNames.OutputCostUsd, (double)parts.OutputUsd, time, MetricUnit.None);
        batch.AddCount(dimensions, InvocationMetricNames.CacheReadCostUsd, (double)parts.CacheReadUsd, time, MetricUnit.None);
        batch.AddCount(dimensions, InvocationMetricNames.CacheWriteCostUsd, (double)parts.CacheWriteUsd, time, MetricUnit.None);
        batch.AddCount(dimensions, InvocationMetricNames.CacheSavingsUsd, (double)parts.CacheSavingsUsd, time, MetricUnit.None);
        AddLatencies(batch, dimensions, record, time);
    }

    /// <summary>The usage and spend metrics every attribution set carries.</summary>
    private static void AddUsage(MetricBatch batch, DimensionSet dimensions, PricedInvocation invocation, long time)
    {
        var record = invocation.Record;
        batch.AddCount(dimensions, InvocationMetricNames.Invocations, 1, time);
        batch.AddCount(dimensions, InvocationMetricNames.InvocationErrors, record.IsError ? 1 : 0, time);
        batch.AddCount(dimensions, InvocationMetricNames.InputTokens, record.InputTokens, time);
        batch.AddCount(dimensions, InvocationMetricNames.OutputTokens, record.OutputTokens, time);
        batch.AddCount(dimensions, InvocationMetricNames.CostUsd, (double)invocation.CostUsd, time, MetricUnit.None);
    }

    private static void AddLatencies(MetricBatch batch, DimensionSet dimensions, InvocationRecord record, long time)
    {
        if (record.IsError)
        {
            return;
        }

        if (record.LatencyMs is { } latency && double.IsFinite(latency) && latency >= 0)
        {
            batch.AddObservation(dimensions, InvocationMetricNames.InvocationLatency, latency, time);
        }

        if (record.TimeToFirstTokenMs is { } ttft && double.IsFinite(ttft) && ttft >= 0)
        {
            batch.AddObservation(dimensions, InvocationMetricNames.TimeToFirstToken, ttft, time);
        }
    }

    /// <summary>
    /// The values of <paramref name="key"/> that keep their own dimension value: the top
    /// <paramref name="limit"/> by cost in this batch (ties: more invocations first, then name),
    /// so the billed metric count stays bounded whatever the callers do.
    /// </summary>
    private static HashSet<string> TopByCost(IReadOnlyList<PricedInvocation> invocations, Func<PricedInvocation, string?> key, int limit)
    {
        var ranking = new TopValues();
        foreach (var invocation in invocations)
        {
            if (key(invocation) is { } value)
            {
                ranking.Add(value, invocation.CostUsd);
            }
        }

        return ranking.Keep(Math.Max(limit, 0));
    }

    private static string? Metadata(InvocationRecord record, string key)
    {
        if (record.RequestMetadata is not { Count: > 0 } metadata)
        {
            return null;
        }

        if (metadata.TryGetValue(key, out var exact))
        {
            return Clean(exact);
        }

        foreach (var (name, value) in metadata)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return Clean(value);
            }
        }

        return null;
    }

    /// <summary>CloudWatch rejects empty dimension values: blank means unknown.</summary>
    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
