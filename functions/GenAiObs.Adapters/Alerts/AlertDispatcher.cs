using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Alerts;

/// <summary>Tunables of <see cref="AlertDispatcher"/>.</summary>
public sealed record DispatcherOptions
{
    /// <summary>
    /// How long a claim protects a publish in flight. Longer than the publisher's whole retry
    /// budget, so a live claim is never taken over; short enough that a crashed evaluator's
    /// notification goes out at one of the next evaluations.
    /// </summary>
    public TimeSpan ClaimLease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Minimum time a group's item lives after its last write (DynamoDB TTL).</summary>
    public TimeSpan StateRetention { get; init; } = TimeSpan.FromDays(7);
}

/// <summary>One notification that could not be published this time (it stays due).</summary>
public sealed record DispatchFailure(string NotificationId, string Receiver, string Error);

/// <summary>What one dispatch did.</summary>
public sealed record DispatchResult(
    IReadOnlyList<(AlertNotification Notification, PublishReceipt Receipt)> Sent,
    IReadOnlyList<DispatchFailure> Failed,
    int Conflicts,
    int Leased,
    DateTimeOffset? NextDueAt)
{
    /// <summary>Due notifications a route's mute or active time intervals held back.</summary>
    public int Muted { get; init; }
}

/// <summary>
/// Runs one evaluation's notifications: loads the group states, asks the pure
/// <see cref="NotificationPlanner"/> what to send, and for each notification claims it in the
/// store BEFORE publishing and records it as sent only AFTER the publisher accepted it. A
/// failed publish releases the claim, so the same notification is planned again next time —
/// never lost, never sent twice by two evaluators racing.
/// </summary>
public sealed class AlertDispatcher(IAlertStateStore store, IAlertPublisher publisher, DispatcherOptions? options = null)
{
    private readonly DispatcherOptions _options = options ?? new DispatcherOptions();

    public async Task<DispatchResult> DispatchAsync(IReadOnlyCollection<Alert> firing, RoutingTree routing, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = (await store.LoadAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(g => g.GroupId, StringComparer.Ordinal);

        // A group another evaluator is publishing right now is left entirely to it.
        var leased = stored.Values.Where(g => g.Pending is { } p && p.LeaseUntil > now).Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);
        var states = stored.Values.Where(g => g.State is not null && !leased.Contains(g.GroupId)).Select(g => g.State!).ToList();

        var plan = NotificationPlanner.Plan(firing, states, routing, now);
        var sent = new List<(AlertNotification, PublishReceipt)>();
        var failed = new List<DispatchFailure>();
        var conflicts = 0;
        var skippedLeased = 0;

        foreach (var group in plan.Groups)
        {
            if (leased.Contains(group.GroupId))
            {
                skippedLeased++;
                continue;
            }

            stored.TryGetValue(group.GroupId, out var current);
            var version = current?.Version ?? 0;
            var expiresAt = now + Max(_options.StateRetention, group.Next.RepeatInterval * 2);

            if (group.Notification is not { } notification)
            {
                var unchanged = current?.State is { } before
                    && current.Pending is null
                    && AlertJson.SerializeState(before) == AlertJson.SerializeState(group.Next);
                if (!unchanged && !await store.TrySaveAsync(group.GroupId, version, group.Next, expiresAt, cancellationToken).ConfigureAwait(false))
                {
                    conflicts++;
                }

                continue;
            }

            var claimedVersion = await store.TryClaimAsync(group.GroupId, version, new PendingNotification(notification.Id, now + _options.ClaimLease), expiresAt, cancellationToken).ConfigureAwait(false);
            if (claimedVersion is not { } claimed)
            {
                conflicts++;
                continue;
            }

            PublishReceipt receipt;
            try
            {
                receipt = await publisher.PublishAsync(notification, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed.Add(new DispatchFailure(notification.Id, notification.Receiver, ex is Sns.SnsException sns ? $"{sns.StatusCode} {sns.Code}" : ex.GetType().Name));
                // Best effort: if this fails too, the lease runs out and the next evaluation retries.
                await store.TryReleaseAsync(group.GroupId, claimed, notification.Id, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (!await store.TryConfirmAsync(group.GroupId, claimed, notification.Id, group.Next, expiresAt, cancellationToken).ConfigureAwait(false))
            {
                // Only possible when our lease ran out and another evaluator took over.
                conflicts++;
            }

            sent.Add((notification, receipt));
        }

        return new DispatchResult(sent, failed, conflicts, skippedLeased, plan.NextDueAt) { Muted = plan.Muted };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
