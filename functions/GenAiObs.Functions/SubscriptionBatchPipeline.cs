using System.Buffers;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Pricing;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Processing;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions;

/// <summary>
/// The flow both subscription functions share: decode and process the delivery, add it to the
/// DynamoDB aggregates (when a table is configured), publish the metrics as EMF lines, log counts
/// and reasons (never content), and answer a small JSON summary. The functions differ only in
/// which metrics they build and which record counts they report.
/// </summary>
internal sealed class SubscriptionBatchPipeline
{
    private readonly BatchProcessor _processor;
    private readonly EmfSerializer _emf;
    private readonly Func<BatchResult, long, MetricBatch> _buildMetrics;
    private readonly Func<BatchResult, IReadOnlyList<KeyValuePair<string, long>>> _recordCounts;
    private readonly TextWriter _metricsOutput;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;
    private readonly IAggregateStore? _store;
    private readonly string _logLabel;
    private readonly CardinalityLimits _limits;

    /// <param name="processor">Decodes and parses the delivery.</param>
    /// <param name="emf">Serialises the metric batch.</param>
    /// <param name="buildMetrics">The function's metrics from a batch result and the processing time (epoch ms).</param>
    /// <param name="recordCounts">The function's record counts, in the order they appear in the summary and the log line.</param>
    /// <param name="metricsOutput">Where EMF lines go (stdout in Lambda).</param>
    /// <param name="log">Structured diagnostics.</param>
    /// <param name="time">The clock.</param>
    /// <param name="store">The aggregate store, or null when no table is configured.</param>
    /// <param name="logLabel">The first words of the log message, e.g. "Batch" or "Span batch".</param>
    /// <param name="limits">Top values kept per capped dimension in the aggregates (default <see cref="CardinalityLimits.Default"/>).</param>
    public SubscriptionBatchPipeline(
        BatchProcessor processor,
        EmfSerializer emf,
        Func<BatchResult, long, MetricBatch> buildMetrics,
        Func<BatchResult, IReadOnlyList<KeyValuePair<string, long>>> recordCounts,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time,
        IAggregateStore? store,
        string logLabel,
        CardinalityLimits? limits = null)
    {
        _limits = limits ?? CardinalityLimits.Default;
        _processor = processor;
        _emf = emf;
        _buildMetrics = buildMetrics;
        _recordCounts = recordCounts;
        _metricsOutput = metricsOutput;
        _log = log;
        _time = time;
        _store = store;
        _logLabel = logLabel;
    }

    /// <summary>The environment variables a subscription function reads: logging, metrics, the price file and the optional table.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
        [.. FunctionSettings.LoggingVariables, .. FunctionSettings.MetricsVariables, .. PriceTableSource.Variables, .. DynamoDbStoreSettings.Variables, .. ProcessingSettings.Variables];

    /// <summary>The AWS actions a subscription function calls: the aggregate store's batch write and reading the price file at cold start.</summary>
    public static IReadOnlyList<string> AwsActions { get; } = [.. DynamoDbAggregateStore.ApplyBatchDynamoDbActions.Select(a => "dynamodb:" + a), .. PriceTableSource.AwsActions];

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var result = _processor.ProcessLambdaEvent(eventBody.Span);

        // Aggregates before metrics: when the table stays unavailable this throws, the invocation
        // fails and the delivery comes again — the redelivery's EMF is then the only one published,
        // and the store's exactly-once markers keep the items it already reached from double counting.
        var aggregates = _store is not null && (result.Invocations.Count > 0 || result.Spans.Count > 0)
            ? await _store.ApplyBatchAsync(AggregateBuilder.Build(result, _limits), cancellationToken).ConfigureAwait(false)
            : null;
        // A delivery every one of whose items already holds its marker was applied in full by an
        // earlier attempt, which wrote its EMF right after (nothing in between can fail but the
        // process itself): publishing again would count it twice in CloudWatch.
        var redelivered = aggregates is { Applied: 0, AlreadyApplied: > 0 };
        var emfDocuments = 0;
        if (!redelivered)
        {
            var metrics = _buildMetrics(result, _time.GetUtcNow().ToUnixTimeMilliseconds());

            // Written into the buffered writer line by line, then flushed once for the batch.
            emfDocuments = _emf.WriteLines(metrics, _metricsOutput);
            await _metricsOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var reasons = result.Rejections
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, long>(g.Key, g.Sum(r => (long)Math.Max(r.Count, 1))))
            .ToList();
        List<KeyValuePair<string, long>> counts =
        [
            new("events", result.EventCount),
            .. _recordCounts(result),
            new("rejected", result.RejectedCount),
            new("controlMessages", result.ControlMessages),
            new("emfDocuments", emfDocuments),
        ];
        var aggregateCounts = new KeyValuePair<string, long>[]
        {
            new("aggregateItemsWritten", aggregates?.Applied ?? 0),
            new("aggregateItemsAlreadyApplied", aggregates?.AlreadyApplied ?? 0),
        };
        if (reasons.Count > 0)
        {
            _log.Warn($"{_logLabel} processed with rejected records.", context.RequestId, [.. counts, .. aggregateCounts], reasons);
        }
        else
        {
            _log.Info($"{_logLabel} processed.", context.RequestId, [.. counts, .. aggregateCounts]);
        }

        return Summary(result.BatchId, counts, aggregates is null ? [] : aggregateCounts);
    }

    private static byte[] Summary(string batchId, IEnumerable<KeyValuePair<string, long>> counts, IEnumerable<KeyValuePair<string, long>> aggregateCounts)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("batchId", batchId);
            foreach (var (name, value) in counts.Concat(aggregateCounts))
            {
                writer.WriteNumber(name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
