using System.Buffers;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions;

/// <summary>
/// The spans subscription function (<c>_HANDLER=spans</c>), subscribed to <c>aws/spans</c>:
/// decode the CloudWatch Logs (or Kinesis) event, parse, classify and price every span, publish
/// agent, model-call and tool metrics as EMF lines on stdout, add the batch to the DynamoDB
/// aggregates when <c>GENAIOBS_TABLE_NAME</c> is set, and answer a small JSON summary.
/// Bad data never throws: it is rejected with a named reason, counted in RejectedRecords and
/// logged without content.
/// </summary>
public sealed class SpanFunction : ILambdaFunction
{
    private readonly BatchProcessor _processor;
    private readonly EmfSerializer _emf;
    private readonly SpanMetricsBuilder _metrics;
    private readonly TextWriter _metricsOutput;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;
    private readonly IAggregateStore? _store;

    public SpanFunction(
        BatchProcessor processor,
        EmfSerializer emf,
        SpanMetricsBuilder metrics,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time,
        IAggregateStore? store = null)
    {
        _processor = processor;
        _emf = emf;
        _metrics = metrics;
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

    /// <summary>
    /// The cold start: loads the price table (GENAIOBS_PRICES_FILE or the embedded default; a bad
    /// file fails init) and takes the cardinality cap from GENAIOBS_MAX_PRINCIPALS — the same cap
    /// as principals, applied to services, environments, models, tools and span families.
    /// </summary>
    public static SpanFunction Create(FunctionServices services)
    {
        var settings = services.Settings;
        var prices = settings.PricesFile is { } path
            ? PriceTable.Parse(File.ReadAllBytes(path))
            : PriceTable.LoadDefault();
        var options = new SpanMetricsOptions(
            MaxDimensionValues: Math.Max(settings.MaxPrincipals, 1),
            DefaultEnvironment: settings.Environment,
            PipelineServiceName: settings.ServiceName);
        return new SpanFunction(
            new BatchProcessor(prices),
            new EmfSerializer(settings.MetricsNamespace),
            new SpanMetricsBuilder(options),
            services.MetricsOutput,
            services.Logger,
            services.Time,
            DynamoDbAggregateStore.FromEnvironment(services.Environment.GetVariable));
    }

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var result = _processor.ProcessLambdaEvent(eventBody.Span);

        // Aggregates before metrics, as in the invocation-log function: a table that stays
        // unavailable fails the invocation, the delivery comes again, and only the redelivery's EMF
        // is published; the store's exactly-once markers keep applied items from double counting.
        var aggregates = _store is not null && (result.Spans.Count > 0 || result.Invocations.Count > 0)
            ? await _store.ApplyBatchAsync(AggregateBuilder.Build(result), cancellationToken).ConfigureAwait(false)
            : null;
        var metrics = _metrics.Build(result, _time.GetUtcNow().ToUnixTimeMilliseconds());
        // Written into the buffered writer line by line, then flushed once for the batch.
        var emfDocuments = _emf.WriteLines(metrics, _metricsOutput);
        await _metricsOutput.FlushAsync(cancellationToken).ConfigureAwait(false);

        var tally = Tally.Of(result.Spans);
        var reasons = result.Rejections
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, long>(g.Key, g.Sum(r => (long)Math.Max(r.Count, 1))))
            .ToList();
        var counts = new KeyValuePair<string, long>[]
        {
            new("events", result.EventCount),
            new("spans", result.Spans.Count),
            new("modelCalls", tally.ModelCalls),
            new("toolCalls", tally.ToolCalls),
            new("agentInvocations", tally.AgentInvocations),
            // Invocation-log records delivered here are parsed but not published by this function.
            new("invocations", result.Invocations.Count),
            new("rejected", result.RejectedCount),
            new("controlMessages", result.ControlMessages),
            new("emfDocuments", emfDocuments),
            new("aggregateItemsWritten", aggregates?.Applied ?? 0),
            new("aggregateItemsAlreadyApplied", aggregates?.AlreadyApplied ?? 0),
        };
        if (reasons.Count > 0)
        {
            _log.Warn("Span batch processed with rejected records.", context.RequestId, counts, reasons);
        }
        else
        {
            _log.Info("Span batch processed.", context.RequestId, counts);
        }

        return Summary(result, tally, emfDocuments, aggregates);
    }

    private static byte[] Summary(BatchResult result, Tally tally, int emfDocuments, ApplyResult? aggregates)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("batchId", result.BatchId);
            writer.WriteNumber("events", result.EventCount);
            writer.WriteNumber("spans", result.Spans.Count);
            writer.WriteNumber("modelCalls", tally.ModelCalls);
            writer.WriteNumber("toolCalls", tally.ToolCalls);
            writer.WriteNumber("agentInvocations", tally.AgentInvocations);
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

    private readonly record struct Tally(int ModelCalls, int ToolCalls, int AgentInvocations)
    {
        public static Tally Of(IReadOnlyList<PricedSpan> spans)
        {
            int models = 0, tools = 0, agents = 0;
            foreach (var priced in spans)
            {
                switch (priced.Span.Class)
                {
                    case SpanClass.ModelCall:
                        models++;
                        break;
                    case SpanClass.Tool:
                        tools++;
                        break;
                    case SpanClass.Agent:
                        agents++;
                        break;
                    case SpanClass.Other:
                    default:
                        break;
                }
            }

            return new Tally(models, tools, agents);
        }
    }
}
