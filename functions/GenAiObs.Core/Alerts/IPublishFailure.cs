namespace GenAiObs.Core.Alerts;

/// <summary>
/// An exception from an <see cref="IAlertPublisher"/> that can say briefly why the publish failed
/// (for SNS: the HTTP status and error code), without the message body or any secret.
/// </summary>
public interface IPublishFailure
{
    /// <summary>A short, loggable reason such as <c>500 InternalError</c>.</summary>
    string Summary { get; }
}
