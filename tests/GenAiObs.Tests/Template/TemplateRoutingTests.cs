using System.Text.RegularExpressions;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Core.Alerts;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>The template's AlertRouting parameter, as the evaluator's cold start reads it (GENAIOBS_ROUTING).</summary>
public sealed partial class TemplateRoutingTests
{
    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    private Dictionary<string, object?> Parameter => (Dictionary<string, object?>)_template.Parameters["AlertRouting"]!;

    private TemplateResource Evaluator => _template.Functions.Single(f => (f.Properties.GetValueOrDefault("Handler") as string) == "evaluator");

    [Fact]
    public void AlertRouting_WhenLeftAtItsDefault_ShouldGiveTheEvaluatorTheBuiltInTree()
    {
        var value = new SubstitutionResolver(_template).Resolve(_template.EnvironmentOf(Evaluator)["GENAIOBS_ROUTING"]);
        var defaultValue = Parameter["Default"] as string;

        var tree = RoutingConfigParser.Load(name => name == RoutingConfigParser.RoutingVariable ? defaultValue : null, _ => throw new InvalidOperationException("no file"));

        Assert.Equal("param-AlertRouting", value);
        Assert.Equal(string.Empty, defaultValue);
        Assert.Same(RoutingTree.Default, tree);
    }

    [Fact]
    public void AlertRouting_WhenGivenTheDescriptionsExample_ShouldParseToConfiguredReceivers()
    {
        var description = (string)Parameter["Description"]!;
        var example = Example().Match(description).Groups[1].Value;
        string? Get(string name) => name == RoutingConfigParser.RoutingVariable ? example : null;

        var tree = RoutingConfigParser.Load(Get, _ => throw new InvalidOperationException("no file"));
        var receivers = ReceiverConfigParser.LoadForRoutes(tree, Get, _ => throw new InvalidOperationException("no file"), ReceiverConfiguration.Legacy("/pd", "/ops", "/finops"));

        Assert.NotEmpty(example);
        Assert.True(example.Length <= 4096);
        Assert.Equal(TimeSpan.FromHours(12), tree.Root.RepeatInterval);
        Assert.All(tree.Receivers, receiver => Assert.NotEmpty(receivers.Find(receiver)!.Integrations));
    }

    [Fact]
    public void ReceiverConfiguration_WhenPassedToTheFunctions_ShouldBeTheOneParameterAndOneTopicWithNoPerReceiverJson()
    {
        var notifier = _template.Functions.Single(f => (f.Properties.GetValueOrDefault("Handler") as string) == "notifier");
        var text = File.ReadAllText(RepositoryPaths.TemplateFile);

        Assert.Equal(("Ref", "AlertRouting"), CloudFormationYaml.AsIntrinsic(_template.EnvironmentOf(Evaluator)["GENAIOBS_ROUTING"]));
        Assert.Equal(("Ref", "AlertRouting"), CloudFormationYaml.AsIntrinsic(_template.EnvironmentOf(notifier)["GENAIOBS_ROUTING"]));
        Assert.Equal(("Ref", "AlarmReceiver"), CloudFormationYaml.AsIntrinsic(_template.EnvironmentOf(notifier)["GENAIOBS_ALARM_RECEIVER"]));
        Assert.DoesNotContain("GENAIOBS_RECEIVER_TOPICS", text, StringComparison.Ordinal);
        // One alert topic for every receiver; the only other topic is pipeline health, which no
        // function serves (it must keep working when the notifier is broken).
        Assert.Equal(["AlertTopic", "PipelineHealthTopic"], _template.Resources.Values.Where(r => r.Type == "AWS::SNS::Topic").Select(r => r.LogicalId).Order(StringComparer.Ordinal));
        Assert.Equal(("Ref", "AlertTopic"), CloudFormationYaml.AsIntrinsic(_template.EnvironmentOf(Evaluator)["GENAIOBS_ALERT_TOPIC_ARN"]));
        var subscribed = _template.Functions
            .SelectMany(f => (f.Properties.GetValueOrDefault("Events") as Dictionary<string, object?> ?? []).Values.OfType<Dictionary<string, object?>>())
            .Where(e => (e.GetValueOrDefault("Type") as string) == "SNS")
            .Select(e => CloudFormationYaml.AsIntrinsic(((Dictionary<string, object?>)e["Properties"]!)["Topic"]))
            .ToList();
        Assert.Equal(("Ref", "AlertTopic"), Assert.Single(subscribed));
    }

    [GeneratedRegex(@"Example: (\{.*\}\})\.")]
    private static partial Regex Example();
}
