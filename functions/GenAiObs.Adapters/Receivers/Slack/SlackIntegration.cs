using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers.Slack;

/// <summary>
/// Slack incoming webhook (https://api.slack.com/messaging/webhooks): a Block Kit message with a
/// text fallback. An OK alarm is posted only after an ALARM (OK after INSUFFICIENT_DATA, e.g.
/// right after the stack creates the alarm, resolves nothing).
/// </summary>
public sealed class SlackIntegration(HttpPoster http, WebhookUrlPolicy urls, bool sendResolved) : IReceiverIntegration
{
    /// <summary>Incoming webhooks are served from this host only.</summary>
    public static readonly IReadOnlyList<string> Hosts = ["hooks.slack.com"];

    public Task<IntegrationResult> NotifyAsync(ReceiverMessage message, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.IsResolved && !sendResolved)
        {
            return Task.FromResult(IntegrationResult.Skip("send_resolved_false"));
        }

        if (message.Alarm is { NewState: AlarmState.Ok } ok && ok.OldState != AlarmState.Alarm)
        {
            return Task.FromResult(IntegrationResult.Skip("ok_without_alarm"));
        }

        if (urls.Accept(secret, Hosts, out var problem) is not { } webhook)
        {
            return Task.FromResult(IntegrationResult.Fail("webhook URL " + problem));
        }

        var body = message.Notification is { } notification ? SlackMessage.Build(notification) : SlackMessage.BuildForAlarm(message.Alarm!);
        return http.PostJsonAsync(webhook, body, HttpPoster.SecretPartsOf(webhook), cancellationToken);
    }
}
