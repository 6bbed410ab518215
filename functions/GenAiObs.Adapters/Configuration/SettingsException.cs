namespace GenAiObs.Adapters.Configuration;

/// <summary>A setting that is missing or malformed; the message names the variable and never echoes a secret value.</summary>
public sealed class SettingsException : Exception
{
    public SettingsException(string variableName, string message)
        : base(message)
    {
        VariableName = variableName;
    }

    public SettingsException()
    {
        VariableName = string.Empty;
    }

    public SettingsException(string message)
        : base(message)
    {
        VariableName = string.Empty;
    }

    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        VariableName = string.Empty;
    }

    public string VariableName { get; }
}
