using System.Text.RegularExpressions;
using GenAiObs.Adapters.Alerts;
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
    public void AlertRouting_WhenGivenTheDescriptionsExample_ShouldParseToReceiversThatHaveTopics()
    {
        var description = (string)Parameter["Description"]!;
        var example = Example().Match(description).Groups[1].Value;
        var topics = CloudFormationYaml.AsIntrinsic(_template.EnvironmentOf(Evaluator)["GENAIOBS_RECEIVER_TOPICS"]) is ("Fn::Sub", string json)
            ? Regex.Matches(json, "\"([a-z-]+)\":").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal)
            : throw new InvalidOperationException("GENAIOBS_RECEIVER_TOPICS is not a !Sub");

        var tree = RoutingConfigParser.Parse(example, RoutingConfigParser.RoutingVariable);

        Assert.NotEmpty(example);
        Assert.True(example.Length <= 4096);
        Assert.Equal(TimeSpan.FromHours(12), tree.Root.RepeatInterval);
        Assert.All(tree.Receivers, receiver => Assert.Contains(receiver, topics));
    }

    [GeneratedRegex(@"Example: (\{.*\}\})\.")]
    private static partial Regex Example();
}
