using System.Globalization;
using System.Text.Json;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Metrics;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// The Contributor Insights rules rank what is no metric dimension (principals, models' errors)
/// from the EMF attribution documents: each rule body follows the documented syntax, reads the
/// processor's log group, keys and sums members the documents really carry, ranks correctly when
/// evaluated over real builder output, and is shown on a dashboard.
/// </summary>
public sealed class InsightRuleTests
{
    // CloudWatch User Guide, "Contributor Insights rule syntax": the filter operators.
    private static readonly string[] FilterOperators = ["In", "NotIn", "StartsWith", "GreaterThan", "LessThan", "EqualTo", "NotEqualTo", "IsPresent"];

    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void RuleBodies_WhenParsed_ShouldFollowTheRuleSyntaxAndReadTheInvocationLogProcessorsLogGroup()
    {
        var resolver = new SubstitutionResolver(_template);
        var logGroup = resolver.Resolve(_template.Resources["InvocationLogFunctionLogGroup"].Properties["LogGroupName"]);

        var rules = Rules();

        Assert.Equal(3, rules.Count);
        foreach (var (name, body) in rules)
        {
            var root = body.RootElement;
            Assert.Equal("CloudWatchLogRule", root.GetProperty("Schema").GetProperty("Name").GetString());
            Assert.Equal(1, root.GetProperty("Schema").GetProperty("Version").GetInt32());
            Assert.Equal("JSON", root.GetProperty("LogFormat").GetString());
            Assert.Equal([logGroup], root.GetProperty("LogGroupNames").EnumerateArray().Select(g => g.GetString()));
            Assert.Equal("Sum", root.GetProperty("AggregateOn").GetString());
            var contribution = root.GetProperty("Contribution");
            Assert.InRange(contribution.GetProperty("Keys").GetArrayLength(), 1, 4);
            Assert.True(contribution.TryGetProperty("ValueOf", out _), $"{name}: Sum needs ValueOf");
            foreach (var filter in contribution.GetProperty("Filters").EnumerateArray())
            {
                var operators = filter.EnumerateObject().Select(p => p.Name).Where(n => n != "Match").ToList();
                Assert.Single(operators);
                Assert.Contains(operators[0], FilterOperators);
            }

            Assert.True(body.RootElement.GetRawText().Length <= 8192, $"{name}: rule definitions are limited to 8,192 characters");
        }
    }

    [Fact]
    public void Rules_WhenEvaluatedOverTheProcessorsDocuments_ShouldRankPrincipalsByCostAndTokensAndModelsByErrors()
    {
        var invocations = new[]
        {
            Invocation("role/analytics", "model-a", 0.40m, tokens: 1_000),
            Invocation("role/analytics", "model-b", 0.20m, tokens: 500),
            Invocation("role/chat", "model-a", 0.50m, tokens: 9_000),
            Invocation("role/batch", "model-b", 0m, tokens: 0, error: true),
            Invocation("role/batch", "model-b", 0m, tokens: 0, error: true),
            Invocation("role/chat", "model-a", 0m, tokens: 0, error: true),
        };
        var batch = InvocationMetricsBuilder.Build(invocations, [], new InvocationMetricsOptions("svc"), 0);
        var events = new EmfSerializer().Serialize(batch).Select(d => JsonDocument.Parse(d)).ToList();
        var rules = Rules();

        var byCost = Evaluate(rules["TopPrincipalsByCostRule"], events);
        var byTokens = Evaluate(rules["TopPrincipalsByTokensRule"], events);
        var byErrors = Evaluate(rules["TopModelsByErrorsRule"], events);

        Assert.Equal(["role/analytics", "role/chat", "role/batch"], byCost.Keys);
        Assert.Equal(0.60, byCost["role/analytics"], 9);
        Assert.Equal(["role/chat", "role/analytics", "role/batch"], byTokens.Keys);
        Assert.Equal(9_000, byTokens["role/chat"]);
        Assert.Equal(["model-b", "model-a"], byErrors.Keys);
        Assert.Equal(2, byErrors["model-b"]);

        // Only documents with errors match the error rule: its matched-event charge follows errors, not traffic.
        Assert.Equal(2, events.Count(e => Matches(rules["TopModelsByErrorsRule"], e.RootElement)));
    }

