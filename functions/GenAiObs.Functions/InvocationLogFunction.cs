using System.Buffers;
using System.Text.Json;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions;

/// <summary>
/// The invocation-log subscription function (<c>_HANDLER=invocation-logs</c>): decode the
/// CloudWatch Logs (or Kinesis) event, parse and price every record, publish the metrics as EMF
/// lines on stdout, and answer a small JSON summary. Bad data never throws: it is rejected with
/// a named reason, counted in RejectedRecords and logged without content.
/// </summary>
public sealed class InvocationLogFunction : ILambdaFunction
{
    private readonly BatchProcessor _processor;
    private readonly EmfSerializer _emf;
    private readonly InvocationMetricsOptions _metricsOptions;
    private readonly TextWriter _metricsOutput;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;

    public InvocationLogFunction(
        BatchProcessor processor,
        EmfSerializer emf,
        InvocationMetricsOptions metricsOptions,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time)
    {
        _processor = processor;
        _emf = emf;
        _metricsOptions = metricsOptions;
        _metricsOutput = metricsOutput;
        _log = log;
        _time = time;
    }

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
            services.Time);
    }

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var result = _processor.ProcessLambdaEvent(eventBody.Span);
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
        };
        if (reasons.Count > 0)
        {
            _log.Warn("Batch processed with rejected records.", context.RequestId, counts, reasons);
        }
        else
        {
            _log.Info("Batch processed.", context.RequestId, counts);
        }

        return Summary(result, emfDocuments);
    }

    private static byte[] Summary(BatchResult result, int emfDocuments)
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
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
