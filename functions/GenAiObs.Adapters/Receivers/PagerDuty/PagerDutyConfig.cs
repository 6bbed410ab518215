namespace GenAiObs.Adapters.Receivers.PagerDuty;

/// <summary>
/// One <c>pagerduty_configs</c> entry: <c>routing_key_parameter</c> (required; the SSM
/// SecureString holding the Events API v2 routing key), <c>url</c> (optional, default
/// <see cref="PagerDutyIntegration.DefaultEndpoint"/>), <c>send_resolved</c> (default true, as in
/// Alertmanager).
/// </summary>
public sealed record PagerDutyConfig : IntegrationConfig
{
    public const string ConfigKey = "pagerduty_configs";
    public const string SecretKey = "routing_key_parameter";

    public Uri? Url { get; init; }

    public override string Kind => "pagerduty";

    public static PagerDutyConfig Parse(IntegrationOptions options)
    {
        var config = new PagerDutyConfig
        {
            Path = options.Path,
            Secret = options.Secret(SecretKey),
            Url = options.HttpsUrl("url"),
            SendResolved = options.Bool("send_resolved", true),
        };
        options.Done();
        return config;
    }

    public override IReceiverIntegration Create(IntegrationServices services) =>
        new PagerDutyIntegration(services.Http, Url ?? services.DefaultEndpoints.GetValueOrDefault(Kind) ?? PagerDutyIntegration.DefaultEndpoint, SendResolved);
}
