namespace GenAiObs.Core.Alerts;

/// <summary>What happened to a published notification.</summary>
/// <param name="MessageId">The id the transport gave the accepted message (SNS MessageId).</param>
/// <param name="SkippedReason">Set when nothing was sent because the receiver has no destination configured.</param>
public sealed record PublishReceipt(string? MessageId, string? SkippedReason = null)
{
    public bool Skipped => SkippedReason is not null;
}

/// <summary>
/// The port notifications leave through (SNS in production). Returns only once the transport
/// accepted the message; throws when it did not, so the caller leaves the notification due and
/// it is tried again at the next evaluation.
/// </summary>
public interface IAlertPublisher
{
    Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken);
}
