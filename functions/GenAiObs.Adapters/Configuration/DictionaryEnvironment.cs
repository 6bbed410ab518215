using System.Collections;

namespace GenAiObs.Adapters.Configuration;

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
