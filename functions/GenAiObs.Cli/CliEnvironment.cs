using System.Collections;

namespace GenAiObs.Cli;

/// <summary>The process environment, read once; tests pass their own map instead.</summary>
public sealed class CliEnvironment
{
    public CliEnvironment(IReadOnlyDictionary<string, string> variables, string samplesDirectory)
    {
        Variables = variables;
        SamplesDirectory = samplesDirectory;
    }

    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>Where the bundled sample logs are (next to the executable).</summary>
    public string SamplesDirectory { get; }

    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return new CliEnvironment(variables, Path.Combine(AppContext.BaseDirectory, "samples"));
    }
}
