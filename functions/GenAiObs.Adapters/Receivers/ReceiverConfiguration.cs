using GenAiObs.Adapters.Receivers.PagerDuty;
using GenAiObs.Adapters.Receivers.Slack;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers;

/// <summary>A named receiver and its integrations (none = a receiver that delivers nowhere, deliberately).</summary>
public sealed record ReceiverDefinition(string Name, IReadOnlyList<IntegrationConfig> Integrations);

/// <summary>
/// The configured receivers (Alertmanager's <c>receivers:</c>), from the routing YAML or — when it
/// has none — <see cref="Legacy"/>, the four receivers the deployment variables describe.
/// </summary>
public sealed class ReceiverConfiguration
{
    /// <summary>The receivers the default routing tree names, each set up from its legacy variable.</summary>
    public static readonly IReadOnlyList<string> LegacyNames = ["pagerduty", "slack-ops", "slack-finops", "default"];

    private readonly Dictionary<string, ReceiverDefinition> _byName;

    public ReceiverConfiguration(IReadOnlyList<ReceiverDefinition> receivers, string source)
    {
        ArgumentNullException.ThrowIfNull(receivers);
        Receivers = receivers;
        Source = source;
        _byName = receivers.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<ReceiverDefinition> Receivers { get; }

    /// <summary>Where the configuration came from (the variable or file, or "default receivers").</summary>
    public string Source { get; }

    public ReceiverDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Today's four receivers from the deployment variables: <c>pagerduty</c> → PagerDuty with
    /// <c>GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM</c>; <c>slack-ops</c> and <c>default</c> → Slack with
    /// <c>GENAIOBS_SLACK_OPS_WEBHOOK_PARAM</c>; <c>slack-finops</c> → Slack with
    /// <c>GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM</c>, falling back to the ops webhook when that
    /// parameter is unset or does not exist. All send resolved notifications. A receiver whose
    /// variables are unset has no integration (its notifications are logged and skipped).
    /// </summary>
    public static ReceiverConfiguration Legacy(string? pagerDutyParameter, string? slackOpsParameter, string? slackFinOpsParameter) =>
        new([.. LegacyNames.Select(name => LegacyReceiver(name, pagerDutyParameter, slackOpsParameter, slackFinOpsParameter))], "default receivers");

    internal static ReceiverDefinition LegacyReceiver(string name, string? pagerDutyParameter, string? slackOpsParameter, string? slackFinOpsParameter)
    {
        var path = $"default receiver {name}";
        IntegrationConfig? integration = name switch
        {
            "pagerduty" when pagerDutyParameter is not null =>
                new PagerDutyConfig { Path = path, Secret = new SecretReference([pagerDutyParameter]), SendResolved = true },
            "slack-finops" when new[] { slackFinOpsParameter, slackOpsParameter }.OfType<string>().ToList() is { Count: > 0 } webhooks =>
                new SlackConfig { Path = path, Secret = new SecretReference(webhooks), SendResolved = true },
            "slack-ops" or "default" when slackOpsParameter is not null =>
                new SlackConfig { Path = path, Secret = new SecretReference([slackOpsParameter]), SendResolved = true },
            _ => null,
        };
        return new ReceiverDefinition(name, integration is null ? [] : [integration]);
    }

    /// <summary>
    /// Every route of <paramref name="tree"/> must name a configured receiver: a route that could
    /// send to nobody fails the cold start, naming its YAML path, instead of being dropped at send time.
    /// </summary>
    /// <exception cref="RoutingConfigException">A route names a receiver that is not configured.</exception>
    public void EnsureRoutable(RoutingTree tree, string source)
    {
        ArgumentNullException.ThrowIfNull(tree);
        Check(tree.Root, source);
    }

    /// <exception cref="RoutingConfigException">The receiver is not configured; <paramref name="setting"/> leads the message.</exception>
    public void EnsureConfigured(string receiver, string setting)
    {
        if (!_byName.ContainsKey(receiver))
        {
            throw new RoutingConfigException(setting, $"receiver '{receiver}' is not configured (configured: {Configured()})");
        }
    }

    private void Check(Route route, string source)
    {
        EnsureConfigured(route.Receiver, $"{source}: {route.Path}.receiver");
        foreach (var child in route.Routes)
        {
            Check(child, source);
        }
    }

    private string Configured() => Receivers.Count == 0 ? "none" : string.Join(", ", Receivers.Select(r => r.Name));
}
