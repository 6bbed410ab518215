using System.Collections;

namespace GenAiObs.Adapters.Configuration;

/// <summary>The process environment behind a seam, so settings and the runtime loop are testable in parallel.</summary>
public interface IEnvironment
{
    string? GetVariable(string name);

    void SetVariable(string name, string? value);
}

/// <summary>The real process environment.</summary>
public sealed class ProcessEnvironment : IEnvironment
{
    public string? GetVariable(string name) => System.Environment.GetEnvironmentVariable(name);

    public void SetVariable(string name, string? value) => System.Environment.SetEnvironmentVariable(name, value);
}

/// <summary>An environment held in a dictionary (tests, the CLI's explicit options).</summary>
public sealed class DictionaryEnvironment : IEnvironment, IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);

    public DictionaryEnvironment()
    {
    }

    public DictionaryEnvironment(IEnumerable<KeyValuePair<string, string>> variables)
    {
        foreach (var (name, value) in variables)
        {
            _variables[name] = value;
        }
    }

    public string? GetVariable(string name) => _variables.TryGetValue(name, out var value) ? value : null;

    public void SetVariable(string name, string? value)
    {
        if (value is null)
        {
            _variables.Remove(name);
        }
        else
        {
            _variables[name] = value;
        }
    }

    /// <summary>Collection-initialiser support: <c>new DictionaryEnvironment { { "NAME", "value" } }</c>.</summary>
    public void Add(string name, string value) => _variables[name] = value;

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _variables.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
