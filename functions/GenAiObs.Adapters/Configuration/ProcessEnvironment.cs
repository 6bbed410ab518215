namespace GenAiObs.Adapters.Configuration;

/// <summary>The real process environment.</summary>
public sealed class ProcessEnvironment : IEnvironment
{
    public string? GetVariable(string name) => System.Environment.GetEnvironmentVariable(name);

    public void SetVariable(string name, string? value) => System.Environment.SetEnvironmentVariable(name, value);
}
