using GenAiObs.Adapters.Configuration;

namespace GenAiObs.Functions;

/// <summary>An unknown <c>_HANDLER</c> value (reported through <c>init/error</c>).</summary>
public sealed class UnknownHandlerException : Exception
{
    public UnknownHandlerException(string handler, IEnumerable<string> known)
        : base($"Unknown handler '{handler}' in {EnvironmentVariables.Handler}; this bootstrap serves: {string.Join(", ", known)}.")
    {
        Handler = handler;
    }

    public UnknownHandlerException()
    {
        Handler = string.Empty;
    }

    public UnknownHandlerException(string message)
        : base(message)
    {
        Handler = string.Empty;
    }

    public UnknownHandlerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Handler = string.Empty;
    }

    public string Handler { get; }
}
