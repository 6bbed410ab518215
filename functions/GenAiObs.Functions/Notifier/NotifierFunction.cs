using System.Text;
using System.Text.Json;
using Amazon.SimpleSystemsManagement;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Core.Alerts;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions.Notifier;

/// <summary>What one notifier invocation did.</summary>
public sealed record NotifierResult(int Delivered, int Skipped, int Rejected);

/// <summary>
/// The <c>notifier</c> function, subscribed to the alert topic. It delivers two kinds of message:
/// the evaluator's notifications and CloudWatch alarm state changes (the template's native alarms
/// publish to the same topic). The receiver is the record's <c>receiver</c> attribute, else (an
/// alarm) the receiver of the topic it came from in <c>GENAIOBS_RECEIVER_TOPICS</c>, else
/// <c>GENAIOBS_ALARM_RECEIVER</c>, else (a notification) its own receiver field. The receiver's
/// integrations come from the configuration (<see cref="NotifierSettings.Receivers"/>); each is
/// delivered through <see cref="IntegrationRunner"/> (retries, Retry-After, secret refresh).
/// <para>
/// A receiver that is not configured fails the invocation (it is never silently dropped: Lambda
/// retries, then the dead-letter queue keeps it); cold start already refuses routes naming one.
/// A receiver with no integration, or whose secret parameter does not exist, is logged and
/// skipped. A firing notification or ALARM older than <see cref="NotifierSettings.MaxNotificationAge"/>,
/// or older than the last resolve of its group, is dropped (logged). Alarms in INSUFFICIENT_DATA
/// are skipped. Any other record — not an SNS record, not one of these messages — is logged as
/// rejected and skipped: bad data is never retried. Log lines are JSON and carry ids, receivers,
/// alarm names and states — never alert text or secrets.
/// </para>
/// </summary>
public sealed class NotifierFunction : ILambdaFunction
{
    public const string HandlerKey = "notifier";

    private readonly NotifierSettings _settings;
    private readonly IntegrationRunner _runner;
    private readonly StructuredLogger _log;
    private readonly TimeProvider _time;
    private readonly IResolveLedger _ledger;
    private readonly Dictionary<string, List<(IntegrationConfig Config, IReceiverIntegration Integration)>> _integrations = new(StringComparer.Ordinal);

    public NotifierFunction(NotifierSettings settings, IntegrationRunner runner, IntegrationServices services, StructuredLogger log, TimeProvider? time = null, IResolveLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        _settings = settings;
        _runner = runner;
        _log = log;
        _time = time ?? TimeProvider.System;
        _ledger = ledger ?? new InMemoryResolveLedger();
        var defaults = new Dictionary<string, Uri>(services.DefaultEndpoints, StringComparer.Ordinal);
        defaults.TryAdd("pagerduty", settings.PagerDutyEndpoint);
        var withDefaults = services with { DefaultEndpoints = defaults };
        foreach (var receiver in settings.Receivers.Receivers)
        {
            _integrations[receiver.Name] = [.. receiver.Integrations.Select(config => (config, config.Create(withDefaults)))];
        }
    }

    /// <summary>One receiver call's ceiling (<see cref="HttpPoster.RequestTimeout"/>).</summary>
    public static readonly TimeSpan ReceiverRequestTimeout = HttpPoster.RequestTimeout;

    /// <summary>The environment variables this function reads (template tests check each is set or deliberately defaulted).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } = [.. FunctionSettings.LoggingVariables, .. NotifierSettings.Variables];

    /// <summary>
    /// The AWS actions this function's code calls (its role must grant them, and nothing else but
    /// logs and the DLQ): SSM GetParameter, and kms:Decrypt for SecureStrings under a
    /// customer-managed key (the default aws/ssm key's policy already admits the account).
    /// </summary>
    public static IReadOnlyList<string> AwsActions { get; } = [.. SsmSecretSource.SsmActions.Select(a => "ssm:" + a), "kms:Decrypt"];

    /// <summary>
    /// The cold start (<c>_HANDLER=notifier</c>): the settings and receivers once from the
    /// environment (an invalid receiver configuration fails here, naming its YAML path), the SSM
    /// client for the receiver secrets (read on first use, cached for a TTL), one HTTP client
    /// (no redirects, 10 s per call) for every integration.
    /// </summary>
    public static NotifierFunction Create(FunctionServices services)
    {
        var settings = NotifierSettings.FromEnvironment(services.Environment.GetVariable);
        var secrets = new SsmSecretSource(SsmClientFactory.Create(settings.SsmEndpoint, settings.Region), services.Time);
        return new NotifierFunction(
            settings,
            new IntegrationRunner(secrets, RetryPolicy.Default, time: services.Time),
            new IntegrationServices(new HttpPoster(HttpPoster.CreateClient(), services.Time, RetryPolicy.Default), WebhookUrlPolicy.Strict),
            services.Logger,
            services.Time);
    }

