using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Pricing;
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
/// The invocation-log subscription function (<c>_HANDLER=invocation-logs</c>): decode the
/// CloudWatch Logs (or Kinesis) event, parse and price every record, publish the metrics as EMF
/// lines on stdout, add the batch to the DynamoDB aggregates when <c>GENAIOBS_TABLE_NAME</c> is
/// set, and answer a small JSON summary. Bad data never throws: it is rejected with a named
/// reason, counted in RejectedRecords and logged without content.
/// </summary>
public sealed class InvocationLogFunction : ILambdaFunction
{
    private readonly SubscriptionBatchPipeline _pipeline;

    public InvocationLogFunction(
        BatchProcessor processor,
        EmfSerializer emf,
        InvocationMetricsOptions metricsOptions,
        TextWriter metricsOutput,
        StructuredLogger log,
        TimeProvider time,
        IAggregateStore? store = null,
        CardinalityLimits? limits = null,
        IRequestIndex? index = null,
        TimeSpan? joinWindow = null,
        IAggregateDeltaStore? deltas = null,
        bool indexRequests = true) =>
        _pipeline = new SubscriptionBatchPipeline(
            processor,
            emf,
            (result, signals, nowMs) => QualityMetricsBuilder.AddTo(InvocationMetricsBuilder.Build(result, metricsOptions, nowMs), signals, metricsOptions.ServiceName),
            result => [new("invocations", result.Invocations.Count)],
            metricsOutput,
            log,
            time,
            store,
            "Batch",
            limits,
            index,
            joinWindow,
            deltas,
            indexRequests);

    /// <summary>The environment variables this function reads (template tests check each is set or deliberately defaulted).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } = [.. SubscriptionBatchPipeline.Variables, ProcessingSettings.RequestIndexVariable];

    /// <summary>The AWS actions this function's code calls (its role must grant them, and nothing else but logs and the DLQ).</summary>
    public static IReadOnlyList<string> AwsActions => SubscriptionBatchPipeline.AwsActions;

    /// <summary>The cold start: loads the price table (GENAIOBS_PRICES_FILE, else the S3 price file, else the embedded default).</summary>
    public static InvocationLogFunction Create(FunctionServices services)
    {
        var settings = services.Settings;
        var (aggregates, deltas) = AggregateStores(services);
        return new InvocationLogFunction(
            new BatchProcessor(LoadPrices(services), DecoderLimits.Default, ProcessingSettings.Read(services.Environment.GetVariable, services.Time, RecordSources.Invocation)),
            new EmfSerializer(settings.MetricsNamespace),
            new InvocationMetricsOptions(settings.ServiceName, settings.MaxPrincipals, settings.Environment, settings.Limits),
            services.MetricsOutput,
            services.Logger,
            services.Time,
            aggregates,
            settings.Limits,
            JoinIndex(services),
            ProcessingSettings.ReadJoinWindow(services.Environment.GetVariable),
            deltas,
            ProcessingSettings.ReadRequestIndex(services.Environment.GetVariable));
    }

    /// <summary>
    /// The aggregate store (null without a table) and, in deferred mode
    /// (<c>GENAIOBS_AGGREGATE_WRITES=deferred</c>), the same table as the delta store.
    /// </summary>
    internal static (DynamoDbAggregateStore? Store, IAggregateDeltaStore? Deltas) AggregateStores(FunctionServices services)
    {
        if (DynamoDbStoreSettings.FromEnvironment(services.Environment.GetVariable) is not { } settings)
        {
            return (null, null);
        }

        var store = DynamoDbAggregateStore.FromSettings(settings);
        return (store, settings.WriteMode == AggregateWriteMode.Deferred ? store : null);
    }

    /// <summary>The quality join index in the aggregates table (null without a table: feedback and evaluations then need the store anyway).</summary>
    internal static IRequestIndex? JoinIndex(FunctionServices services) =>
        DynamoDbStoreSettings.FromEnvironment(services.Environment.GetVariable) is { } store
            ? new DynamoDbRequestIndex(DynamoDbClientFactory.Create(store.EndpointUrl, store.Region), store.TableName, ProcessingSettings.ReadJoinWindow(services.Environment.GetVariable))
            : null;

    /// <summary>
    /// GENAIOBS_PRICES_FILE (a bad file fails the cold start), else the S3 price file named by
    /// GENAIOBS_PRICES_S3_BUCKET/KEY (unreadable or invalid: logged, embedded default used), else
    /// the embedded default table.
    /// </summary>
    internal static PriceTable LoadPrices(FunctionServices services) =>
        PriceTableSource.Read(services.Settings, services.Environment.GetVariable).Load(services.Logger);

    public Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken) =>
        _pipeline.HandleAsync(eventBody, context, cancellationToken);
}
