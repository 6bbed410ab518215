using GenAiObs.Adapters.Configuration;
using GenAiObs.Functions;
using Xunit;

namespace GenAiObs.Tests.Wiring;

/// <summary>
/// The variable lists the settings readers declare (which the template tests check against
/// template.yaml) against what each function's cold start really looks up.
/// </summary>
public sealed class SettingVariablesTests
{
    /// <summary>An environment that remembers every name it was asked for.</summary>
    private sealed class RecordingEnvironment(DictionaryEnvironment inner) : IEnvironment
    {
        public HashSet<string> Read { get; } = new(StringComparer.Ordinal);

        public string? GetVariable(string name)
        {
            lock (Read)
            {
                Read.Add(name);
            }

            return inner.GetVariable(name);
        }

        public void SetVariable(string name, string? value) => inner.SetVariable(name, value);
    }

    public static TheoryData<string> Handlers() => [.. HandlerRegistry.Keys];

    private static RecordingEnvironment ColdStart(string handler)
    {
        var environment = new RecordingEnvironment(new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, handler },
            { EnvironmentVariables.Region, "eu-west-1" },
            { EnvironmentVariables.TableName, "genaiobs-test" },
            { EnvironmentVariables.ReceiverTopics, """{"pagerduty":"arn:aws:sns:eu-west-1:111122223333:pd"}""" },
        });
        HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System);
        return environment;
    }

    [Theory]
    [MemberData(nameof(Handlers))]
    public void ColdStart_WhenRecordingLookups_ShouldReadOnlyDeclaredVariables(string handler)
    {
        var declared = HandlerRegistry.VariablesOf(handler).Select(v => v.Name)
            .Concat(FunctionSettings.Variables.Select(v => v.Name))
            .ToHashSet(StringComparer.Ordinal);

        var read = ColdStart(handler).Read;

        var undeclared = read.Where(name => !declared.Contains(name)).Order(StringComparer.Ordinal).ToList();
        Assert.True(undeclared.Count == 0, $"{handler} reads {string.Join(", ", undeclared)} without declaring it in its settings' Variables");
    }

    [Theory]
    [MemberData(nameof(Handlers))]
    public void ColdStart_WhenRecordingLookups_ShouldReadEveryDeclaredDeploymentVariable(string handler)
    {
        var read = ColdStart(handler).Read;

        var stale = HandlerRegistry.VariablesOf(handler)
            .Where(v => v.Source != SettingSource.LambdaRuntime && !read.Contains(v.Name))
            .Select(v => v.Name)
            .ToList();

        Assert.True(stale.Count == 0, $"{handler} declares {string.Join(", ", stale)} but its cold start never reads it");
    }

    [Fact]
    public void VariablesOf_WhenTheEvaluatorNeedsItsTable_ShouldMarkItRequired()
    {
        var table = HandlerRegistry.VariablesOf(HandlerRegistry.Evaluator).Single(v => v.Name == EnvironmentVariables.TableName);
        var processorTable = HandlerRegistry.VariablesOf(HandlerRegistry.InvocationLogs).Single(v => v.Name == EnvironmentVariables.TableName);

        Assert.True(table.IsRequired);
        Assert.False(processorTable.IsRequired);
        Assert.Throws<UnknownHandlerException>(() => HandlerRegistry.VariablesOf("nope"));
    }
}
