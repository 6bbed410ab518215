namespace GenAiObs.Adapters.Receivers.Slack;

/// <summary>
/// One <c>slack_configs</c> entry: <c>api_url_parameter</c> (required; the SSM SecureString
/// holding the incoming-webhook URL, https://hooks.slack.com/… only), <c>send_resolved</c>
/// (default false, as in Alertmanager).
/// </summary>
public sealed record SlackConfig : IntegrationConfig
{
    public const string ConfigKey = "slack_configs";
    public const string SecretKey = "api_url_parameter";

    public override string Kind => "slack";

    public static SlackConfig Parse(IntegrationOptions options)
    {
        var config = new SlackConfig
        {
            Path = options.Path,
            Secret = options.Secret(SecretKey),
            SendResolved = options.Bool("send_resolved", false),
        };
        options.Done();
        return config;
    }

    public override IReceiverIntegration Create(IntegrationServices services) => new SlackIntegration(services.Http, services.Urls, SendResolved);
}
