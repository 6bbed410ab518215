using System.Globalization;

namespace GenAiObs.Adapters.Configuration;

/// <summary>
/// Typed reads of environment variables with fail-fast errors naming the variable. Used once at
/// cold start to build immutable settings records; empty or whitespace values count as unset.
/// </summary>
public sealed class SettingsReader
{
    private readonly IEnvironment _environment;

    public SettingsReader(IEnvironment environment)
    {
        _environment = environment;
    }

    public string? Optional(string name)
    {
        var value = _environment.GetVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string Optional(string name, string defaultValue) => Optional(name) ?? defaultValue;

    public string Required(string name) =>
        Optional(name) ?? throw new SettingsException(name, $"Required environment variable {name} is not set.");

    public int Int32(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Optional(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new SettingsException(name, $"Environment variable {name} must be an integer between {min} and {max}.");
        }

        return value;
    }

    public decimal? Decimal(string name, decimal min = 0m)
    {
        var text = Optional(name);
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new SettingsException(name, $"Environment variable {name} must be a number not below {min.ToString(CultureInfo.InvariantCulture)}.");
        }

        return value;
    }
}
