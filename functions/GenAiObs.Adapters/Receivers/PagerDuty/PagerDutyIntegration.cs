using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers.PagerDuty;

/// <summary>
/// PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
/// trigger while a group fires, resolve when it clears, <c>dedup_key</c> = the group fingerprint;
/// a CloudWatch alarm triggers on ALARM and resolves on OK (PagerDuty ignores a resolve for a key
/// with no open incident).
/// </summary>
public sealed class PagerDutyIntegration(HttpPoster http, Uri endpoint, bool sendResolved) : IReceiverIntegration
{
    public static readonly Uri DefaultEndpoint = new("https://events.pagerduty.com/v2/enqueue");

    public Task<IntegrationResult> NotifyAsync(ReceiverMessage message, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.IsResolved && !sendResolved)
        {
            return Task.FromResult(IntegrationResult.Skip("send_resolved_false"));
        }

        var routingKey = secret.Trim();
        var body = message.Notification is { } notification
            ? PagerDutyEvent.Build(notification, routingKey)
            : PagerDutyEvent.BuildForAlarm(message.Alarm!, routingKey);
        return http.PostJsonAsync(endpoint, body, [routingKey], cancellationToken);
    }
}
