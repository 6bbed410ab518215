using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Metrics;

/// <summary>Options of <see cref="InvocationMetricsBuilder"/> (from the function settings).</summary>
/// <param name="ServiceName">The <c>Service</c> dimension value (<c>POWERTOOLS_SERVICE_NAME</c>).</param>
/// <param name="MaxPrincipals">
/// <c>GENAIOBS_MAX_PRINCIPALS</c>: not used by the metrics any more — principals are never a
/// dimension; they are EMF properties of the attribution documents (and keys of the DynamoDB
/// aggregates, capped there by <see cref="CardinalityLimits.Principal"/>).
/// </param>
/// <param name="Environment"><c>GENAIOBS_ENVIRONMENT</c>: the environment of records whose requestMetadata names none.</param>
/// <param name="Limits">Top values kept per batch for teams, applications and environments (<see cref="CardinalityLimits"/>; default <see cref="CardinalityLimits.Default"/>).</param>
public sealed record InvocationMetricsOptions(string ServiceName, int MaxPrincipals = 20, string? Environment = null, CardinalityLimits? Limits = null);

/// <summary>
/// Turns one batch of priced invocation records and rejections into CloudWatch metrics. A pure
/// function of its inputs. The custom-metric count depends only on bounded values (models as
/// logged, stop reasons, reject reasons and the capped team/application/environment), never on
/// principals or sessions:
/// <list type="bullet">
/// <item><c>[Service]</c> — totals (see <see cref="InvocationMetricNames.Catalogue"/>) in one document
/// per event-time minute of the batch. Beside them, the <em>attribution documents</em>: one per
/// (minute, principal, model, team, application, environment, feature, variant, prompt template)
/// of the batch, carrying those as properties (so per-feature and per-variant views add log bytes,
/// never custom metrics) plus the numeric properties of <see cref="InvocationMetricNames.AttributionValues"/>
/// (Invocations among them). They define no metric, so they are plain JSON log lines without the
/// EMF <c>_aws</c> block; Contributor Insights and Logs Insights read their members (top principals
/// by cost or tokens, top models by errors, requests by feature). Log ingestion is billed by the
/// byte: the block defined only the Invocations count, which the totals document now carries
/// (the same [Service] values: one per invocation, summed per minute).</item>
/// <item><c>[Service, ModelId]</c> — CostUsd (0 for failed calls, so the set is always there), and
/// UnpricedInvocations only when a model has unpriced successful calls.</item>
/// <item><c>[Service, StopReason]</c> — StopReasonCount of successful calls (the dashboard derives the
/// completion rate from it, end_turn + tool_use against max_tokens, so no separate
/// Completions/Truncations metrics are billed).</item>
/// <item><c>[Service, Team]</c>, <c>[Service, Application]</c>, <c>[Service, Environment]</c> — CostUsd, when known from requestMetadata (keys team/application/environment, any case) or, for Environment, <c>GENAIOBS_ENVIRONMENT</c>; top N per batch, the rest <c>other</c>.</item>
/// <item><c>[Service, Reason]</c> — RejectedRecords by reject reason (the total is published as 0 when none).</item>
/// </list>
/// Invocations, latency, token counts, throttles and errors per model come from the vended
/// <c>AWS/Bedrock</c> metrics (Amazon Bedrock User Guide, "Monitor bedrock-runtime inference using
/// CloudWatch metrics"), which cost nothing. Time to first token is raw values of successful calls.
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

    /// <summary>
    /// Builds the metrics of one batch; rejections are stamped with <paramref name="batchTimestampMs"/> (they have no event time).
    /// Invocations with a delivery origin (central ingestion) also carry the source account and Region
    /// on their attribution documents, so the dashboards group cost by account.
    /// </summary>
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

        var limits = options.Limits ?? CardinalityLimits.Default;
        var teams = TopByCost(invocations, i => Metadata(i.Record, TeamKey), limits.Team);
        var applications = TopByCost(invocations, i => Metadata(i.Record, ApplicationKey), limits.Application);
        var defaultEnvironment = Clean(options.Environment);
        var environments = TopByCost(invocations, i => Metadata(i.Record, EnvironmentKey) ?? defaultEnvironment, limits.Environment);

        foreach (var invocation in invocations)
        {
            var record = invocation.Record;
            var time = record.Timestamp.ToUnixTimeMilliseconds();
            var team = Metadata(record, TeamKey);
            var application = Metadata(record, ApplicationKey);
            var environment = Metadata(record, EnvironmentKey) ?? defaultEnvironment;

            // The long tail (every principal, every team name) lives in properties, not dimensions.
            var attribution = batch.WithProperties(
                total,
                [
                    (MetricDimensions.Principal, Clean(record.Principal)),
                    (MetricDimensions.ModelId, Clean(record.ModelId)),
                    (MetricDimensions.Team, team),
                    (MetricDimensions.Application, application),
                    (MetricDimensions.Environment, environment),
                    (MetricDimensions.Feature, record.Dimensions?.Feature),
                    (MetricDimensions.Variant, record.Dimensions?.Variant),
                    (MetricDimensions.PromptTemplate, record.Dimensions?.Template),
                    (MetricDimensions.Account, Clean(invocation.Origin?.AccountOf(record))),
                    (MetricDimensions.Region, Clean(invocation.Origin?.RegionOf(record))),
                ]);
            AddTotals(batch, total, attribution, invocation, time);

            var byModel = batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.ModelId, record.ModelId);
            batch.AddCount(byModel, InvocationMetricNames.CostUsd, (double)invocation.CostUsd, time, MetricUnit.None);
            if (!record.IsError && invocation.Unpriced)
            {
                batch.AddCount(byModel, InvocationMetricNames.UnpricedInvocations, 1, time);
            }

            if (invocation.PerUnit is { } units)
            {
                AddNonZeroCount(batch, byModel, units.Unit == "image" ? InvocationMetricNames.ImagesGenerated : InvocationMetricNames.VideoSeconds, units.Unit is "image" or "second" ? units.Units : 0, time, MetricUnit.Count);
                AddNonZeroCount(batch, byModel, InvocationMetricNames.PerUnitCostUsd, (double)units.CostUsd, time, MetricUnit.None);
            }

            if (team is not null)
            {
                AddCost(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Team, teams.Contains(team) ? team : MetricDimensions.Other), invocation, time);
            }

            if (application is not null)
            {
                AddCost(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Application, applications.Contains(application) ? application : MetricDimensions.Other), invocation, time);
            }

            if (environment is not null)
            {
                AddCost(batch, batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Environment, environments.Contains(environment) ? environment : MetricDimensions.Other), invocation, time);
            }

            if (!record.IsError)
            {
                var reason = string.IsNullOrEmpty(record.StopReason) ? StopReasons.Unknown : record.StopReason;
                batch.AddCount(batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.StopReason, reason), InvocationMetricNames.StopReasonCount, 1, time);
            }
        }

        // RejectedRecords is always published at the service level, so an alarm on it sees 0. The 0
        // goes into the minute of the delivery's latest record when it has records: that minute's
        // totals document carries it (the delivery arrives after its records, often in a later
        // minute, where the 0 alone would cost a document of its own).
        var heartbeatMs = batchTimestampMs;
        if (invocations.Count > 0)
        {
            heartbeatMs = invocations.Max(i => i.Record.Timestamp).ToUnixTimeMilliseconds();
        }

        batch.AddCount(total, InvocationMetricNames.RejectedRecords, 0, heartbeatMs);
        foreach (var rejection in rejections)
        {
            var count = Math.Max(rejection.Count, 1);
            batch.AddCount(total, InvocationMetricNames.RejectedRecords, count, batchTimestampMs);
            batch.AddCount(batch.Dimensions(MetricDimensions.Service, options.ServiceName, MetricDimensions.Reason, rejection.Reason), InvocationMetricNames.RejectedRecords, count, batchTimestampMs);
        }

        return batch;
    }

    /// <summary>The [Service] metrics of one invocation, and its attribution document's numeric properties.</summary>
    private static void AddTotals(MetricBatch batch, DimensionSet total, DimensionSet attribution, PricedInvocation invocation, long time)
    {
        var record = invocation.Record;
        var cost = (double)invocation.CostUsd;
        var parts = invocation.Breakdown;
        batch.AddCount(total, InvocationMetricNames.CostUsd, cost, time, MetricUnit.None);
        batch.AddCount(total, InvocationMetricNames.InputCostUsd, (double)parts.InputUsd, time, MetricUnit.None);
        batch.AddCount(total, InvocationMetricNames.OutputCostUsd, (double)parts.OutputUsd, time, MetricUnit.None);
        batch.AddCount(total, InvocationMetricNames.CacheReadCostUsd, (double)parts.CacheReadUsd, time, MetricUnit.None);
        batch.AddCount(total, InvocationMetricNames.CacheWriteCostUsd, (double)parts.CacheWriteUsd, time, MetricUnit.None);
        batch.AddCount(total, InvocationMetricNames.CacheSavingsUsd, (double)parts.CacheSavingsUsd, time, MetricUnit.None);
        batch.AddCount(total, InvocationMetricNames.CacheReadTokens, record.CacheReadTokens, time);
        if (!record.IsError && record.TimeToFirstTokenMs is { } ttft && double.IsFinite(ttft) && ttft >= 0)
        {
            batch.AddObservation(total, InvocationMetricNames.TimeToFirstToken, ttft, time);
        }

        batch.AddCount(total, InvocationMetricNames.Invocations, 1, time);
        batch.AddProperty(attribution, InvocationMetricNames.InvocationsProperty, 1, time);
        batch.AddProperty(attribution, InvocationMetricNames.CostUsd, cost, time);
        batch.AddProperty(attribution, InvocationMetricNames.TokensProperty, (double)record.InputTokens + record.OutputTokens + record.CacheReadTokens + record.CacheWriteTokens, time);
        AddNonZeroProperty(batch, attribution, InvocationMetricNames.InvocationErrorsProperty, record.IsError ? 1 : 0, time);
        AddNonZeroProperty(batch, attribution, InvocationMetricNames.InputCostUsd, (double)parts.InputUsd, time);
        AddNonZeroProperty(batch, attribution, InvocationMetricNames.CacheSavingsUsd, (double)parts.CacheSavingsUsd, time);
        if (record.Dimensions is { Feature: not null } or { Variant: not null })
        {
            batch.AddProperty(attribution, InvocationMetricNames.OutputTokensProperty, record.OutputTokens, time);
        }
    }

    private static void AddNonZeroCount(MetricBatch batch, DimensionSet dimensions, string name, double value, long time, MetricUnit unit)
    {
        if (value != 0)
        {
            batch.AddCount(dimensions, name, value, time, unit);
        }
    }

    private static void AddNonZeroProperty(MetricBatch batch, DimensionSet attribution, string name, double value, long time)
    {
        if (value != 0)
        {
            batch.AddProperty(attribution, name, value, time);
        }
    }

    private static void AddCost(MetricBatch batch, DimensionSet dimensions, PricedInvocation invocation, long time) =>
        batch.AddCount(dimensions, InvocationMetricNames.CostUsd, (double)invocation.CostUsd, time, MetricUnit.None);

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
