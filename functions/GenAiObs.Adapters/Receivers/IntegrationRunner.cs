using GenAiObs.Adapters.Http;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// Delivers one message through one integration: reads its secret (the first of its SSM parameters
/// that exists), makes the attempt, and retries what the integration calls retryable with the
/// shared <see cref="RetryPolicy"/> (Retry-After honoured up to its bound, else backoff). A 401,
/// 403 or 404 means the receiver no longer knows the credential: the cached secret is dropped and
/// re-read once, and the attempt repeated when it changed (a rotated routing key or webhook).
/// </summary>
public sealed class IntegrationRunner(ISecretSource secrets, RetryPolicy? retry = null, DelayAsync? delay = null, TimeProvider? time = null)
{
    private readonly RetryPolicy _retry = retry ?? RetryPolicy.Default;
    private readonly DelayAsync _delay = delay ?? RetryPolicy.DelayWith(time ?? TimeProvider.System);

    /// <summary>Delivered or skipped (with the reason; a missing secret names its parameter in <see cref="IntegrationResult.Detail"/>).</summary>
    /// <exception cref="ReceiverDeliveryException">The integration failed for good or ran out of retries.</exception>
    public async Task<IntegrationResult> DeliverAsync(IntegrationConfig config, IReceiverIntegration integration, ReceiverMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(integration);
        if (await ReadSecretAsync(config.Secret, cancellationToken).ConfigureAwait(false) is not var (parameter, secret))
        {
            return IntegrationResult.Skip("missing_parameter:" + config.Secret.Parameters[0]);
        }

        var refreshed = false;
        for (var attempt = 1; ; attempt++)
        {
            var result = await integration.NotifyAsync(message, secret, cancellationToken).ConfigureAwait(false);
            if (result.Outcome != IntegrationOutcome.Failed)
            {
                return result;
            }

            if (result.SecretRejected && !refreshed)
            {
                refreshed = true;
                secrets.Invalidate(parameter);
                if (await ReadSecretAsync(config.Secret, cancellationToken).ConfigureAwait(false) is var (freshParameter, fresh) && fresh != secret)
                {
                    (parameter, secret) = (freshParameter, fresh);
                    attempt--;
                    continue;
                }
            }

            if (!result.Retry || attempt >= _retry.MaxAttempts)
            {
                throw new ReceiverDeliveryException(config.Kind, result.StatusCode, result.Detail, result.Retry);
            }

            await _delay(result.RetryAfter ?? _retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(string Parameter, string Secret)?> ReadSecretAsync(SecretReference reference, CancellationToken cancellationToken)
    {
        foreach (var parameter in reference.Parameters)
        {
            try
            {
                return (parameter, await secrets.GetSecretAsync(parameter, cancellationToken).ConfigureAwait(false));
            }
            catch (SecretNotFoundException)
            {
                // A receiver never set up (its parameter not created): try the next, else skip.
            }
        }

        return null;
    }
}
