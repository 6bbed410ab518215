using System.Text;
using System.Text.Json;
using Amazon.SimpleSystemsManagement;
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
/// The <c>notifier</c> function, subscribed to the receivers' SNS topics: each record's
/// <c>receiver</c> attribute picks the target — <c>pagerduty</c> → PagerDuty Events API v2,
/// <c>slack-ops</c> / <c>slack-finops</c> → that Slack webhook (finops falls back to ops when it
/// has no webhook of its own), <c>default</c> → slack-ops. A record that is not one of our
/// notifications is logged as rejected and skipped (bad data is never retried); a delivery that
/// still fails after the receiver client's retries fails the invocation so it is retried.
/// Log lines are JSON and carry ids, receivers and statuses — never alert text or secrets.
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
            if (!document.RootElement.TryGetProperty("Records", out var records) || records.ValueKind != JsonValueKind.Array)
            {
                Log(DiagnosticLevel.Warning, "event rejected", ("reason", "not_an_sns_event"));
                return new NotifierResult(0, 0, 1);
            }

            foreach (var record in records.EnumerateArray())
            {
                if (!TryReadRecord(record, out var notification, out var receiver, out var problem))
                {
                    rejected++;
                    Log(DiagnosticLevel.Warning, "record rejected", ("reason", problem));
                    continue;
                }

                try
                {
                    var target = await DeliverAsync(notification!, receiver!, cancellationToken).ConfigureAwait(false);
                    if (target is null)
                    {
                        skipped++;
                        Log(DiagnosticLevel.Warning, "no delivery target configured", ("receiver", receiver), ("notificationId", notification!.Id));
                    }
                    else
                    {
                        delivered++;
                        Log(DiagnosticLevel.Information, "notification delivered", ("receiver", receiver), ("target", target), ("notificationId", notification!.Id), ("status", notification.Status.ToLabel()));
                    }
                }
                catch (Exception ex) when (ex is ReceiverDeliveryException or HttpRequestException or AmazonSimpleSystemsManagementException or InvalidOperationException)
                {
                    failures.Add(ex);
                    Log(DiagnosticLevel.Error, "delivery failed", ("receiver", receiver), ("notificationId", notification!.Id), ("error", ex.Message));
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new NotifierDeliveryException($"{failures.Count} notification(s) not delivered", failures[0]);
        }

        return new NotifierResult(delivered, skipped, rejected);
    }

    private async Task<string?> DeliverAsync(AlertNotification notification, string receiver, CancellationToken cancellationToken)
    {
        switch (receiver)
        {
            case "pagerduty":
                if (settings.PagerDutyRoutingKeyParameter is not { } keyParameter)
                {
                    return null;
                }

                var routingKey = await secrets.GetSecretAsync(keyParameter, cancellationToken).ConfigureAwait(false);
                await pagerDuty.SendAsync(notification, routingKey, cancellationToken).ConfigureAwait(false);
                return "pagerduty";

            case "slack-finops" when settings.SlackFinopsWebhookParameter is { } finops:
                await SendSlackAsync(notification, finops, cancellationToken).ConfigureAwait(false);
                return "slack-finops";

            case "slack-ops" or "slack-finops" or "default" when settings.SlackOpsWebhookParameter is { } ops:
                await SendSlackAsync(notification, ops, cancellationToken).ConfigureAwait(false);
                return "slack-ops";

            default:
                return null;
        }
    }

    private async Task SendSlackAsync(AlertNotification notification, string parameter, CancellationToken cancellationToken)
    {
        var url = await secrets.GetSecretAsync(parameter, cancellationToken).ConfigureAwait(false);
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var webhook) || (webhook.Scheme != Uri.UriSchemeHttps && webhook.Scheme != Uri.UriSchemeHttp))
        {
            // Name the parameter, never its value: a webhook URL is a credential.
            throw new InvalidOperationException($"SSM parameter '{parameter}' does not hold an http(s) webhook URL");
        }

        await slack.SendAsync(notification, webhook, cancellationToken).ConfigureAwait(false);
    }

    private static bool TryReadRecord(JsonElement record, out AlertNotification? notification, out string? receiver, out string problem)
    {
        notification = null;
        receiver = null;
        if (record.ValueKind != JsonValueKind.Object
            || !record.TryGetProperty("Sns", out var sns) || sns.ValueKind != JsonValueKind.Object
            || !sns.TryGetProperty("Message", out var message) || message.ValueKind != JsonValueKind.String)
        {
            problem = "not_an_sns_record";
            return false;
        }

        if (!AlertJson.TryParseNotification(Encoding.UTF8.GetBytes(message.GetString()!), out notification, out _))
        {
            problem = "not_a_genaiobs_notification";
            return false;
        }

        receiver = sns.TryGetProperty("MessageAttributes", out var attributes)
            && attributes.ValueKind == JsonValueKind.Object
            && attributes.TryGetProperty("receiver", out var attribute)
            && attribute.ValueKind == JsonValueKind.Object
            && attribute.TryGetProperty("Value", out var value)
            && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : notification!.Receiver;
        problem = string.Empty;
        return true;
    }

    private void Log(DiagnosticLevel level, string message, params (string Name, string? Value)[] fields) =>
        log.LogFields(level, message, [new("function", HandlerKey), .. fields.Select(f => new KeyValuePair<string, string?>(f.Name, f.Value))]);
}
