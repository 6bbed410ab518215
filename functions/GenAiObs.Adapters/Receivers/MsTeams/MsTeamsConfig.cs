namespace GenAiObs.Adapters.Receivers.MsTeams;

/// <summary>
/// One <c>msteams_configs</c> entry: <c>webhook_url_parameter</c> (required; the SSM SecureString
/// holding the Teams Workflows "When a Teams webhook request is received" URL, or a legacy incoming
/// webhook URL), <c>send_resolved</c> (default true, as in Alertmanager).
/// </summary>
public sealed record MsTeamsConfig : IntegrationConfig
{
    public const string ConfigKey = "msteams_configs";
    public const string SecretKey = "webhook_url_parameter";

    public override string Kind => "msteams";

    public static MsTeamsConfig Parse(IntegrationOptions options)
    {
        var config = new MsTeamsConfig
        {
            Path = options.Path,
            Secret = options.Secret(SecretKey),
            SendResolved = options.Bool("send_resolved", true),
        };
        options.Done();
        return config;
    }

    public override IReceiverIntegration Create(IntegrationServices services) => new MsTeamsIntegration(services.Http, services.Urls, SendResolved);
}
