using System.Globalization;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Bedrock;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions.Deploy;

/// <summary>
/// The <c>logging-setup</c> custom resource (<c>_HANDLER=logging-setup</c>): switches Amazon Bedrock
/// model invocation logging on into the stack's log group, which CloudFormation has no resource
/// for. Create enables text delivery to <c>LogGroupName</c> with <c>RoleArn</c>; a configuration
/// that is not this stack's is never replaced unless <c>OverwriteExisting</c> is "true" (it is then
/// kept and restored on Delete). Update applies the new properties. Delete removes the
/// configuration only while it is still the one this stack set. Every request is answered on its
/// ResponseURL — failures and timeouts included — so CloudFormation never waits out its hour.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html
/// </summary>
public sealed class LoggingSetupFunction : ILambdaFunction
{
    public const string LogGroupNameProperty = "LogGroupName";
    public const string RoleArnProperty = "RoleArn";
    public const string OverwriteExistingProperty = "OverwriteExisting";
    public const string TextDataDeliveryProperty = "TextDataDeliveryEnabled";
    public const string ImageDataDeliveryProperty = "ImageDataDeliveryEnabled";
    public const string EmbeddingDataDeliveryProperty = "EmbeddingDataDeliveryEnabled";

    /// <summary>The template parameter that allows replacing a foreign configuration (named in the FAILED reason).</summary>
    public const string OverwriteParameter = "OverwriteExistingLoggingConfiguration";

    // CloudFormation's response object is limited to 4,096 bytes; the reason is the variable part.
    private const int MaxReasonLength = 1500;

    // Time kept back from the invocation deadline to send the answer after a slow Bedrock call.
    private static readonly TimeSpan AnswerReserve = TimeSpan.FromSeconds(10);

    private readonly BedrockLoggingClient? _bedrock;
    private readonly LoggingConfigurationBackupStore? _backups;
    private readonly string _region;
    private readonly HttpClient _responses;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;
    private readonly string? _setupError;

    public LoggingSetupFunction(BedrockLoggingClient bedrock, LoggingConfigurationBackupStore backups, string region, HttpClient responses, StructuredLogger log, TimeProvider time)
    {
        _bedrock = bedrock;
        _backups = backups;
        _region = region;
        _responses = responses;
        _log = log;
        _time = time;
    }

    // A function whose settings could not be read still answers every request (FAILED, naming the
    // setting) instead of failing its cold start, which CloudFormation would wait an hour for.
    private LoggingSetupFunction(string setupError, HttpClient responses, StructuredLogger log, TimeProvider time)
    {
        _setupError = setupError;
        _region = string.Empty;
        _responses = responses;
        _log = log;
        _time = time;
    }

