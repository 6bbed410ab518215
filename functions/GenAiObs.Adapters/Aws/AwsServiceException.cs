using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Aws;

/// <summary>
/// An AWS API refused a request, or could not be reached: the HTTP status (0 when no answer came),
/// the service's error code, whether retrying can help, and the request id when the service gave one.
/// Carries no request body, message content or credentials.
/// </summary>
public sealed class AwsServiceException : Exception, IPublishFailure
{
    public AwsServiceException(string message, int statusCode, string code, bool retryable, string? requestId = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Code = code;
        Retryable = retryable;
        RequestId = requestId;
    }

    public AwsServiceException()
        : this("AWS request failed", 0, "Unknown", false)
    {
    }

    public AwsServiceException(string message)
        : this(message, 0, "Unknown", false)
    {
    }

    public AwsServiceException(string message, Exception innerException)
        : this(message, 0, "Unknown", false, null, innerException)
    {
    }

    public int StatusCode { get; }
    public string Code { get; }
    public bool Retryable { get; }
    public string? RequestId { get; }

    /// <summary>The HTTP status and error code, e.g. <c>500 InternalError</c>.</summary>
    public string Summary => $"{StatusCode} {Code}";
}
