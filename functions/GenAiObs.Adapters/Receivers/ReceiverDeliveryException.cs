namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// A receiver did not take a notification. Never carries the endpoint URL (a Slack webhook URL
/// is a secret) nor message content; <see cref="Retryable"/> tells whether trying later may help.
/// </summary>
public sealed class ReceiverDeliveryException : Exception
{
    public ReceiverDeliveryException(string receiver, int statusCode, string detail, bool retryable, Exception? inner = null)
        : base($"{receiver} delivery failed: {(statusCode == 0 ? "no response" : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}{(detail.Length > 0 ? " " + detail : string.Empty)}", inner)
    {
        Receiver = receiver;
        StatusCode = statusCode;
        Retryable = retryable;
    }

    public ReceiverDeliveryException()
        : this("receiver", 0, string.Empty, false)
    {
    }

    public ReceiverDeliveryException(string message)
        : this("receiver", 0, message, false)
    {
    }

    public ReceiverDeliveryException(string message, Exception innerException)
        : this("receiver", 0, message, false, innerException)
    {
    }

    public string Receiver { get; } = "receiver";
    public int StatusCode { get; }
    public bool Retryable { get; }
}
