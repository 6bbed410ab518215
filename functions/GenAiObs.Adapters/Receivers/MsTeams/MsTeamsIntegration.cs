namespace GenAiObs.Adapters.Receivers.MsTeams;

/// <summary>
/// Microsoft Teams through a Workflows webhook (or a legacy incoming webhook): one Adaptive Card
/// per message (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using —
/// Workflows accept Adaptive Cards only). The URL must be https on a documented host.
/// </summary>
public sealed class MsTeamsIntegration(HttpPoster http, WebhookUrlPolicy urls, bool sendResolved) : IReceiverIntegration
{
    /// <summary>Workflows URLs (<c>*.logic.azure.com</c>, <c>*.powerplatform.com</c>) and legacy incoming webhooks (<c>*.webhook.office.com</c>).</summary>
    public static readonly IReadOnlyList<string> Hosts = [".logic.azure.com", ".powerplatform.com", ".webhook.office.com"];

    public Task<IntegrationResult> NotifyAsync(ReceiverMessage message, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.IsResolved && !sendResolved)
        {
            return Task.FromResult(IntegrationResult.Skip("send_resolved_false"));
        }

        if (urls.Accept(secret, Hosts, out var problem) is not { } webhook)
        {
            return Task.FromResult(IntegrationResult.Fail("webhook URL " + problem));
        }

        var body = message.Notification is { } notification ? MsTeamsCard.Build(notification) : MsTeamsCard.BuildForAlarm(message.Alarm!);
        return http.PostJsonAsync(webhook, body, HttpPoster.SecretPartsOf(webhook), cancellationToken);
    }
}
