namespace GenAiObs.Adapters.Receivers.Webhook;

/// <summary>
/// A generic webhook receiving Alertmanager's webhook JSON (version 4), so tools written for
/// Alertmanager's <c>webhook_config</c> consume our notifications unchanged
/// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). https only, any host.
/// </summary>
public sealed class WebhookIntegration(HttpPoster http, WebhookUrlPolicy urls, bool sendResolved, int maxAlerts) : IReceiverIntegration
{
    public Task<IntegrationResult> NotifyAsync(ReceiverMessage message, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.IsResolved && !sendResolved)
        {
            return Task.FromResult(IntegrationResult.Skip("send_resolved_false"));
        }

        if (urls.Accept(secret, [], out var problem) is not { } url)
        {
            return Task.FromResult(IntegrationResult.Fail("webhook URL " + problem));
        }

        var body = message.Notification is { } notification ? WebhookMessage.Build(notification, maxAlerts) : WebhookMessage.BuildForAlarm(message.Alarm!);
        return http.PostJsonAsync(url, body, HttpPoster.SecretPartsOf(url), cancellationToken);
    }
}
