namespace GenAiObs.Core.Alerts.Rules;

/// <summary>A rule setting that cannot be used; the message names the variable.</summary>
public sealed class RuleSettingsException : Exception
{
    public RuleSettingsException(string variableName, string message)
        : base(message)
    {
        VariableName = variableName;
    }

    public RuleSettingsException()
    {
        VariableName = string.Empty;
    }

    public RuleSettingsException(string message)
        : base(message)
    {
        VariableName = string.Empty;
    }

    public RuleSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        VariableName = string.Empty;
    }

    /// <summary>The environment variable at fault.</summary>
    public string VariableName { get; }
}
