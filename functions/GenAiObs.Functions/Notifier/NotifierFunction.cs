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

/// <summary>The invocation must fail so SNS/Lambda retry it: a receiver did not take a notification.</summary>
public sealed class NotifierDeliveryException : Exception
{
    public NotifierDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotifierDeliveryException()
    {
    }

    public NotifierDeliveryException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The <c>notifier</c> function, subscribed to the receivers' SNS topics. It delivers two kinds
/// of message: the evaluator's notifications and CloudWatch alarm state changes (the template's
/// native alarms publish to the pagerduty topic). The receiver is the record's <c>receiver</c>
/// attribute, else the receiver whose topic (<c>GENAIOBS_RECEIVER_TOPICS</c>) the record came
/// from, else (for a notification) its own receiver field — <c>pagerduty</c> → PagerDuty Events
/// API v2, <c>slack-ops</c> / <c>slack-finops</c> → that Slack webhook (finops falls back to ops
/// when it has no webhook of its own), <c>default</c> → slack-ops.
/// <para>
/// Alarms: ALARM triggers and OK resolves a PagerDuty incident keyed by the alarm ARN; Slack gets
/// ALARM, and OK only after ALARM; INSUFFICIENT_DATA is skipped. A receiver whose SSM parameter
/// is not configured (variable unset, or no such parameter) is logged and skipped; any other
/// record — not an SNS record, not one of these messages — is logged as rejected and skipped:
/// bad data is never retried. A delivery that still fails after the receiver client's retries
/// fails the invocation so Lambda retries the event. Log lines are JSON and carry ids,
/// receivers, alarm names and states — never alert text or secrets.
/// </para>
/// </summary>
public sealed class NotifierFunction(
    NotifierSettings settings,
    ISecretSource secrets,
    PagerDutyClient pagerDuty,
    SlackWebhookClient slack,
    StructuredLogger log) : ILambdaFunction
{
    public const string HandlerKey = "notifier";

    /// <summary>
    /// One receiver call's ceiling. Lambda stops the notifier after its timeout (30 s in the
    /// template); a hung endpoint must fail the attempt early enough for the retries to run.
    /// </summary>
    public static readonly TimeSpan ReceiverRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The environment variables this function reads (template tests check each is set or deliberately defaulted).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } = [.. FunctionSettings.LoggingVariables, .. NotifierSettings.Variables];

    /// <summary>
    /// The AWS actions this function's code calls (its role must grant them, and nothing else but
    /// logs and the DLQ): SSM GetParameter, and kms:Decrypt for SecureStrings under a
    /// customer-managed key (the default aws/ssm key's policy already admits the account).
    /// </summary>
    public static IReadOnlyList<string> AwsActions { get; } = [.. SsmSecretSource.SsmActions.Select(a => "ssm:" + a), "kms:Decrypt"];

    /// <summary>
    /// The cold start (<c>_HANDLER=notifier</c>): the settings once from the environment, the SSM
    /// client for the receiver secrets (read on first use, then cached for the sandbox's life),
    /// one HTTP client for PagerDuty and Slack.
    /// </summary>
    public static NotifierFunction Create(FunctionServices services)
    {
        var settings = NotifierSettings.FromEnvironment(services.Environment.GetVariable);
        var sender = new WebhookSender(new HttpClient { Timeout = ReceiverRequestTimeout }, services.Time, RetryPolicy.Default);
        return new NotifierFunction(
            settings,
            new SsmSecretSource(SsmClientFactory.Create(settings.SsmEndpoint, settings.Region)),
            new PagerDutyClient(sender, settings.PagerDutyEndpoint),
            new SlackWebhookClient(sender),
            services.Logger);
    }