    [Fact]
    public void Dashboards_WhenShowingContributorInsights_ShouldNameEachRuleAndOnlyExistingRules()
    {
        var resolver = new SubstitutionResolver(_template);
        var ruleNames = _template.Resources.Values.Where(r => r.Type == "AWS::CloudWatch::InsightRule")
            .ToDictionary(r => resolver.Resolve(r.Properties["RuleName"]), r => r.LogicalId, StringComparer.Ordinal);
        var shown = new List<(string Dashboard, string Rule)>();
        foreach (var dashboard in _template.Resources.Values.Where(r => r.Type == "AWS::CloudWatch::Dashboard"))
        {
            using var body = MetricReferences.DashboardBody(dashboard, resolver);
            foreach (var widget in body.RootElement.GetProperty("widgets").EnumerateArray())
            {
                if (widget.GetProperty("properties").TryGetProperty("insightRule", out var insight))
                {
                    shown.Add((dashboard.LogicalId, insight.GetProperty("ruleName").GetString()!));
                }
            }
        }

        Assert.All(shown, s => Assert.True(ruleNames.ContainsKey(s.Rule), $"{s.Dashboard} shows unknown rule {s.Rule}"));
        Assert.Equal(ruleNames.Keys.Order(StringComparer.Ordinal), shown.Select(s => s.Rule).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(("Dashboard", "genaiobs-top-principals-by-cost"), shown);
        Assert.Contains(("Dashboard", "genaiobs-top-principals-by-tokens"), shown);
        Assert.Contains(("Dashboard", "genaiobs-top-models-by-errors"), shown);
    }

    private Dictionary<string, JsonDocument> Rules()
    {
        var resolver = new SubstitutionResolver(_template);
        return _template.Resources.Values.Where(r => r.Type == "AWS::CloudWatch::InsightRule")
            .ToDictionary(r => r.LogicalId, r => JsonDocument.Parse(resolver.Resolve(r.Properties["RuleBody"])), StringComparer.Ordinal);
    }

    /// <summary>What the rule reports over these log events: the sum of ValueOf per key, largest first.</summary>
    private static Dictionary<string, double> Evaluate(JsonDocument rule, List<JsonDocument> events)
    {
        var contribution = rule.RootElement.GetProperty("Contribution");
        var key = Path(contribution.GetProperty("Keys")[0].GetString()!);
        var value = Path(contribution.GetProperty("ValueOf").GetString()!);
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => Matches(rule, e.RootElement)))
        {
            var contributor = e.RootElement.GetProperty(key).GetString()!;
            totals[contributor] = totals.GetValueOrDefault(contributor) + e.RootElement.GetProperty(value).GetDouble();
        }

        return totals.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
    }

    private static bool Matches(JsonDocument rule, JsonElement logEvent)
    {
        foreach (var filter in rule.RootElement.GetProperty("Contribution").GetProperty("Filters").EnumerateArray())
        {
            var present = logEvent.TryGetProperty(Path(filter.GetProperty("Match").GetString()!), out var field);
            var ok = filter.EnumerateObject().First(p => p.Name != "Match") switch
            {
                { Name: "IsPresent" } p => present == p.Value.GetBoolean(),
                { Name: "GreaterThan" } p => present && field.ValueKind == JsonValueKind.Number && field.GetDouble() > p.Value.GetDouble(),
                var p => throw new NotSupportedException($"filter {p.Name} is not evaluated by this test"),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The top-level member a rule's <c>$.Name</c> path reads (the documents are flat).</summary>
    private static string Path(string jsonPath)
    {
        Assert.StartsWith("$.", jsonPath, StringComparison.Ordinal);
        Assert.DoesNotContain('.', jsonPath[2..]);
        return jsonPath[2..];
    }

    private static PricedInvocation Invocation(string principal, string model, decimal cost, long tokens, bool error = false) =>
        new(
            new InvocationRecord
            {
                EventId = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture),
                Timestamp = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
                Operation = "Converse",
                ModelId = model,
                Principal = principal,
                InputTokens = tokens,
                StopReason = error ? StopReasons.Unknown : StopReasons.EndTurn,
                ErrorCode = error ? "ModelErrorException" : null,
            },
            cost,
            true,
            model);
}
