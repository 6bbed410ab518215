namespace GenAiObs.Adapters.Receivers.Webhook;

/// <summary>
/// One <c>webhook_configs</c> entry: <c>url_parameter</c> (required; the SSM SecureString holding the
/// https URL — webhook URLs often carry a token), <c>max_alerts</c> (0 = all, as in Alertmanager),
/// <c>send_resolved</c> (default true, as in Alertmanager).
/// </summary>
public sealed record WebhookConfig : IntegrationConfig
{
    public const string ConfigKey = "webhook_configs";
    public const string SecretKey = "url_parameter";

    public int MaxAlerts { get; init; }

    public override string Kind => "webhook";

    public static WebhookConfig Parse(IntegrationOptions options)
    {
        var config = new WebhookConfig
        {
            Path = options.Path,
            Secret = options.Secret(SecretKey),
            MaxAlerts = options.Int("max_alerts", 0, 0, 10_000),
            SendResolved = options.Bool("send_resolved", true),
        };
        options.Done();
        return config;
    }

    public override IReceiverIntegration Create(IntegrationServices services) => new WebhookIntegration(services.Http, services.Urls, SendResolved, MaxAlerts);
}
