using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers;

/// <summary>PagerDuty Events API v2: trigger while firing, resolve when cleared, dedup_key = group fingerprint.</summary>
public sealed class PagerDutyClient(WebhookSender sender, Uri endpoint)
{
    public static readonly Uri DefaultEndpoint = new("https://events.pagerduty.com/v2/enqueue");

    public Task SendAsync(AlertNotification notification, string routingKey, CancellationToken cancellationToken) =>
        sender.PostJsonAsync("pagerduty", endpoint, PagerDutyEvent.Build(notification, routingKey), cancellationToken);

    /// <summary>A CloudWatch alarm: ALARM triggers, OK resolves (dedup_key from the alarm ARN).</summary>
    public Task SendAsync(CloudWatchAlarm alarm, string routingKey, CancellationToken cancellationToken) =>
        sender.PostJsonAsync("pagerduty", endpoint, PagerDutyEvent.BuildForAlarm(alarm, routingKey), cancellationToken);
}

/// <summary>Slack incoming webhook: Block Kit message with a text fallback.</summary>
public sealed class SlackWebhookClient(WebhookSender sender)
{
    public Task SendAsync(AlertNotification notification, Uri webhook, CancellationToken cancellationToken) =>
        sender.PostJsonAsync("slack", webhook, SlackMessage.Build(notification), cancellationToken);

    public Task SendAsync(CloudWatchAlarm alarm, Uri webhook, CancellationToken cancellationToken) =>
        sender.PostJsonAsync("slack", webhook, SlackMessage.BuildForAlarm(alarm), cancellationToken);
}
