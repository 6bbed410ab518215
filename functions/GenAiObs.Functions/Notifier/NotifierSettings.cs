using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Sns;

namespace GenAiObs.Functions.Notifier;

/// <summary>
/// The notifier's settings, read once at cold start. Secrets are not here: only the names of
/// the SSM SecureString parameters holding them. A receiver whose parameter is not set has no
/// delivery target (its notifications are logged and skipped).
/// </summary>
public sealed record NotifierSettings(
    Uri PagerDutyEndpoint,
    string? PagerDutyRoutingKeyParameter,
    string? SlackOpsWebhookParameter,
    string? SlackFinopsWebhookParameter)
{
    public const string PagerDutyUrlVariable = "GENAIOBS_PAGERDUTY_URL";
    public const string PagerDutyRoutingKeyParamVariable = "GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM";
    public const string SlackOpsWebhookParamVariable = "GENAIOBS_SLACK_OPS_WEBHOOK_PARAM";
    public const string SlackFinopsWebhookParamVariable = "GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM";

    /// <exception cref="DeliveryConfigException">GENAIOBS_PAGERDUTY_URL is not an absolute http(s) URL.</exception>
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
            Blank(getVariable(SlackFinopsWebhookParamVariable)));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
