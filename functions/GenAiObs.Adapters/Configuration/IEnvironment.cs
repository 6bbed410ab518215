namespace GenAiObs.Adapters.Configuration;

/// <summary>The process environment behind a seam, so settings and the runtime loop are testable in parallel.</summary>
public interface IEnvironment
{
    string? GetVariable(string name);

    void SetVariable(string name, string? value);
}