    /// <summary>The environment variables this function reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        .. FunctionSettings.LoggingVariables,
        .. DynamoDbStoreSettings.Variables
            .Select(v => v.Name == EnvironmentVariables.TableName
                ? v with { IsRequired = true, Purpose = "the stack's table: keeps a replaced logging configuration until the stack is deleted" }
                : v),
        .. BedrockSettings.Variables,
    ];

    /// <summary>
    /// The AWS actions this function's code calls: Bedrock's three logging-configuration calls,
    /// iam:PassRole for the logging role Bedrock is given, and the backup item in the table.
    /// </summary>
    public static IReadOnlyList<string> AwsActions { get; } =
    [
        .. BedrockLoggingClient.BedrockActions.Select(a => "bedrock:" + a),
        "iam:PassRole",
        .. LoggingConfigurationBackupStore.DynamoDbActions.Select(a => "dynamodb:" + a),
    ];

    public static LoggingSetupFunction Create(FunctionServices services)
    {
        string? Get(string name) => services.Environment.GetVariable(name);

        var responses = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        try
        {
            var bedrock = BedrockSettings.FromEnvironment(Get);
            var table = DynamoDbStoreSettings.FromEnvironment(Get)
                ?? throw new SettingsException(EnvironmentVariables.TableName, $"Required environment variable {EnvironmentVariables.TableName} is not set: the logging setup keeps a replaced configuration there.");
            var dynamoDb = DynamoDbClientFactory.Create(table.EndpointUrl, table.Region ?? bedrock.Region);
            return new LoggingSetupFunction(
                new BedrockLoggingClient(new HttpClient { Timeout = TimeSpan.FromSeconds(20) }, bedrock, new SdkCredentialsSource(), services.Time),
                new LoggingConfigurationBackupStore(dynamoDb, table.TableName, services.Time),
                bedrock.Region,
                responses,
                services.Logger,
                services.Time);
        }
        catch (SettingsException ex)
        {
            services.Logger.Error($"Logging setup cannot run: {ex.Message} Every request will be answered FAILED.", errorType: nameof(SettingsException));
            return new LoggingSetupFunction(ex.Message, responses, services.Logger, services.Time);
        }
    }

    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var request = CustomResourceRequest.TryParse(eventBody.Span);
        if (request is null)
        {
            // Nothing to answer to: not a custom-resource request.
            _log.Error("Event is not a CloudFormation custom-resource request (no ResponseURL); nothing was changed.", context.RequestId, "InvalidRequest");
            return Result("ignored", null);
        }

        var physicalId = request.PhysicalResourceId is { Length: > 0 } existing ? existing : $"bedrock-model-invocation-logging-{_region}";
        Outcome outcome;
        var budget = context.Deadline - _time.GetUtcNow() - AnswerReserve;
        using (var timeout = new CancellationTokenSource(budget > TimeSpan.FromSeconds(1) ? budget : TimeSpan.FromSeconds(1), _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                outcome = _setupError is not null
                    ? Outcome.Failed(_setupError)
                    : await ApplyAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                outcome = Outcome.Failed("Timed out talking to Amazon Bedrock; nothing is known to have changed. Retry the stack operation.");
            }
            catch (Exception ex) when (ex is AwsServiceException or CustomResourceRequestException or Amazon.Runtime.AmazonServiceException or HttpRequestException or JsonException)
            {
                outcome = Outcome.Failed(ex.Message);
            }
        }

        if (request.RequestType == "Delete" && !outcome.Success)
        {
            // A FAILED Delete blocks the stack's removal; say so, but still answer.
            _log.Warn($"Delete could not restore or remove the logging configuration: {outcome.Reason}", context.RequestId);
        }

        await AnswerAsync(request, physicalId, outcome, cancellationToken).ConfigureAwait(false);
        _log.Info($"{request.RequestType} answered {(outcome.Success ? "SUCCESS" : "FAILED")}: {outcome.Action}.", context.RequestId);
        return Result(outcome.Success ? "SUCCESS" : "FAILED", outcome.Action);
    }

    private async Task<Outcome> ApplyAsync(CustomResourceRequest request, CancellationToken cancellationToken)
    {
        var current = await _bedrock!.GetAsync(cancellationToken).ConfigureAwait(false);
        switch (request.RequestType)
        {
            case "Create":
            case "Update":
            {
                // Every property is checked before anything changes: a bad one fails the request as is.
                var logGroup = request.Required(LogGroupNameProperty);
                var role = request.Required(RoleArnProperty);
                var overwrite = request.Flag(OverwriteExistingProperty, fallback: false);
                var desired = Desired(request, logGroup, role);
                var ours = current is null
                    || IsConfiguration(current.Value, logGroup, role)
                    || (request.RequestType == "Update" && IsConfiguration(current.Value, request.OldProperties.GetValueOrDefault(LogGroupNameProperty), request.OldProperties.GetValueOrDefault(RoleArnProperty)));
                if (!ours)
                {
                    if (!overwrite)
                    {
                        return Outcome.Failed(
                            $"Amazon Bedrock model invocation logging in {_region} is already configured ({Describe(current!.Value)}) and this stack did not set it; it was left unchanged. " +
                            $"Deploy with {OverwriteParameter}=true to replace it (it is restored when the stack is deleted), " +
                            $"or with CreateInvocationLogGroup=false and InvocationLogGroupName set to the group it writes to.");
                    }

                    await _backups!.SaveIfAbsentAsync(_region, current!.Value.GetRawText(), cancellationToken).ConfigureAwait(false);
                }

                using var document = JsonDocument.Parse(desired);
                await _bedrock.PutAsync(document.RootElement, cancellationToken).ConfigureAwait(false);
                return Outcome.Done(ours ? $"logging to {logGroup}" : $"logging to {logGroup}, replacing {Describe(current!.Value)} (kept for restore)");
            }

            case "Delete":
            {
                if (current is null)
                {
                    return Outcome.Done("logging already off");
                }

                var logGroup = request.Properties.GetValueOrDefault(LogGroupNameProperty);
                var role = request.Properties.GetValueOrDefault(RoleArnProperty);
                if (!IsConfiguration(current.Value, logGroup, role))
                {
                    // Someone else's configuration (or a failed Create that never replaced it): never touched.
                    return Outcome.Done($"left {Describe(current.Value)} unchanged (not this stack's)");
                }

                var previous = await _backups!.LoadAsync(_region, cancellationToken).ConfigureAwait(false);
                if (previous is not null)
                {
                    using var document = JsonDocument.Parse(previous);
                    await _bedrock.PutAsync(document.RootElement, cancellationToken).ConfigureAwait(false);
                    await _backups.DeleteAsync(_region, cancellationToken).ConfigureAwait(false);
                    return Outcome.Done($"restored {Describe(document.RootElement)}");
                }

                await _bedrock.DeleteAsync(cancellationToken).ConfigureAwait(false);
                return Outcome.Done("logging turned off");
            }

            default:
                return Outcome.Failed($"Unknown RequestType '{request.RequestType}' (expected Create, Update or Delete).");
        }
    }

    /// <summary>The loggingConfig this stack sets: CloudWatch Logs delivery with the given role, and the delivery flags.</summary>
    private static string Desired(CustomResourceRequest request, string logGroup, string role)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("cloudWatchConfig");
            writer.WriteString("logGroupName", logGroup);
            writer.WriteString("roleArn", role);
            writer.WriteEndObject();
            writer.WriteBoolean("textDataDeliveryEnabled", request.Flag(TextDataDeliveryProperty, fallback: true));
            writer.WriteBoolean("imageDataDeliveryEnabled", request.Flag(ImageDataDeliveryProperty, fallback: false));
            writer.WriteBoolean("embeddingDataDeliveryEnabled", request.Flag(EmbeddingDataDeliveryProperty, fallback: false));
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool IsConfiguration(JsonElement config, string? logGroup, string? role) =>
        logGroup is not null && role is not null
        && config.TryGetProperty("cloudWatchConfig", out var cloudWatch) && cloudWatch.ValueKind == JsonValueKind.Object
        && cloudWatch.TryGetProperty("logGroupName", out var group) && group.ValueKind == JsonValueKind.String && group.GetString() == logGroup
        && cloudWatch.TryGetProperty("roleArn", out var arn) && arn.ValueKind == JsonValueKind.String && arn.GetString() == role;

    /// <summary>Where a configuration delivers (log group and/or bucket), for reasons and logs.</summary>
    private static string Describe(JsonElement config)
    {
        var parts = new List<string>();
        if (config.TryGetProperty("cloudWatchConfig", out var cloudWatch) && cloudWatch.ValueKind == JsonValueKind.Object
            && cloudWatch.TryGetProperty("logGroupName", out var group) && group.ValueKind == JsonValueKind.String)
        {
            parts.Add($"CloudWatch Logs group {group.GetString()}");
        }

        if (config.TryGetProperty("s3Config", out var s3) && s3.ValueKind == JsonValueKind.Object
            && s3.TryGetProperty("bucketName", out var bucket) && bucket.ValueKind == JsonValueKind.String)
        {
            parts.Add($"S3 bucket {bucket.GetString()}");
        }

        return parts.Count > 0 ? "delivering to " + string.Join(" and ", parts) : "with no destination";
    }

    /// <summary>PUTs the response object to the pre-signed ResponseURL (no Content-Type: the URL is signed without one).</summary>
    private async Task AnswerAsync(CustomResourceRequest request, string physicalId, Outcome outcome, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Status", outcome.Success ? "SUCCESS" : "FAILED");
            writer.WriteString("Reason", outcome.Reason.Length > MaxReasonLength ? outcome.Reason[..MaxReasonLength] : outcome.Reason);
            writer.WriteString("PhysicalResourceId", physicalId);
            writer.WriteString("StackId", request.StackId);
            writer.WriteString("RequestId", request.RequestId);
            writer.WriteString("LogicalResourceId", request.LogicalResourceId);
            writer.WriteStartObject("Data");
            writer.WriteString("Action", outcome.Action);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        var body = buffer.ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Put, request.ResponseUrl) { Content = new ByteArrayContent(body) };
                using var response = await _responses.SendAsync(message, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                if (attempt >= 3)
                {
                    throw new HttpRequestException($"CloudFormation's ResponseURL answered {(int)response.StatusCode} to {attempt} attempts.");
                }
            }
            catch (HttpRequestException) when (attempt < 3)
            {
                // Retried below.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private byte[] Result(string status, string? action)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", status);
            if (action is not null)
            {
                writer.WriteString("action", action);
            }

            writer.WriteString("at", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private sealed record Outcome(bool Success, string Reason, string Action)
    {
        public static Outcome Done(string action) => new(true, string.Empty, action);

        public static Outcome Failed(string reason) => new(false, reason, "none");
    }
}