    /// <summary>Handles an SNS event; answers a JSON summary.</summary>
    /// <exception cref="NotifierDeliveryException">A receiver did not accept a notification (Lambda retries the event).</exception>
    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken)
    {
        var result = await ProcessAsync(eventBody, cancellationToken).ConfigureAwait(false);
        log.Info(
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
                catch (Exception ex) when (ex is ReceiverDeliveryException or HttpRequestException or AmazonSimpleSystemsManagementException or InvalidOperationException or TaskCanceledException)
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
        var target = await ResolveAsync(receiver, cancellationToken).ConfigureAwait(false);
        switch (target)
        {
            case PagerDutyTarget pd:
                await pagerDuty.SendAsync(notification, pd.RoutingKey, cancellationToken).ConfigureAwait(false);
                break;
            case SlackTarget webhook:
                await slack.SendAsync(notification, webhook.Url, cancellationToken).ConfigureAwait(false);
                break;
            default:
                Log(DiagnosticLevel.Warning, "no delivery target configured", ("receiver", receiver), ("notificationId", notification.Id), ("missingParameter", (target as MissingTarget)?.Parameter));
                return false;
        }

        Log(DiagnosticLevel.Information, "notification delivered", ("receiver", receiver), ("target", target.Name), ("notificationId", notification.Id), ("status", notification.Status.ToLabel()));
        return true;
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

        var target = await ResolveAsync(receiver, cancellationToken).ConfigureAwait(false);
        switch (target)
        {
            case PagerDutyTarget pd:
                // Resolve on every OK: PagerDuty ignores a resolve for a key with no open incident.
                await pagerDuty.SendAsync(alarm, pd.RoutingKey, cancellationToken).ConfigureAwait(false);
                break;
            case SlackTarget webhook when alarm.NewState == AlarmState.Ok && alarm.OldState != AlarmState.Alarm:
                // OK after INSUFFICIENT_DATA (e.g. right after the stack creates the alarm) resolves nothing.
                Log(DiagnosticLevel.Information, "alarm skipped", ("reason", "ok_without_alarm"), ("receiver", receiver), ("alarm", alarm.Name), ("state", state));
                return false;
            case SlackTarget webhook:
                await slack.SendAsync(alarm, webhook.Url, cancellationToken).ConfigureAwait(false);
                break;
            default:
                Log(DiagnosticLevel.Warning, "no delivery target configured", ("receiver", receiver), ("alarm", alarm.Name), ("state", state), ("missingParameter", (target as MissingTarget)?.Parameter));
                return false;
        }

        Log(DiagnosticLevel.Information, "alarm delivered", ("receiver", receiver), ("target", target.Name), ("alarm", alarm.Name), ("state", state));
        return true;
    }

    private abstract record Target(string Name);

    private sealed record PagerDutyTarget(string RoutingKey) : Target("pagerduty");

    private sealed record SlackTarget(string Name, Uri Url) : Target(Name);

    /// <summary>No target: the receiver is unknown, its variable unset, or its SSM parameter missing (<see cref="Parameter"/>).</summary>
    private sealed record MissingTarget(string? Parameter) : Target("none");

    /// <summary>Where a receiver's messages go, with its secret read (once per sandbox, cached by the secret source).</summary>
    private async Task<Target> ResolveAsync(string receiver, CancellationToken cancellationToken)
    {
        switch (receiver)
        {
            case "pagerduty":
                return settings.PagerDutyRoutingKeyParameter is { } keyParameter
                    ? await SecretAsync(keyParameter, cancellationToken).ConfigureAwait(false) is { } routingKey
                        ? new PagerDutyTarget(routingKey)
                        : new MissingTarget(keyParameter)
                    : new MissingTarget(null);

            case "slack-finops" or "slack-ops" or "default":
                string? missing = null;
                if (receiver == "slack-finops" && settings.SlackFinopsWebhookParameter is { } finops)
                {
                    if (await SecretAsync(finops, cancellationToken).ConfigureAwait(false) is { } finopsUrl)
                    {
                        return new SlackTarget("slack-finops", Webhook(finopsUrl, finops));
                    }

                    missing = finops;
                }

                if (settings.SlackOpsWebhookParameter is { } ops)
                {
                    if (await SecretAsync(ops, cancellationToken).ConfigureAwait(false) is { } opsUrl)
                    {
                        return new SlackTarget("slack-ops", Webhook(opsUrl, ops));
                    }

                    missing ??= ops;
                }

                return new MissingTarget(missing);

            default:
                return new MissingTarget(null);
        }
    }

    /// <summary>The secret, or null when its parameter does not exist (a receiver never set up: skipped, not retried).</summary>
    private async Task<string?> SecretAsync(string parameter, CancellationToken cancellationToken)
    {
        try
        {
            return await secrets.GetSecretAsync(parameter, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretNotFoundException)
        {
            return null;
        }
    }

    private static Uri Webhook(string url, string parameter) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var webhook) && (webhook.Scheme == Uri.UriSchemeHttps || webhook.Scheme == Uri.UriSchemeHttp)
            ? webhook
            // Name the parameter, never its value: a webhook URL is a credential.
            : throw new InvalidOperationException($"SSM parameter '{parameter}' does not hold an http(s) webhook URL");

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
            ? settings.ReceiverTopics.FirstOrDefault(pair => pair.Value == topic.GetString()).Key
            : null;

        if (AlertJson.TryParseNotification(body, out var notification, out _))
        {
            return new IncomingMessage(notification, null, attributeReceiver ?? notification!.Receiver, null);
        }

        if (CloudWatchAlarm.TryParse(body, out var alarm))
        {
            return new IncomingMessage(null, alarm, attributeReceiver ?? topicReceiver, null);
        }

        return new IncomingMessage(null, null, null, "unknown_message");
    }

    private void Log(DiagnosticLevel level, string message, params (string Name, string? Value)[] fields) =>
        log.LogFields(level, message, [new("function", HandlerKey), .. fields.Select(f => new KeyValuePair<string, string?>(f.Name, f.Value))]);
}
