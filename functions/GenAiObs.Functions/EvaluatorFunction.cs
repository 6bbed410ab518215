using System.Text.Json;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Adapters.Sns;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions;

/// <summary>
/// The alert evaluator (<c>_HANDLER=evaluator</c>), run by an EventBridge schedule every 5
/// minutes: store maintenance, rules, notification lifecycle, SNS. The scheduled event carries
/// nothing the evaluation needs (the clock decides the windows), so any event is accepted. A
/// notification SNS refused is not an invocation error: it stays due and the next run sends it,
/// which a Lambda retry of the whole run would only do sooner and twice as loud.
/// </summary>
public sealed class EvaluatorFunction : ILambdaFunction
{
    private readonly AlertEvaluator _evaluator;
    private readonly StructuredLogger _log;
    private readonly DeltaRollup? _rollup;
    private readonly TimeProvider _time;

    /// <param name="evaluator">Maintenance, rules, notifications.</param>
    /// <param name="log">Structured diagnostics.</param>
    /// <param name="rollup">Deferred aggregate writes: the roll-up run before each evaluation; null in direct mode.</param>
    /// <param name="time">The clock the roll-up's closure rule reads (the system clock when null).</param>
    public EvaluatorFunction(AlertEvaluator evaluator, StructuredLogger log, DeltaRollup? rollup = null, TimeProvider? time = null)
    {
        _evaluator = evaluator;
        _log = log;
        _rollup = rollup;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The environment variables this function reads (template tests check each is set or deliberately defaulted).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        .. FunctionSettings.LoggingVariables,
        .. DynamoDbStoreSettings.Variables.Select(v => v.Name == EnvironmentVariables.TableName
            ? v with { IsRequired = true, Purpose = "the aggregates table: aggregates, baselines and alert state" }
            : v),
        .. EvaluatorSettings.Variables,
        .. CardinalitySettings.Variables,
        .. SnsSettings.Variables,
    ];

    /// <summary>
    /// The AWS actions this function's code calls (its role must grant them, and nothing else but
    /// logs and the DLQ): both stores' DynamoDB calls, SNS Publish, and the KMS calls SNS makes
    /// on the publisher's behalf for an encrypted topic.
    /// </summary>
    public static IReadOnlyList<string> AwsActions { get; } =
    [
        .. DynamoDbAggregateStore.DynamoDbActions.Union(DynamoDbAlertStateStore.DynamoDbActions).Select(a => "dynamodb:" + a),
        .. SnsClient.SnsActions.Select(a => "sns:" + a),
        "kms:GenerateDataKey",
        "kms:Decrypt",
    ];

    /// <summary>
    /// The cold start: rule settings and routing (a bad threshold or routing fails init, naming
    /// the setting), the DynamoDB table (<c>GENAIOBS_TABLE_NAME</c>, required here), the SNS
    /// topics per receiver.
    /// </summary>
    public static EvaluatorFunction Create(FunctionServices services)
    {
        string? Get(string name) => services.Environment.GetVariable(name);

        var evaluatorSettings = EvaluatorSettings.FromLookup(Get, File.ReadAllText);
        var table = DynamoDbStoreSettings.FromEnvironment(Get)
            ?? throw new SettingsException(EnvironmentVariables.TableName, $"Required environment variable {EnvironmentVariables.TableName} is not set: the evaluator reads aggregates and keeps alert state there.");
        var dynamoDb = DynamoDbClientFactory.Create(table.EndpointUrl, table.Region);
        var sns = SnsSettings.FromEnvironment(Get);
        var publisher = new SnsAlertPublisher(
            new SnsClient(new HttpClient { Timeout = SnsClient.RequestTimeout }, sns.Endpoint, sns.Region, new SdkCredentialsSource(), services.Time),
            sns.ReceiverTopics,
            sns.AlertTopicArn);
        var store = new DynamoDbAggregateStore(dynamoDb, table.TableName, table.Retention);
        var deferred = table.WriteMode == AggregateWriteMode.Deferred;
        var evaluator = new AlertEvaluator(
            store,
            new RuleEvaluator(evaluatorSettings.Rules),
            evaluatorSettings.Routing,
            new DynamoDbAlertStateStore(dynamoDb, table.TableName),
            publisher,
            services.Time,
            new EvaluatorOptions { Maintenance = MaintenanceSettings.Default with { Limits = services.Settings.Limits } },
            retention: table.Retention,
            readView: deferred ? items => new PendingDeltaAggregateReader(items, store, services.Time, table.Retention, services.Settings.Limits) : null);
        return new EvaluatorFunction(evaluator, services.Logger, deferred ? new DeltaRollup(store, store, limits: services.Settings.Limits) : null, services.Time);
    }

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        // Deferred writes: the closed windows' deltas reach the fine items first, so maintenance
        // rolls them into the hours and days; the rules read the rest through the pending deltas.
        if (_rollup is not null)
        {
            var rolled = await _rollup.RunAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            _log.Info(
                rolled.Behind ? "Deltas rolled up; closed windows remain for the next run." : "Deltas rolled up.",
                context.RequestId,
                [new("windows", rolled.Windows), new("deltas", rolled.Deltas), new("itemsApplied", rolled.ItemsApplied)]);
        }

        var result = await _evaluator.EvaluateAsync(cancellationToken).ConfigureAwait(false);

        var counts = new KeyValuePair<string, long>[]
        {
            new("alerts", result.Alerts.Count),
            new("sent", result.Sent.Count),
            new("failed", result.Failed.Count),
            new("conflicts", result.Conflicts),
            new("muted", result.Muted),
            new("unreleased", result.Unreleased),
        };
        var rules = result.Alerts
            .GroupBy(alert => alert.Rule, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new KeyValuePair<string, long>(group.Key, group.Count()))
            .ToList();
        if (result.Failed.Count > 0)
        {
            _log.Warn("Some notifications could not be published; they stay due for the next evaluation.", context.RequestId, counts, rules);
        }
        else
        {
            _log.Info("Evaluation done.", context.RequestId, counts, rules);
        }

        return Response(result, ScheduledTime(eventBody.Span));
    }

    /// <summary>The scheduled event's <c>time</c>, when it has one (reported back, not used for the windows).</summary>
    private static string? ScheduledTime(ReadOnlySpan<byte> eventBody)
    {
        try
        {
            var reader = new Utf8JsonReader(eventBody);
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return null;
            }

            using (document)
            {
                return document.RootElement.ValueKind == JsonValueKind.Object &&
                       document.RootElement.TryGetProperty("time", out var time) && time.ValueKind == JsonValueKind.String
                    ? time.GetString()
                    : null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Response(EvaluationResult result, string? scheduledTime)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, AlertJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("at", AlertJson.FormatTime(result.At));
            if (scheduledTime is not null)
            {
                writer.WriteString("scheduledTime", scheduledTime);
            }

            writer.WriteNumber("alerts", result.Alerts.Count);
            writer.WriteStartArray("firing");
            foreach (var rule in result.Alerts.Select(alert => alert.Rule).Distinct(StringComparer.Ordinal))
            {
                writer.WriteStringValue(rule);
            }

            writer.WriteEndArray();
            writer.WriteNumber("sent", result.Sent.Count);
            writer.WriteNumber("failed", result.Failed.Count);
            writer.WriteNumber("conflicts", result.Conflicts);
            writer.WriteNumber("unreleased", result.Unreleased);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
