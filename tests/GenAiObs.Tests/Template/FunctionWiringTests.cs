using System.Diagnostics;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Functions;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>The template's functions against the bootstrap: handler keys, settings, Makefile targets.</summary>
[Trait("Category", "Integration")]
public sealed class FunctionWiringTests
{
    /// <summary>
    /// Deployment variables the template may leave unset, each with the reason its default is
    /// right for a deployment (a name, or a prefix ending in <c>_</c> / <c>*</c>). Anything else a
    /// function reads must be set, in Globals or on the function.
    /// </summary>
    private static readonly Dictionary<string, string> DocumentedOptional = new(StringComparer.Ordinal)
    {
        ["GENAIOBS_PRICES_FILE"] = "the embedded price table is the default; a custom table is a file packaged with the function",
        ["GENAIOBS_RULE_*"] = "rule thresholds, windows and minimum samples default to the rule table (docs/alerts-and-routing.md); users add overrides",
        ["GENAIOBS_ROUTING_FILE"] = "a routing file must be packaged with the function; the template passes routing inline (GENAIOBS_ROUTING)",
        ["GENAIOBS_MAX_VALUES"] = "the per-dimension top-N limits default to the documented table (docs/data-model.md, Bounded keys); users add overrides",
        ["GENAIOBS_MAX_EVENT_*"] = "the accepted event-time window defaults to the 5-minute retention back and one day ahead (docs/operations.md, Input limits)",
        ["GENAIOBS_JOIN_WINDOW_HOURS"] = "feedback and evaluations join requests up to 24 hours apart by default (docs/operations.md, Settings)",
        ["GENAIOBS_DIMENSION_*"] = "the feature/variant/prompt-template requestMetadata keys and span attributes default to the documented names (docs/operations.md, Settings); users add overrides",
        ["GENAIOBS_PRINCIPAL_NAMES"] = "user names are hashed by default (docs/operations.md, What is and is not recorded); verbatim is an explicit choice",
        ["GENAIOBS_RETENTION_*"] = "aggregate retention defaults (5-minute 3 d, hourly 35 d, daily 400 d, sessions 24 h) suit the rules' windows and baselines",
    };

    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void Handlers_WhenComparedWithTheBootstrapRegistry_ShouldBeExactlyTheServedKeys()
    {
        var deployed = _template.Functions.Select(Handler).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(HandlerRegistry.Keys, deployed);
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
    public void Processors_WhenDeferredWritesCloseAWindow_ShouldHaveTheTimeoutTheClosureRuleAssumes()
    {
        // The evaluator rolls a window up once a processor that started in its grace period must
        // have ended: that bound is the processors' Lambda timeout.
        var processors = _template.Functions.Where(f => Handler(f) is HandlerRegistry.InvocationLogs or HandlerRegistry.Spans).ToList();

        Assert.Equal(2, processors.Count);
        Assert.Equal(GenAiObs.Core.Aggregation.DeferredAggregation.ProcessorTimeout.TotalSeconds, Convert.ToDouble(_template.GlobalFunction["Timeout"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(processors, f => Assert.False(f.Properties.ContainsKey("Timeout"), $"{f.LogicalId} overrides the timeout the deferred closure rule assumes"));
    }

    [Fact]
    public void Environment_WhenComparedWithWhatEachFunctionReads_ShouldSetEveryVariable()
    {
        var errors = new List<string>();
        foreach (var function in _template.Functions)
        {
            var handler = Handler(function);
            var set = _template.EnvironmentOf(function);

            foreach (var variable in HandlerRegistry.VariablesOf(handler).Where(v => v.Source == SettingSource.Deployment && !set.ContainsKey(v.Name)))
            {
                if (variable.IsRequired || OptionalReason(variable.Name) is null)
                {
                    errors.Add($"{function.LogicalId} ({handler}) reads {variable.Name} ({variable.Purpose}) but the template does not set it{(variable.IsRequired ? " and the cold start fails without it" : string.Empty)}");
                }
            }
        }

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void Environment_WhenSetByTheTemplate_ShouldNeverSetReservedOrOverrideVariables()
    {
        foreach (var function in _template.Functions)
        {
            var handler = Handler(function);
            var declared = HandlerRegistry.VariablesOf(handler).Concat(FunctionSettings.Variables).ToList();
            var set = _template.EnvironmentOf(function);

            var forbidden = declared.Where(v => v.Source != SettingSource.Deployment && set.ContainsKey(v.Name)).Select(v => v.Name).ToList();

            Assert.True(forbidden.Count == 0, $"{function.LogicalId} sets {string.Join(", ", forbidden)}: Lambda reserves these or they are local endpoint overrides");
        }
    }

    [Fact]
    public void Environment_WhenSetOnAFunction_ShouldBeAVariableItReads()
    {
        var readByAny = _template.Functions.SelectMany(f => HandlerRegistry.VariablesOf(Handler(f))).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var globals = (_template.GlobalFunction.GetValueOrDefault("Environment") as Dictionary<string, object?>)?.GetValueOrDefault("Variables") as Dictionary<string, object?> ?? [];

        Assert.All(globals.Keys, name => Assert.True(readByAny.Contains(name), $"Globals set {name}, which no function reads"));
        foreach (var function in _template.Functions)
        {
            var reads = HandlerRegistry.VariablesOf(Handler(function)).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            var own = (function.Properties.GetValueOrDefault("Environment") as Dictionary<string, object?>)?.GetValueOrDefault("Variables") as Dictionary<string, object?> ?? [];

            Assert.All(own.Keys, name => Assert.True(reads.Contains(name), $"{function.LogicalId} sets {name}, which its code does not read"));
        }
    }

    [Fact]
    public void DocumentedOptional_WhenListed_ShouldNameVariablesSomeFunctionReads()
    {
        var read = HandlerRegistry.Keys.SelectMany(HandlerRegistry.VariablesOf).Select(v => v.Name).ToList();

        Assert.All(DocumentedOptional.Keys, entry => Assert.True(read.Any(name => Matches(entry, name)), $"documented optional {entry} matches no variable a function reads"));
    }

    private static string? OptionalReason(string name) =>
        DocumentedOptional.FirstOrDefault(pair => Matches(pair.Key, name)).Value;

    private static bool Matches(string entry, string name) =>
        entry.EndsWith('*') ? name.StartsWith(entry[..^1], StringComparison.Ordinal) : name == entry;

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
