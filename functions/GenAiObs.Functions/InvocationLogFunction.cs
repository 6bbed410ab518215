using System.Buffers;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions;

/// <summary>
/// The invocation-log subscription function (<c>_HANDLER=invocation-logs</c>): decode the
/// CloudWatch Logs (or Kinesis) event, parse and price every record, publish the metrics as EMF
/// lines on stdout, add the batch to the DynamoDB aggregates when <c>GENAIOBS_TABLE_NAME</c> is
/// set, and answer a small JSON summary. Bad data never throws: it is rejected with a named
/// reason, counted in RejectedRecords and logged without content.
/// </summary>
public sealed class InvocationLogFunction : ILambdaFunction
{
    private readonly BatchProcessor _processor;
    private readonly EmfSerializer _emf;
    private readonly InvocationMetricsOptions _metricsOptions;
    private readonly TextWriter _metricsOutput;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;
    private readonly IAggregateStore? _store;

    public InvocationLogFunction(
        BatchProcessor processor,
        EmfSerializer emf,
        InvocationMetricsOptions metricsOptions,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time,
        IAggregateStore? store = null)
    {
        _processor = processor;
        _emf = emf;
        _metricsOptions = metricsOptions;
        _metricsOutput = metricsOutput;
        _log = log;
        _time = time;
        _store = store;
    }

    /// <summary>The environment variables this function reads (template tests check each is set or deliberately defaulted).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
        [.. FunctionSettings.LoggingVariables, .. FunctionSettings.MetricsVariables, .. DynamoDbStoreSettings.Variables];

    /// <summary>The AWS actions this function's code calls (its role must grant them, and nothing else but logs and the DLQ).</summary>
    public static IReadOnlyList<string> AwsActions { get; } = [.. DynamoDbAggregateStore.ApplyBatchDynamoDbActions.Select(a => "dynamodb:" + a)];

    /// <summary>The cold start: loads the price table (GENAIOBS_PRICES_FILE or the embedded default; a bad file fails init).</summary>
    public static InvocationLogFunction Create(FunctionServices services)
    {
        var settings = services.Settings;
        var prices = settings.PricesFile is { } path
            ? PriceTable.Parse(File.ReadAllBytes(path))
            : PriceTable.LoadDefault();
        return new InvocationLogFunction(
            new BatchProcessor(prices),
            new EmfSerializer(settings.MetricsNamespace),
            new InvocationMetricsOptions(settings.ServiceName, settings.MaxPrincipals, settings.Environment),
            services.MetricsOutput,
            services.Logger,
            services.Time,
            DynamoDbAggregateStore.FromEnvironment(services.Environment.GetVariable));
    }

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var result = _processor.ProcessLambdaEvent(eventBody.Span);

        // Aggregates before metrics: when the table stays unavailable this throws, the invocation
        // fails and the delivery comes again — the redelivery's EMF is then the only one published,
        // and the store's exactly-once marker keeps the items it already reached from double counting.
        var aggregates = _store is not null && (result.Invocations.Count > 0 || result.Spans.Count > 0)
            ? await _store.ApplyBatchAsync(AggregateBuilder.Build(result), cancellationToken).ConfigureAwait(false)
            : null;
        var metrics = InvocationMetricsBuilder.Build(result, _metricsOptions, _time.GetUtcNow().ToUnixTimeMilliseconds());
        // Written into the buffered writer line by line, then flushed once for the batch.
        var emfDocuments = _emf.WriteLines(metrics, _metricsOutput);
        await _metricsOutput.FlushAsync(cancellationToken).ConfigureAwait(false);

        var reasons = result.Rejections
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, long>(g.Key, g.Sum(r => (long)Math.Max(r.Count, 1))))
            .ToList();
        var counts = new KeyValuePair<string, long>[]
        {
            new("events", result.EventCount),
            new("invocations", result.Invocations.Count),
            new("rejected", result.RejectedCount),
            new("controlMessages", result.ControlMessages),
            new("emfDocuments", emfDocuments),
            new("aggregateItemsWritten", aggregates?.Applied ?? 0),
            new("aggregateItemsAlreadyApplied", aggregates?.AlreadyApplied ?? 0),
        };
        if (reasons.Count > 0)
        {
            _log.Warn("Batch processed with rejected records.", context.RequestId, counts, reasons);
        }
        else
        {
            _log.Info("Batch processed.", context.RequestId, counts);
        }

        return Summary(result, emfDocuments, aggregates);
    }

    private static byte[] Summary(BatchResult result, int emfDocuments, ApplyResult? aggregates)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("batchId", result.BatchId);
            writer.WriteNumber("events", result.EventCount);
            writer.WriteNumber("invocations", result.Invocations.Count);
            writer.WriteNumber("rejected", result.RejectedCount);
            writer.WriteNumber("controlMessages", result.ControlMessages);
            writer.WriteNumber("emfDocuments", emfDocuments);
            if (aggregates is not null)
            {
                writer.WriteNumber("aggregateItemsWritten", aggregates.Applied);
                writer.WriteNumber("aggregateItemsAlreadyApplied", aggregates.AlreadyApplied);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
