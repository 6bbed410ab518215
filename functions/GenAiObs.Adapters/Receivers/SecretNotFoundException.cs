namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// The named secret does not exist: a receiver that was never set up (its SSM parameter not
/// created), as opposed to a failure to read it. The message names the parameter, never a value.
/// </summary>
public sealed class SecretNotFoundException : Exception
{
    public SecretNotFoundException(string parameterName, Exception innerException)
        : base($"SSM parameter '{parameterName}' does not exist", innerException)
    {
        ParameterName = parameterName;
    }

    public SecretNotFoundException(string parameterName)
        : base($"SSM parameter '{parameterName}' does not exist")
    {
        ParameterName = parameterName;
    }

    public SecretNotFoundException()
    {
        ParameterName = string.Empty;
    }

    public string ParameterName { get; }
}
