using System.Diagnostics;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>The template's functions against the bootstrap: handler keys, settings, Makefile targets.</summary>
public sealed class FunctionWiringTests
{
    /// <summary>
    /// The dispatch keys the bootstrap serves (CONTRACTS.md).
    /// SWITCH once the runtime's registry is on main: return GenAiObs.Functions.HandlerRegistry.Keys.
    /// </summary>
    private static readonly string[] ServedHandlerKeys = ["evaluator", "invocation-logs", "notifier", "spans"];

    /// <summary>
    /// What each function reads from its environment at cold start (beyond what Lambda sets).
    /// SWITCH once each function's settings record is on main: derive from the
    /// EnvironmentVariables constants each settings reader uses (one list per handler key).
    /// </summary>
    private static readonly Dictionary<string, string[]> ReadByHandler = new(StringComparer.Ordinal)
    {
        ["invocation-logs"] = ["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL", "GENAIOBS_ENVIRONMENT", "GENAIOBS_MAX_PRINCIPALS", "GENAIOBS_TABLE_NAME"],
        ["spans"] = ["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL", "GENAIOBS_ENVIRONMENT", "GENAIOBS_MAX_PRINCIPALS", "GENAIOBS_TABLE_NAME"],
        ["evaluator"] = ["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL", "GENAIOBS_ENVIRONMENT", "GENAIOBS_TABLE_NAME", "GENAIOBS_MONTHLY_BUDGET_USD", "GENAIOBS_RECEIVER_TOPICS"],
        ["notifier"] = ["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "GENAIOBS_RECEIVER_TOPICS", "GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM", "GENAIOBS_SLACK_OPS_WEBHOOK_PARAM", "GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM"],
    };

    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void Handlers_WhenComparedWithTheBootstrapRegistry_ShouldBeExactlyTheServedKeys()
    {
        var deployed = _template.Functions.Select(Handler).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(ServedHandlerKeys.Order(StringComparer.Ordinal), deployed);
    }

    [Fact]
    public void Functions_WhenDeclared_ShouldRunTheOneBootstrapOnProvidedAl2023Arm64()
    {
        var global = _template.GlobalFunction;

        Assert.Equal("provided.al2023", global["Runtime"]);
        Assert.Equal(["arm64"], Assert.IsType<List<object?>>(global["Architectures"]));
        Assert.Equal("functions/GenAiObs.Functions", global["CodeUri"]);
        Assert.All(_template.Functions, f =>
        {
            var metadata = Assert.IsType<Dictionary<string, object?>>(f.Raw["Metadata"]);
            Assert.Equal("makefile", metadata["BuildMethod"]);
            Assert.False(f.Properties.ContainsKey("CodeUri") || f.Properties.ContainsKey("Runtime"), $"{f.LogicalId} overrides the shared bootstrap");
        });
    }

    [Fact]
    public void Environment_WhenComparedWithWhatEachFunctionReads_ShouldSetEveryVariable()
    {
        foreach (var function in _template.Functions)
        {
            var handler = Handler(function);
            var set = _template.EnvironmentOf(function);

            var missing = ReadByHandler[handler].Where(v => !set.ContainsKey(v)).ToList();

            Assert.True(missing.Count == 0, $"{function.LogicalId} ({handler}) reads {string.Join(", ", missing)} but the template does not set it");
        }
    }

    [Fact]
    public void Environment_WhenHoldingReceiverSettings_ShouldCarryParameterNamesNeverSecrets()
    {
        foreach (var function in _template.Functions)
        {
            foreach (var (name, value) in _template.EnvironmentOf(function))
            {
                if (name.EndsWith("_PARAM", StringComparison.Ordinal))
                {
                    var parameter = CloudFormationYaml.AsIntrinsic(value) is ("Ref", string target) ? target : null;
                    Assert.True(parameter is not null && _template.Parameters.ContainsKey(parameter), $"{function.LogicalId}.{name} must be !Ref to an SSM parameter-name parameter");
                }

                var text = value as string ?? string.Empty;
                Assert.DoesNotContain("hooks.slack.com", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("events.pagerduty.com", text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void LogGroups_WhenDeclaredPerFunction_ShouldBeTheFunctionsOwnWithRetention()
    {
        var resolver = new SubstitutionResolver(_template);
        foreach (var function in _template.Functions)
        {
            var logging = Assert.IsType<Dictionary<string, object?>>(function.Properties["LoggingConfig"]);
            var groupId = CloudFormationYaml.AsIntrinsic(logging["LogGroup"]) is ("Ref", string id) ? id : throw new InvalidOperationException($"{function.LogicalId}: LoggingConfig.LogGroup is not !Ref");
            var group = _template.Resources[groupId];

            Assert.Equal("AWS::Logs::LogGroup", group.Type);
            Assert.Equal("/aws/lambda/" + resolver.Resolve(function.Properties["FunctionName"]), resolver.Resolve(group.Properties["LogGroupName"]));
            Assert.Equal("7", resolver.Resolve(group.Properties["RetentionInDays"]));
            Assert.Equal(function.Condition, group.Condition);
        }

        var format = Assert.IsType<Dictionary<string, object?>>(_template.GlobalFunction["LoggingConfig"]);
        Assert.Equal("Text", format["LogFormat"]);
    }

    [Fact]
    public void Makefile_WhenItsRulesAreListed_ShouldHaveBuildLogicalIdForEveryFunction()
    {
        var targets = MakefileTargets();

        Assert.DoesNotContain(ProbeTarget, targets);
        foreach (var function in _template.Functions)
        {
            Assert.True(targets.Contains($"build-{function.LogicalId}"), $"functions/GenAiObs.Functions/Makefile has no build-{function.LogicalId} (targets: {string.Join(", ", targets.Order(StringComparer.Ordinal))})");
        }
    }

    private static string Handler(TemplateResource function) =>
        function.Properties.GetValueOrDefault("Handler") as string ?? throw new InvalidOperationException($"{function.LogicalId} has no Handler");

    private const string ProbeTarget = "genaiobs-template-test-probe";

    /// <summary>
    /// Every target make knows after expanding the Makefile (targets may be generated, e.g. with
    /// $(addprefix build-,...)). Asking for a target that does not exist with -p -q prints the
    /// rule database without running any recipe.
    /// </summary>
    private static HashSet<string> MakefileTargets()
    {
        var start = new ProcessStartInfo("make", ["-C", RepositoryPaths.FunctionsProjectDir, "-p", "-q", "--no-builtin-rules", ProbeTarget])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("make did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        process.WaitForExit();
        // make lists names it merely heard of (the probe, prerequisites) after "# Not a target:".
        var targets = lines
            .Where((l, i) => i == 0 || lines[i - 1] != "# Not a target:")
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('\t') && l.Contains(':', StringComparison.Ordinal) && !l.Contains(":=", StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)])
            .Where(t => t.Length > 0 && !t.Contains(' ', StringComparison.Ordinal) && !t.Contains('$', StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(targets.Count > 0, "make printed no rules: " + stderr.Result);
        return targets;
    }
}
