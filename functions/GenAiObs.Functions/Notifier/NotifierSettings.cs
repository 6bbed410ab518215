using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.PagerDuty;
using GenAiObs.Adapters.Sns;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Functions.Notifier;

/// <summary>
/// The notifier's settings, read once at cold start. Secrets are not here: only the names of
/// the SSM SecureString parameters holding them. The receivers come from the routing YAML's
/// <c>receivers:</c> (<c>GENAIOBS_ROUTING_FILE</c> / <c>GENAIOBS_ROUTING</c>, the same configuration the
/// evaluator routes with), else from the three legacy parameter variables
/// (<see cref="ReceiverConfiguration.Legacy"/>).
/// </summary>
/// <param name="PagerDutyEndpoint">PagerDuty Events API v2 endpoint for configs without a <c>url</c> (<c>GENAIOBS_PAGERDUTY_URL</c> overrides it for tests).</param>
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

    /// <summary>Default of <see cref="MaxNotificationAge"/>: Lambda's own async retries come within minutes; a dead-letter redrive hours later must not page.</summary>
    public static readonly TimeSpan DefaultMaxNotificationAge = TimeSpan.FromHours(1);

    /// <summary>The receivers and their integrations; default: the legacy four from the parameter variables.</summary>
    public ReceiverConfiguration Receivers
    {
        get => field ??= ReceiverConfiguration.Legacy(PagerDutyRoutingKeyParameter, SlackOpsWebhookParameter, SlackFinopsWebhookParameter);
        init;
    }

    /// <summary>
    /// <c>GENAIOBS_RECEIVER_TOPICS</c> (optional): receiver → topic ARN. A record that carries no
    /// <c>receiver</c> attribute (a CloudWatch alarm notification) is routed by the topic it came from.
    /// </summary>
    public IReadOnlyDictionary<string, string> ReceiverTopics { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// <c>GENAIOBS_ALARM_RECEIVER</c>: the receiver of a CloudWatch alarm whose topic is not in
    /// <see cref="ReceiverTopics"/> (the template's alarms publish to the one alert topic); null = such alarms are skipped.
    /// </summary>
    public string? AlarmReceiver { get; init; }

    /// <summary>
    /// <c>GENAIOBS_NOTIFICATION_MAX_AGE</c> (Prometheus duration): a firing notification or ALARM
    /// older than this is dropped (logged), so a redriven or long-delayed trigger cannot page for
    /// something long over. Resolves are always delivered: a late resolve cannot reopen anything.
    /// </summary>
    public TimeSpan MaxNotificationAge { get; init; } = DefaultMaxNotificationAge;

    /// <summary>SSM endpoint override (<c>AWS_ENDPOINT_URL_SSM</c>, then <c>AWS_ENDPOINT_URL</c>); null for AWS.</summary>
    public string? SsmEndpoint { get; init; }

    /// <summary><c>AWS_REGION</c>, when set.</summary>
    public string? Region { get; init; }

    /// <summary>Every variable <see cref="FromEnvironment"/> reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(EnvironmentVariables.Routing, "inline Alertmanager YAML: its receivers: (and the route tree they must cover); empty = the legacy receivers below"),
        SettingVariable.Deployment(EnvironmentVariables.RoutingFile, "Alertmanager YAML file (wins over GENAIOBS_ROUTING)"),
        SettingVariable.Deployment(PagerDutyRoutingKeyParamVariable, "SSM SecureString name of the PagerDuty routing key (legacy receiver pagerduty); unset = pagerduty notifications are logged and dropped"),
        SettingVariable.Deployment(SlackOpsWebhookParamVariable, "SSM SecureString name of the slack-ops webhook URL (legacy receivers slack-ops, default, and slack-finops without its own)"),
        SettingVariable.Deployment(SlackFinopsWebhookParamVariable, "SSM SecureString name of the slack-finops webhook URL (legacy receiver slack-finops)"),
        SettingVariable.Deployment(EnvironmentVariables.AlarmReceiver, "receiver of CloudWatch alarm messages (they carry no receiver attribute)"),
        SettingVariable.Deployment(EnvironmentVariables.NotificationMaxAge, "drop firing notifications and ALARMs older than this (default 1h)"),
        SettingVariable.LocalOverride(SnsSettings.ReceiverTopicsVariable, "receiver → topic ARN JSON; routes CloudWatch alarm messages by their topic"),
        SettingVariable.LocalOverride(PagerDutyUrlVariable, "PagerDuty Events API endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrlSsm, "SSM endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrl, "endpoint override for every AWS service (tests)"),
        SettingVariable.Lambda(EnvironmentVariables.Region, "the SSM client's region"),
    ];

    /// <exception cref="DeliveryConfigException">GENAIOBS_PAGERDUTY_URL is not an absolute http(s) URL, GENAIOBS_RECEIVER_TOPICS is not a JSON object of topic ARNs, or GENAIOBS_NOTIFICATION_MAX_AGE is not a duration.</exception>
    /// <exception cref="RoutingConfigException">The routing or receivers are invalid, a route names a receiver that is not configured, or so does GENAIOBS_ALARM_RECEIVER.</exception>
    public static NotifierSettings FromEnvironment(Func<string, string?> getVariable, Func<string, string>? readFile = null)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        readFile ??= File.ReadAllText;
        var endpoint = PagerDutyIntegration.DefaultEndpoint;
        if (getVariable(PagerDutyUrlVariable) is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                throw new DeliveryConfigException(PagerDutyUrlVariable, "expected an absolute http(s) URL");
            }

            endpoint = parsed;
        }

        var maxAge = DefaultMaxNotificationAge;
        if (Blank(getVariable(EnvironmentVariables.NotificationMaxAge)) is { } age)
        {
            maxAge = PrometheusDuration.TryParse(age, out var parsedAge) && parsedAge > TimeSpan.Zero
                ? parsedAge
                : throw new DeliveryConfigException(EnvironmentVariables.NotificationMaxAge, $"expected a positive duration such as 1h or 90m, got '{age}'");
        }

        var pagerDuty = Blank(getVariable(PagerDutyRoutingKeyParamVariable));
        var slackOps = Blank(getVariable(SlackOpsWebhookParamVariable));
        var slackFinOps = Blank(getVariable(SlackFinopsWebhookParamVariable));
        var receivers = ReceiverConfigParser.LoadForRoutes(RoutingConfigParser.Load(getVariable, readFile), getVariable, readFile, ReceiverConfiguration.Legacy(pagerDuty, slackOps, slackFinOps));
        var alarmReceiver = Blank(getVariable(EnvironmentVariables.AlarmReceiver));
        if (alarmReceiver is not null)
        {
            receivers.EnsureConfigured(alarmReceiver, EnvironmentVariables.AlarmReceiver);
        }

        return new NotifierSettings(endpoint, pagerDuty, slackOps, slackFinOps)
        {
            Receivers = receivers,
            AlarmReceiver = alarmReceiver,
            MaxNotificationAge = maxAge,
            ReceiverTopics = SnsSettings.ParseReceiverTopics(getVariable(SnsSettings.ReceiverTopicsVariable)),
            SsmEndpoint = Blank(getVariable(EnvironmentVariables.EndpointUrlSsm)) ?? Blank(getVariable(EnvironmentVariables.EndpointUrl)),
            Region = Blank(getVariable(EnvironmentVariables.Region)),
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
