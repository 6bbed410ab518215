using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Sns;

namespace GenAiObs.Functions.Notifier;

/// <summary>
/// The notifier's settings, read once at cold start. Secrets are not here: only the names of
/// the SSM SecureString parameters holding them. A receiver whose parameter is not set has no
/// delivery target (its notifications are logged and skipped).
/// </summary>
/// <param name="PagerDutyEndpoint">PagerDuty Events API v2 endpoint (<c>GENAIOBS_PAGERDUTY_URL</c> overrides it for tests).</param>
/// <param name="PagerDutyRoutingKeyParameter"><c>GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM</c>: the SSM parameter holding the routing key.</param>
/// <param name="SlackOpsWebhookParameter"><c>GENAIOBS_SLACK_OPS_WEBHOOK_PARAM</c>: the SSM parameter holding the slack-ops webhook URL.</param>
/// <param name="SlackFinopsWebhookParameter"><c>GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM</c>: the SSM parameter holding the slack-finops webhook URL.</param>
public sealed record NotifierSettings(
    Uri PagerDutyEndpoint,
    string? PagerDutyRoutingKeyParameter,
    string? SlackOpsWebhookParameter,
    string? SlackFinopsWebhookParameter)
{
    public const string PagerDutyUrlVariable = EnvironmentVariables.PagerDutyUrl;
    public const string PagerDutyRoutingKeyParamVariable = EnvironmentVariables.PagerDutyRoutingKeyParameter;
    public const string SlackOpsWebhookParamVariable = EnvironmentVariables.SlackOpsWebhookParameter;
    public const string SlackFinopsWebhookParamVariable = EnvironmentVariables.SlackFinOpsWebhookParameter;

    /// <summary>
    /// <c>GENAIOBS_RECEIVER_TOPICS</c>: receiver → topic ARN. A record that carries no
    /// <c>receiver</c> attribute (a CloudWatch alarm notification) is routed by the topic it came from.
    /// </summary>
    public IReadOnlyDictionary<string, string> ReceiverTopics { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>SSM endpoint override (<c>AWS_ENDPOINT_URL_SSM</c>, then <c>AWS_ENDPOINT_URL</c>); null for AWS.</summary>
    public string? SsmEndpoint { get; init; }

    /// <summary><c>AWS_REGION</c>, when set.</summary>
    public string? Region { get; init; }

    /// <summary>Every variable <see cref="FromEnvironment"/> reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(PagerDutyRoutingKeyParamVariable, "SSM SecureString name of the PagerDuty routing key; unset = pagerduty notifications are logged and dropped"),
        SettingVariable.Deployment(SlackOpsWebhookParamVariable, "SSM SecureString name of the slack-ops webhook URL (also used for default, and slack-finops without its own)"),
        SettingVariable.Deployment(SlackFinopsWebhookParamVariable, "SSM SecureString name of the slack-finops webhook URL"),
        SettingVariable.Deployment(SnsSettings.ReceiverTopicsVariable, "receiver → topic ARN JSON; routes CloudWatch alarm notifications by their topic"),
        SettingVariable.LocalOverride(PagerDutyUrlVariable, "PagerDuty Events API endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrlSsm, "SSM endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrl, "endpoint override for every AWS service (tests)"),
        SettingVariable.Lambda(EnvironmentVariables.Region, "the SSM client's region"),
    ];

    /// <exception cref="DeliveryConfigException">GENAIOBS_PAGERDUTY_URL is not an absolute http(s) URL, or GENAIOBS_RECEIVER_TOPICS is not a JSON object of topic ARNs.</exception>
    public static NotifierSettings FromEnvironment(Func<string, string?> getVariable)
    {
        var endpoint = PagerDutyClient.DefaultEndpoint;
        if (getVariable(PagerDutyUrlVariable) is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                throw new DeliveryConfigException(PagerDutyUrlVariable, "expected an absolute http(s) URL");
            }

            endpoint = parsed;
        }

        return new NotifierSettings(
            endpoint,
            Blank(getVariable(PagerDutyRoutingKeyParamVariable)),
            Blank(getVariable(SlackOpsWebhookParamVariable)),
            Blank(getVariable(SlackFinopsWebhookParamVariable)))
        {
            ReceiverTopics = SnsSettings.ParseReceiverTopics(getVariable(SnsSettings.ReceiverTopicsVariable)),
            SsmEndpoint = Blank(getVariable(EnvironmentVariables.EndpointUrlSsm)) ?? Blank(getVariable(EnvironmentVariables.EndpointUrl)),
            Region = Blank(getVariable(EnvironmentVariables.Region)),
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
