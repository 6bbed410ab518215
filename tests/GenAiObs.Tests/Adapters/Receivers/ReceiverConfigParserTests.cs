using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.PagerDuty;
using GenAiObs.Adapters.Receivers.Slack;
using GenAiObs.Core.Alerts;
using GenAiObs.Functions.Notifier;
using Xunit;

namespace GenAiObs.Tests.Receivers;

public sealed class ReceiverConfigParserTests
{
    private static readonly ReceiverConfiguration Legacy = ReceiverConfiguration.Legacy("/pd", "/ops", "/finops");

    private static ReceiverConfiguration Parse(string yaml) => ReceiverConfigParser.Parse(yaml, "GENAIOBS_ROUTING", Legacy);

    private static RoutingConfigException Invalid(string yaml) => Assert.Throws<RoutingConfigException>(() => Parse(yaml));

    [Fact]
    public void Legacy_WhenBuiltFromTheDeploymentVariables_ShouldReproduceTodaysFourReceivers()
    {
        var receivers = Legacy.Receivers.ToDictionary(r => r.Name, r => Assert.Single(r.Integrations));

        Assert.Equal(["pagerduty", "slack-ops", "slack-finops", "default"], Legacy.Receivers.Select(r => r.Name));
        Assert.Equal(["/pd"], Assert.IsType<PagerDutyConfig>(receivers["pagerduty"]).Secret.Parameters);
        Assert.Equal(["/ops"], Assert.IsType<SlackConfig>(receivers["slack-ops"]).Secret.Parameters);
        Assert.Equal(["/finops", "/ops"], Assert.IsType<SlackConfig>(receivers["slack-finops"]).Secret.Parameters);
        Assert.Equal(["/ops"], Assert.IsType<SlackConfig>(receivers["default"]).Secret.Parameters);
        Assert.All(receivers.Values, config => Assert.True(config.SendResolved));
        Assert.Null(Assert.IsType<PagerDutyConfig>(receivers["pagerduty"]).Url);
    }

    [Fact]
    public void Legacy_WhenVariablesAreUnset_ShouldKeepTheReceiversWithoutIntegrations()
    {
        var receivers = ReceiverConfiguration.Legacy(null, null, "/finops");

        Assert.Empty(receivers.Find("pagerduty")!.Integrations);
        Assert.Empty(receivers.Find("slack-ops")!.Integrations);
        Assert.Equal(["/finops"], Assert.Single(receivers.Find("slack-finops")!.Integrations).Secret.Parameters);
    }

    [Fact]
    public void Parse_WhenReceiversHaveIntegrations_ShouldReadEachWithAlertmanagersDefaults()
    {
        var configuration = Parse("""
            route: {receiver: ops}
            receivers:
              - name: ops
                slack_configs:
                  - api_url_parameter: /genaiobs/slack/ops
                  - api_url_parameter: [/genaiobs/slack/team, /genaiobs/slack/ops]
                    send_resolved: true
                pagerduty_configs:
                  - routing_key_parameter: /genaiobs/pd
                    url: https://events.eu.pagerduty.com/v2/enqueue
                    send_resolved: false
              - name: blackhole
            """);

        var ops = configuration.Find("ops")!;
        Assert.Equal("GENAIOBS_ROUTING", configuration.Source);
        Assert.Equal(["receivers[0].slack_configs[0]", "receivers[0].slack_configs[1]", "receivers[0].pagerduty_configs[0]"], ops.Integrations.Select(i => i.Path));
        Assert.Equal(["slack", "slack", "pagerduty"], ops.Integrations.Select(i => i.Kind));
        Assert.Equal([false, true, false], ops.Integrations.Select(i => i.SendResolved));
        Assert.Equal(["/genaiobs/slack/team", "/genaiobs/slack/ops"], ops.Integrations[1].Secret.Parameters);
        Assert.Equal(new Uri("https://events.eu.pagerduty.com/v2/enqueue"), Assert.IsType<PagerDutyConfig>(ops.Integrations[2]).Url);
        Assert.Empty(configuration.Find("blackhole")!.Integrations);
        Assert.Null(configuration.Find("pagerduty"));
    }

    [Fact]
    public void Parse_WhenALegacyReceiverIsListedByNameOnly_ShouldKeepItsLegacyIntegration()
    {
        var configuration = Parse("route: {receiver: pagerduty}\nreceivers: [{name: pagerduty}, {name: other}]");

        Assert.Equal(["/pd"], Assert.Single(configuration.Find("pagerduty")!.Integrations).Secret.Parameters);
        Assert.Empty(configuration.Find("other")!.Integrations);
    }

    [Fact]
    public void Parse_WhenThereIsNoReceiversSection_ShouldUseTheLegacyReceivers()
    {
        Assert.Same(Legacy, Parse("route: {receiver: default}"));
    }

