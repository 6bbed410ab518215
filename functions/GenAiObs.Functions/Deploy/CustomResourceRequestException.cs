namespace GenAiObs.Functions.Deploy;

/// <summary>A CloudFormation custom-resource request property that is missing or malformed.</summary>
public sealed class CustomResourceRequestException : Exception
{
    public CustomResourceRequestException(string message)
        : base(message)
    {
    }

    public CustomResourceRequestException()
    {
    }

    public CustomResourceRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