    /// <summary>Handles an SNS event; answers a JSON summary.</summary>
    /// <exception cref="NotifierDeliveryException">A receiver did not accept a notification (Lambda retries the event).</exception>
    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var result = await ProcessAsync(eventBody, cancellationToken).ConfigureAwait(false);
        _log.Info(
            "Notifications handled.",
            context.RequestId,
            [new("delivered", result.Delivered), new("skipped", result.Skipped), new("rejected", result.Rejected)]);
        return Encoding.UTF8.GetBytes($"{{\"delivered\":{result.Delivered},\"skipped\":{result.Skipped},\"rejected\":{result.Rejected}}}");
    }

    public async Task<NotifierResult> ProcessAsync(ReadOnlyMemory<byte> eventJson, CancellationToken cancellationToken)
    {
        int delivered = 0, skipped = 0, rejected = 0;
        var failures = new List<Exception>();

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(eventJson);
        }
        catch (JsonException)
        {
            Log(DiagnosticLevel.Warning, "event rejected", ("reason", "invalid_json"));
            return new NotifierResult(0, 0, 1);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Records", out var records)
                || records.ValueKind != JsonValueKind.Array)
            {
                Log(DiagnosticLevel.Warning, "event rejected", ("reason", "not_an_sns_event"));
                return new NotifierResult(0, 0, 1);
            }

            foreach (var record in records.EnumerateArray())
            {
                var message = ReadRecord(record);
                if (message.Problem is { } problem)
                {
                    rejected++;
                    Log(DiagnosticLevel.Warning, "record rejected", ("reason", problem));
                    continue;
                }

                try
                {
                    var outcome = message.Alarm is { } alarm
                        ? await DeliverAlarmAsync(alarm, message.Receiver, cancellationToken).ConfigureAwait(false)
                        : await DeliverNotificationAsync(message.Notification!, message.Receiver!, cancellationToken).ConfigureAwait(false);
                    if (outcome)
                    {
                        delivered++;
                    }
                    else
                    {
                        skipped++;
                    }
                }
                catch (Exception ex) when (ex is ReceiverDeliveryException or HttpRequestException or AmazonSimpleSystemsManagementException or InvalidOperationException or TaskCanceledException or Amazon.Runtime.AmazonClientException)
                {
                    failures.Add(ex);
                    Log(DiagnosticLevel.Error, "delivery failed", ("receiver", message.Receiver), ("notificationId", message.Notification?.Id), ("alarm", message.Alarm?.Name), ("error", ex.Message));
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new NotifierDeliveryException($"{failures.Count} notification(s) not delivered", failures[0]);
        }

        return new NotifierResult(delivered, skipped, rejected);
    }

    /// <summary>True when delivered, false when skipped (logged).</summary>
    private async Task<bool> DeliverNotificationAsync(AlertNotification notification, string receiver, CancellationToken cancellationToken)
    {
        var groupId = AlertGroupKeys.GroupId(receiver, notification.GroupKey);
        var status = notification.Status.ToLabel();
        if (notification.Status == AlertStatus.Resolved)
        {
            await _ledger.RecordResolvedAsync(groupId, notification.At, cancellationToken).ConfigureAwait(false);
        }
        else if (await StaleReasonAsync(groupId, notification.At, cancellationToken).ConfigureAwait(false) is { } stale)
        {
            Log(DiagnosticLevel.Warning, "notification dropped", ("reason", stale), ("receiver", receiver), ("notificationId", notification.Id), ("status", status), ("at", AlertJson.FormatTime(notification.At)));
            return false;
        }

        return await DeliverAsync(receiver, ReceiverMessage.For(notification), [("notificationId", notification.Id), ("status", status)], "notification delivered", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when delivered, false when skipped (logged).</summary>
    private async Task<bool> DeliverAlarmAsync(CloudWatchAlarm alarm, string? receiver, CancellationToken cancellationToken)
    {
        var state = CloudWatchAlarm.StateLabel(alarm.NewState);
        if (receiver is null)
        {
            Log(DiagnosticLevel.Warning, "alarm skipped", ("reason", "unknown_topic"), ("alarm", alarm.Name), ("state", state));
            return false;
        }

        if (alarm.NewState == AlarmState.InsufficientData)
        {
            // Neither a page nor a resolution: the alarm has no data to judge by.
            Log(DiagnosticLevel.Information, "alarm skipped", ("reason", "insufficient_data"), ("receiver", receiver), ("alarm", alarm.Name), ("state", state));
            return false;
        }

        var key = "alarm#" + alarm.DedupKey;
        var changedAt = alarm.StateChangeTime ?? _time.GetUtcNow();
        if (alarm.NewState == AlarmState.Ok)
        {
            await _ledger.RecordResolvedAsync(key, changedAt, cancellationToken).ConfigureAwait(false);
        }
        else if (await StaleReasonAsync(key, changedAt, cancellationToken).ConfigureAwait(false) is { } stale)
        {
            Log(DiagnosticLevel.Warning, "alarm skipped", ("reason", stale), ("receiver", receiver), ("alarm", alarm.Name), ("state", state));
            return false;
        }

        return await DeliverAsync(receiver, ReceiverMessage.For(alarm), [("alarm", alarm.Name), ("state", state)], "alarm delivered", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why a trigger from <paramref name="at"/> must not be sent, or null.</summary>
    private async Task<string?> StaleReasonAsync(string key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_time.GetUtcNow() - at > _settings.MaxNotificationAge)
        {
            return "too_old";
        }

        return await _ledger.LastResolvedAsync(key, cancellationToken).ConfigureAwait(false) is { } resolved && at <= resolved
            ? "older_than_resolve"
            : null;
    }

    private async Task<bool> DeliverAsync(string receiver, ReceiverMessage message, (string Name, string? Value)[] fields, string deliveredMessage, CancellationToken cancellationToken)
    {
        if (!_integrations.TryGetValue(receiver, out var integrations))
        {
            // Cold start refuses routes to unknown receivers; this is a message from another
            // configuration (or a hand-made publish). Fail so it is retried, then dead-lettered.
            throw new InvalidOperationException($"receiver '{receiver}' is not configured in {_settings.Receivers.Source}");
        }

        if (integrations.Count == 0)
        {
            Log(DiagnosticLevel.Warning, "no delivery target configured", [("receiver", receiver), .. fields]);
            return false;
        }

        var any = false;
        foreach (var (config, integration) in integrations)
        {
            var result = await _runner.DeliverAsync(config, integration, message, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == IntegrationOutcome.Delivered)
            {
                any = true;
                Log(DiagnosticLevel.Information, deliveredMessage, [("receiver", receiver), ("target", config.Kind), ("integration", config.Path), .. fields]);
            }
            else if (result.Detail.StartsWith("missing_parameter:", StringComparison.Ordinal))
            {
                Log(DiagnosticLevel.Warning, "no delivery target configured", [("receiver", receiver), ("target", config.Kind), .. fields, ("missingParameter", result.Detail["missing_parameter:".Length..])]);
            }
            else
            {
                Log(DiagnosticLevel.Information, message.Alarm is null ? "notification skipped" : "alarm skipped", [("reason", result.Detail), ("receiver", receiver), ("target", config.Kind), .. fields]);
            }
        }

        return any;
    }

    private sealed record IncomingMessage(AlertNotification? Notification, CloudWatchAlarm? Alarm, string? Receiver, string? Problem);

    private IncomingMessage ReadRecord(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object
            || !record.TryGetProperty("Sns", out var sns) || sns.ValueKind != JsonValueKind.Object
            || !sns.TryGetProperty("Message", out var message) || message.ValueKind != JsonValueKind.String)
        {
            return new IncomingMessage(null, null, null, "not_an_sns_record");
        }

        var body = Encoding.UTF8.GetBytes(message.GetString()!);
        var attributeReceiver = sns.TryGetProperty("MessageAttributes", out var attributes)
            && attributes.ValueKind == JsonValueKind.Object
            && attributes.TryGetProperty("receiver", out var attribute)
            && attribute.ValueKind == JsonValueKind.Object
            && attribute.TryGetProperty("Value", out var value)
            && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        var topicReceiver = sns.TryGetProperty("TopicArn", out var topic) && topic.ValueKind == JsonValueKind.String
            ? _settings.ReceiverTopics.FirstOrDefault(pair => pair.Value == topic.GetString()).Key
            : null;

        if (AlertJson.TryParseNotification(body, out var notification, out _))
        {
            return new IncomingMessage(notification, null, attributeReceiver ?? notification!.Receiver, null);
        }

        if (CloudWatchAlarm.TryParse(body, out var alarm))
        {
            return new IncomingMessage(null, alarm, attributeReceiver ?? topicReceiver ?? _settings.AlarmReceiver, null);
        }

        return new IncomingMessage(null, null, null, "unknown_message");
    }

    private void Log(DiagnosticLevel level, string message, params (string Name, string? Value)[] fields) =>
        _log.LogFields(level, message, [new("function", HandlerKey), .. fields.Select(f => new KeyValuePair<string, string?>(f.Name, f.Value))]);
}
