using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
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
    private readonly SubscriptionBatchPipeline _pipeline;

    public SpanFunction(
        BatchProcessor processor,
        EmfSerializer emf,
        SpanMetricsBuilder metrics,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time,
        IAggregateStore? store = null,
        CardinalityLimits? limits = null,
        IRequestIndex? index = null,
        TimeSpan? joinWindow = null,
        IAggregateDeltaStore? deltas = null) =>
        _pipeline = new SubscriptionBatchPipeline(
            processor,
            emf,
            (result, signals, nowMs) => QualityMetricsBuilder.AddTo(metrics.Build(result, nowMs), signals, metrics.PipelineServiceName),
            RecordCounts,
            metricsOutput,
            log,
            time,
            store,
            "Span batch",
            limits,
            index,
            joinWindow,
            deltas);

    /// <summary>The environment variables this function reads (template tests check each is set or deliberately defaulted).</summary>
    public static IReadOnlyList<SettingVariable> Variables => SubscriptionBatchPipeline.Variables;

    /// <summary>The AWS actions this function's code calls (its role must grant them, and nothing else but logs and the DLQ).</summary>
    public static IReadOnlyList<string> AwsActions => SubscriptionBatchPipeline.AwsActions;

    /// <summary>
    /// The cold start: loads the price table (GENAIOBS_PRICES_FILE, else the S3 price file, else
    /// the embedded default) and takes the cardinality cap from GENAIOBS_MAX_PRINCIPALS — the same cap
    /// as principals, applied to services, environments, models, tools and span families.
    /// </summary>
    public static SpanFunction Create(FunctionServices services)
    {
        var settings = services.Settings;
        var (aggregates, deltas) = InvocationLogFunction.AggregateStores(services);
        var options = new SpanMetricsOptions(
            MaxDimensionValues: Math.Max(settings.MaxPrincipals, 1),
            DefaultEnvironment: settings.Environment,
            PipelineServiceName: settings.ServiceName);
        return new SpanFunction(
            new BatchProcessor(InvocationLogFunction.LoadPrices(services), DecoderLimits.Default, ProcessingSettings.Read(services.Environment.GetVariable, services.Time, RecordSources.Span)),
            new EmfSerializer(settings.MetricsNamespace),
            new SpanMetricsBuilder(options),
            services.MetricsOutput,
            services.Logger,
            services.Time,
            aggregates,
            settings.Limits,
            InvocationLogFunction.JoinIndex(services),
            ProcessingSettings.ReadJoinWindow(services.Environment.GetVariable),
            deltas);
    }

    public Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken) =>
        _pipeline.HandleAsync(eventBody, context, cancellationToken);

    private static KeyValuePair<string, long>[] RecordCounts(BatchResult result)
    {
        int models = 0, tools = 0, agents = 0;
        foreach (var priced in result.Spans)
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

        return
        [
            new("spans", result.Spans.Count),
            new("modelCalls", models),
            new("toolCalls", tools),
            new("agentInvocations", agents),
            // Invocation-log records delivered here are parsed but not published by this function.
            new("invocations", result.Invocations.Count),
        ];
    }
}
