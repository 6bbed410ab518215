namespace GenAiObs.Adapters.Pricing;

/// <summary>S3 refused a GetObject (or could not be reached). Carries no object content.</summary>
public sealed class S3ReadException : Exception
{
    public S3ReadException(string message, int statusCode, string code, bool retryable, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Code = code;
        Retryable = retryable;
    }

    public S3ReadException()
        : this("S3 GetObject failed", 0, "Unknown", false)
    {
    }

    public S3ReadException(string message)
        : this(message, 0, "Unknown", false)
    {
    }

    public S3ReadException(string message, Exception innerException)
        : this(message, 0, "Unknown", false, innerException)
    {
    }

    public int StatusCode { get; }
    public string Code { get; }
    public bool Retryable { get; }
}
