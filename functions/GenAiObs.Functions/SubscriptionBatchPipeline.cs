using System.Buffers;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Pricing;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Records;
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
    private readonly Func<BatchResult, IReadOnlyList<QualitySignal>, long, MetricBatch> _buildMetrics;
    private readonly Func<BatchResult, IReadOnlyList<KeyValuePair<string, long>>> _recordCounts;
    private readonly TextWriter _metricsOutput;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;
    private readonly AggregateWriter? _writer;
    private readonly string _logLabel;
    private readonly CardinalityLimits _limits;
    private readonly IRequestIndex? _index;
    private readonly TimeSpan _joinWindow;
    private readonly bool _indexRequests;

    /// <param name="processor">Decodes and parses the delivery.</param>
    /// <param name="emf">Serialises the metric batch.</param>
    /// <param name="buildMetrics">The function's metrics from a batch result, its quality signals as joined, and the processing time (epoch ms).</param>
    /// <param name="recordCounts">The function's record counts, in the order they appear in the summary and the log line.</param>
    /// <param name="metricsOutput">Where EMF lines go (stdout in Lambda).</param>
    /// <param name="log">Structured diagnostics.</param>
    /// <param name="time">The clock.</param>
    /// <param name="store">The aggregate store, or null when no table is configured.</param>
    /// <param name="logLabel">The first words of the log message, e.g. "Batch" or "Span batch".</param>
    /// <param name="limits">Top values kept per capped dimension in the aggregates (default <see cref="CardinalityLimits.Default"/>).</param>
    /// <param name="index">The quality join index, or null.</param>
    /// <param name="joinWindow">How far apart a request and its feedback may be joined.</param>
    /// <param name="deltas">Deferred mode: where each delivery's delta goes (see <see cref="AggregateWriter"/>); null writes the items directly.</param>
    /// <param name="indexRequests">Whether tagged requests get join-index entries (<c>GENAIOBS_REQUEST_INDEX</c>).</param>
    public SubscriptionBatchPipeline(
        BatchProcessor processor,
        EmfSerializer emf,
        Func<BatchResult, IReadOnlyList<QualitySignal>, long, MetricBatch> buildMetrics,
        Func<BatchResult, IReadOnlyList<KeyValuePair<string, long>>> recordCounts,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time,
        IAggregateStore? store,
        string logLabel,
        CardinalityLimits? limits = null,
        IRequestIndex? index = null,
        TimeSpan? joinWindow = null,
        IAggregateDeltaStore? deltas = null,
        bool indexRequests = true)
    {
        _indexRequests = indexRequests;
        _limits = limits ?? CardinalityLimits.Default;
        _index = index;
        _joinWindow = joinWindow ?? QualityAggregation.DefaultWindow;
        _processor = processor;
        _emf = emf;
        _buildMetrics = buildMetrics;
        _recordCounts = recordCounts;
        _metricsOutput = metricsOutput;
        _log = log;
        _time = time;
        _writer = store is null ? null : new AggregateWriter(store, deltas);
        _logLabel = logLabel;
    }

    /// <summary>The environment variables a subscription function reads: logging, metrics, the price file and the optional table.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
        [.. FunctionSettings.LoggingVariables, .. FunctionSettings.MetricsVariables, .. PriceTableSource.Variables, .. DynamoDbStoreSettings.Variables, .. ProcessingSettings.Variables];

    /// <summary>The AWS actions a subscription function calls: the aggregate store's batch write and reading the price file at cold start.</summary>
    public static IReadOnlyList<string> AwsActions { get; } =
        [.. DynamoDbAggregateStore.ApplyBatchDynamoDbActions.Union(DynamoDbAggregateStore.DeferredWriteDynamoDbActions).Union(DynamoDbRequestIndex.DynamoDbActions).Order(StringComparer.Ordinal).Select(a => "dynamodb:" + a), .. PriceTableSource.AwsActions];

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        // Deferred mode: whether a delta's window still accepts it is decided by the invocation's
        // start, which the evaluator's closure rule bounds with the processors' timeout.
        var startedAt = _time.GetUtcNow();
        if (KinesisEventReader.TryRead(eventBody, out var records))
        {
            return await HandleStreamAsync(records, context, startedAt, cancellationToken).ConfigureAwait(false);
        }

        var result = _processor.ProcessLambdaEvent(eventBody.Span);

        // Before aggregates and metrics, so both count a span under the feature its trace carries.
        await TraceTagPropagation.ApplyAsync(result, _index, cancellationToken).ConfigureAwait(false);

        // Aggregates before metrics: when the table stays unavailable this throws, the invocation
        // fails and the delivery comes again — the redelivery's EMF is then the only one published,
        // and the store's exactly-once markers keep the items it already reached from double counting.
        var quality = QualityDeltas.Empty;
        ApplyResult? aggregates = null;
        if (_writer is not null && (result.Invocations.Count > 0 || result.Spans.Count > 0 || result.HasQualitySignals))
        {
            var batch = AggregateBuilder.Build(result, _limits);
            if (_index is not null)
            {
                quality = await QualityAggregation.JoinAsync(result, _index, _joinWindow, _indexRequests, cancellationToken).ConfigureAwait(false);
                batch = quality.AddTo(batch);
            }

            aggregates = await _writer.WriteAsync(batch, startedAt, cancellationToken).ConfigureAwait(false);
        }

        quality = WithoutIndex(result, quality);

        // A delivery every one of whose items already holds its marker was applied in full by an
        // earlier attempt, which wrote its EMF right after (nothing in between can fail but the
        // process itself): publishing again would count it twice in CloudWatch.
        var redelivered = aggregates is { Applied: 0, AlreadyApplied: > 0 };
        var emfDocuments = 0;
        if (!redelivered)
        {
            var metrics = _buildMetrics(result, quality.Signals, _time.GetUtcNow().ToUnixTimeMilliseconds());

            // Written into the buffered writer line by line, then flushed once for the batch.
            emfDocuments = _emf.WriteLines(metrics, _metricsOutput);
            await _metricsOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var reasons = Reasons(result);
        List<KeyValuePair<string, long>> counts =
        [
            new("events", result.EventCount),
            .. _recordCounts(result),
            new("rejected", result.RejectedCount),
            new("controlMessages", result.ControlMessages),
            new("emfDocuments", emfDocuments),
            .. QualityCounts(result, quality),
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
            // One such line per delivery, billed by the byte as log ingestion: the counts that are 0
            // (rejected, controlMessages, aggregateItemsAlreadyApplied on a routine delivery) are left
            // out; a reader sums an absent count as 0. The WARN line above keeps every count.
            _log.Info($"{_logLabel} processed.", context.RequestId, [.. counts.Where(c => c.Value != 0), .. aggregateCounts.Where(c => c.Value != 0)]);
        }

        return Summary(result.BatchId, counts, aggregates is null ? [] : aggregateCounts);
    }

    /// <summary>
    /// A Kinesis event from the central stream (event source mapping with
    /// <c>FunctionResponseTypes: [ReportBatchItemFailures]</c>). Each record is one CloudWatch Logs
    /// payload, decoded and applied to the store on its own with the record's identity as batch id,
    /// in order. A record that cannot be decoded (or named) is rejected, counted and acknowledged:
    /// retrying cannot fix it, and a poison record must not hold its shard. When the store fails
    /// after its own retries, the answer lists that record's sequence number and every later one in
    /// <c>batchItemFailures</c>; Lambda checkpoints before the lowest and retries from there (AWS
    /// Lambda Developer Guide, "Configuring partial batch response with Kinesis Data Streams"), and
    /// the store's markers keep records already applied in an earlier attempt from counting twice.
    /// Metrics cover the records this attempt acknowledged, so each record's EMF is published once
    /// unless the whole invocation fails.
    /// </summary>
    private async Task<byte[]> HandleStreamAsync(IReadOnlyList<KinesisRecord> records, InvocationContext context, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var acknowledged = new List<BatchResult>(records.Count);
        var signals = new List<QualitySignal>();
        long applied = 0, alreadyApplied = 0;
        var failedFrom = records.Count;
        string? failureType = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var where = KinesisEventReader.Where(i);
            if (!record.HasIdentity)
            {
                var unnamed = new BatchResult { BatchId = string.Empty };
                unnamed.Rejections.Add(new Rejection(null, RejectReasons.InvalidEnvelope, where + ": stream, shard or sequence number missing"));
                acknowledged.Add(unnamed);
                continue;
            }

            var result = _processor.ProcessKinesisRecord(record, where);
            var quality = QualityDeltas.Empty;
            if (_writer is null)
            {
                TraceTagPropagation.Apply(result);
            }
            else if (result.Invocations.Count > 0 || result.Spans.Count > 0 || result.HasQualitySignals)
            {
                try
                {
                    await TraceTagPropagation.ApplyAsync(result, _index, cancellationToken).ConfigureAwait(false);
                    var batch = AggregateBuilder.Build(result, _limits);
                    if (_index is not null)
                    {
                        quality = await QualityAggregation.JoinAsync(result, _index, _joinWindow, _indexRequests, cancellationToken).ConfigureAwait(false);
                        batch = quality.AddTo(batch);
                    }

                    var outcome = await _writer.WriteAsync(batch, startedAt, cancellationToken).ConfigureAwait(false);
                    applied += outcome.Applied;
                    alreadyApplied += outcome.AlreadyApplied;
                }
                catch (Exception ex)
                {
                    // Throttling, an unavailable table or the deadline: transient, so this record
                    // and the rest go back to the stream rather than failing the whole invocation.
                    failedFrom = i;
                    failureType = ex.GetType().Name;
                    break;
                }
            }

            acknowledged.Add(result);
            signals.AddRange(WithoutIndex(result, quality).Signals);
        }

        var combined = BatchResult.Combine(acknowledged.Count > 0 ? acknowledged[0].BatchId : string.Empty, acknowledged);
        var metrics = _buildMetrics(combined, signals, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var emfDocuments = _emf.WriteLines(metrics, _metricsOutput);

        // Not the invocation's token: after the deadline cancelled a store write, the acknowledged
        // records' metrics and the partial batch response must still go out.
        await _metricsOutput.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        var reasons = Reasons(combined);
        List<KeyValuePair<string, long>> counts =
        [
            new("records", records.Count),
            new("recordsRetried", records.Count - failedFrom),
            new("events", combined.EventCount),
            .. _recordCounts(combined),
            new("rejected", combined.RejectedCount),
            new("controlMessages", combined.ControlMessages),
            new("emfDocuments", emfDocuments),
            new("aggregateItemsWritten", applied),
            new("aggregateItemsAlreadyApplied", alreadyApplied),
        ];
        if (failureType is not null)
        {
            _log.Log(DiagnosticLevel.Error, $"{_logLabel} from the stream partly applied: the store failed; records from {records[failedFrom].SequenceNumber} on are reported for retry.", context.RequestId, counts, reasons, failureType);
        }
        else if (reasons.Count > 0)
        {
            _log.Warn($"{_logLabel} from the stream processed with rejected records.", context.RequestId, counts, reasons);
        }
        else
        {
            _log.Info($"{_logLabel} from the stream processed.", context.RequestId, counts);
        }

        return BatchItemFailures(records.Skip(failedFrom).Select(r => r.SequenceNumber));
    }

    /// <summary>
    /// <paramref name="quality"/>, or, when the delivery's signals were not joined (no table, so no
    /// index), the same signals counted as unjoined: the EMF quality documents and the log line still
    /// count them.
    /// </summary>
    private QualityDeltas WithoutIndex(BatchResult result, QualityDeltas quality) =>
        quality.Signals.Count == 0 && result.HasQualitySignals
            ? QualityAggregation.Build(result, new Dictionary<string, IndexedRequest>(StringComparer.Ordinal), _joinWindow)
            : quality;

    /// <summary>The quality signals of a delivery and what became of them (only when it had any: other log lines stay as they were).</summary>
    private static IEnumerable<KeyValuePair<string, long>> QualityCounts(BatchResult result, QualityDeltas quality) =>
        !result.HasQualitySignals
            ? []
            : [
                new("feedback", result.Feedback.Count),
                new("feedbackJoined", quality.FeedbackJoined),
                new("feedbackUnjoined", quality.FeedbackUnjoined),
                new("evaluations", result.Evaluations.Count + result.Spans.Sum(s => s.Span.Evaluations.Count)),
                new("evaluationsUnattributed", quality.EvaluationsUnjoined),
                new("evaluationsInvalid", quality.EvaluationsInvalid),
            ];

    private static List<KeyValuePair<string, long>> Reasons(BatchResult result) =>
        result.Rejections
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, long>(g.Key, g.Sum(r => (long)Math.Max(r.Count, 1))))
            .ToList();

    /// <summary>The partial batch response: <c>{"batchItemFailures":[{"itemIdentifier":"&lt;sequence number&gt;"}…]}</c> (empty: all acknowledged).</summary>
    private static byte[] BatchItemFailures(IEnumerable<string> sequenceNumbers)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("batchItemFailures");
            foreach (var sequenceNumber in sequenceNumbers)
            {
                writer.WriteStartObject();
                writer.WriteString("itemIdentifier", sequenceNumber);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
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
