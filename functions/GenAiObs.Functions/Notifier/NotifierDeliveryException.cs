namespace GenAiObs.Functions.Notifier;

/// <summary>The invocation must fail so SNS/Lambda retry it: a receiver did not take a notification.</summary>
public sealed class NotifierDeliveryException : Exception
{
    public NotifierDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotifierDeliveryException()
    {
    }

    public NotifierDeliveryException(string message)
        : base(message)
    {
    }
}
