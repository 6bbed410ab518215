using GenAiObs.Adapters.Receivers.PagerDuty;
using GenAiObs.Adapters.Receivers.Slack;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// The one table of integrations: a receiver's YAML key (<c>slack_configs</c>, …) → the parser of
/// one entry. Adding an integration is its folder plus one line here.
/// </summary>
public static class IntegrationRegistry
{
    public static IReadOnlyDictionary<string, Func<IntegrationOptions, IntegrationConfig>> Parsers { get; } =
        new Dictionary<string, Func<IntegrationOptions, IntegrationConfig>>(StringComparer.Ordinal)
        {
            [PagerDutyConfig.ConfigKey] = PagerDutyConfig.Parse,
            [SlackConfig.ConfigKey] = SlackConfig.Parse,
            [MsTeams.MsTeamsConfig.ConfigKey] = MsTeams.MsTeamsConfig.Parse,
            [Webhook.WebhookConfig.ConfigKey] = Webhook.WebhookConfig.Parse,
        };
}
