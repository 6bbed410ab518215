namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// One configured integration of a receiver (one entry of a <c>*_configs</c> list), as
/// Alertmanager's <c>Notifier</c> interface: one attempt to deliver one message, answering
/// whether it was delivered, deliberately skipped, or failed — and for a failure whether trying
/// again may help. Retries, backoff and secret refresh are the caller's (<see cref="IntegrationRunner"/>),
/// so every integration behaves the same under 429, 5xx and revoked secrets.
/// </summary>
public interface IReceiverIntegration
{
    /// <param name="message">What to deliver.</param>
    /// <param name="secret">The integration's secret as read from SSM (a routing key or a webhook URL).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    Task<IntegrationResult> NotifyAsync(ReceiverMessage message, string secret, CancellationToken cancellationToken);
}

/// <summary>
/// One attempt's result. <see cref="Retry"/> follows Alertmanager's rule (2xx delivered; 429, 5xx
/// and transport errors worth retrying; any other answer is final). <see cref="Detail"/> is a
/// short reason for logs — never a secret or message content.
/// </summary>
public sealed record IntegrationResult(IntegrationOutcome Outcome, bool Retry, int StatusCode, string Detail, TimeSpan? RetryAfter = null)
{
    public static IntegrationResult Delivered { get; } = new(IntegrationOutcome.Delivered, false, 0, string.Empty);

    public static IntegrationResult Skip(string reason) => new(IntegrationOutcome.Skipped, false, 0, reason);

    public static IntegrationResult Fail(string detail, bool retry = false, int statusCode = 0) => new(IntegrationOutcome.Failed, retry, statusCode, detail);

    /// <summary>401, 403 and 404: the receiver does not know the credential (rotated key, deleted webhook) — worth re-reading the secret once.</summary>
    public bool SecretRejected => Outcome == IntegrationOutcome.Failed && StatusCode is 401 or 403 or 404;
}
