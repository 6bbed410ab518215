using System.Net;

namespace GenAiObs.Functions.Runtime;

/// <summary>The Runtime API answered something the runtime cannot continue from (500, or an unusable <c>next</c>).</summary>
public sealed class RuntimeApiException : Exception
{
    public RuntimeApiException(string message, HttpStatusCode? statusCode = null)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public RuntimeApiException()
    {
    }

    public RuntimeApiException(string message)
        : base(message)
    {
    }

    public RuntimeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode? StatusCode { get; }
}