    [Theory]
    [InlineData("receivers: [{name: a, slack_configs: [{api_url: 'https://hooks.slack.com/services/x'}]}]", "GENAIOBS_ROUTING: receivers[0].slack_configs[0].api_url: secrets are read from SSM: store it as a SecureString and name the parameter with 'api_url_parameter'")]
    [InlineData("receivers: [{name: a, pagerduty_configs: [{routing_key_file: /etc/key}]}]", "GENAIOBS_ROUTING: receivers[0].pagerduty_configs[0].routing_key_file: secrets are read from SSM: store it as a SecureString and name the parameter with 'routing_key_parameter'")]
    [InlineData("receivers: [{name: a, slack_configs: [{}]}]", "GENAIOBS_ROUTING: receivers[0].slack_configs[0].api_url_parameter: required: the SSM SecureString parameter holding the secret")]
    [InlineData("receivers: [{name: a, slack_configs: [{api_url_parameter: /x, channel: '#ops'}]}]", "GENAIOBS_ROUTING: receivers[0].slack_configs[0].channel: unsupported setting (supported: api_url_parameter, send_resolved)")]
    [InlineData("receivers: [{name: a, slack_configs: [{api_url_parameter: /x, send_resolved: maybe}]}]", "GENAIOBS_ROUTING: receivers[0].slack_configs[0].send_resolved: expected true or false, got 'maybe'")]
    [InlineData("receivers: [{name: a, slack_configs: [{api_url_parameter: 'has space'}]}]", "GENAIOBS_ROUTING: receivers[0].slack_configs[0].api_url_parameter: expected an SSM parameter name (letters, digits, _ . - /) or a list of them")]
    [InlineData("receivers: [{name: a, pagerduty_configs: [{routing_key_parameter: /k, url: 'http://events.pagerduty.com'}]}]", "GENAIOBS_ROUTING: receivers[0].pagerduty_configs[0].url: expected an absolute https URL")]
    [InlineData("receivers: [{name: a, email_configs: [{to: x@example.com}]}]", "GENAIOBS_ROUTING: receivers[0].email_configs: unsupported setting (supported: name, ")]
    [InlineData("receivers: [{name: a, slack_configs: {api_url_parameter: /x}}]", "GENAIOBS_ROUTING: receivers[0].slack_configs: expected a list of integration settings")]
    [InlineData("receivers: [{name: a}, {name: a}]", "GENAIOBS_ROUTING: receivers[1].name: receiver name 'a' is not unique")]
    [InlineData("receivers: [{slack_configs: []}]", "GENAIOBS_ROUTING: receivers[0]: expected a mapping with a 'name'")]
    public void Parse_WhenAReceiverIsInvalid_ShouldNameTheYamlPath(string yaml, string message)
    {
        Assert.StartsWith(message, Invalid("route: {receiver: a}\n" + yaml).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadForRoutes_WhenARouteNamesAReceiverThatIsNotConfigured_ShouldFailWithTheRoutesPath()
    {
        const string yaml = "route: {receiver: default, routes: [{match: {severity: critical}, receiver: pagerduty}, {match: {severity: warning}, receiver: teams}]}";
        string? Get(string name) => name == "GENAIOBS_ROUTING" ? yaml : null;
        var tree = RoutingConfigParser.Load(Get, _ => throw new IOException());

        var error = Assert.Throws<RoutingConfigException>(() => ReceiverConfigParser.LoadForRoutes(tree, Get, _ => throw new IOException(), Legacy));

        Assert.Equal("GENAIOBS_ROUTING: route.routes[1].receiver: receiver 'teams' is not configured (configured: pagerduty, slack-ops, slack-finops, default)", error.Message);
    }

    [Fact]
    public void EvaluatorSettings_WhenARouteNamesAnUnknownReceiverWithoutAReceiversSection_ShouldFailTheColdStart()
    {
        const string yaml = "route: {receiver: default, routes: [{match: {severity: critical}, receiver: opsgenie}]}";

        var error = Assert.Throws<RoutingConfigException>(() => EvaluatorSettings.FromLookup(name => name == "GENAIOBS_ROUTING" ? yaml : null, _ => throw new IOException()));

        Assert.Equal("GENAIOBS_ROUTING: route.routes[0].receiver: receiver 'opsgenie' is not configured (configured: pagerduty, slack-ops, slack-finops, default)", error.Message);
    }

    [Fact]
    public void NotifierSettings_WhenTheAlarmReceiverIsNotConfigured_ShouldFailNamingTheVariable()
    {
        var error = Assert.Throws<RoutingConfigException>(() => NotifierSettings.FromEnvironment(name => name == "GENAIOBS_ALARM_RECEIVER" ? "oncall" : null));

        Assert.Equal("GENAIOBS_ALARM_RECEIVER: receiver 'oncall' is not configured (configured: pagerduty, slack-ops, slack-finops, default)", error.Message);
    }

    [Fact]
    public void NotifierSettings_WhenTheRoutingFileHasReceivers_ShouldUseThemAndTheirRoutes()
    {
        const string yaml = "route: {receiver: ops}\nreceivers: [{name: ops, slack_configs: [{api_url_parameter: /genaiobs/ops}]}]";

        var settings = NotifierSettings.FromEnvironment(name => name == "GENAIOBS_ROUTING_FILE" ? "/etc/routing.yml" : null, path => path == "/etc/routing.yml" ? yaml : throw new IOException());

        Assert.Equal("GENAIOBS_ROUTING_FILE (/etc/routing.yml)", settings.Receivers.Source);
        Assert.Equal(["/genaiobs/ops"], Assert.Single(settings.Receivers.Find("ops")!.Integrations).Secret.Parameters);
    }
}
