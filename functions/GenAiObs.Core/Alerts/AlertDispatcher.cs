namespace GenAiObs.Core.Alerts;

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

/// <summary>
/// Runs one evaluation's notifications: loads the group states, asks the pure
/// <see cref="NotificationPlanner"/> what to send, and for each notification claims it in the
/// store BEFORE publishing and records it as sent only AFTER the publisher accepted it. A
/// failed publish releases the claim, so the same notification is planned again next time —
/// never lost, never sent twice by two evaluators racing.
/// </summary>
/// <param name="store">Where group states and claims live.</param>
/// <param name="publisher">Delivers a notification (SNS in production).</param>
/// <param name="options">Lease and retention; defaults when null.</param>
/// <param name="time">
/// The clock a claim's lease is measured on, read when the claim is written: an evaluation's
/// <c>now</c> is taken before maintenance and may be minutes old by then. Null: leases count
/// from <c>now</c> (callers without a clock of their own).
/// </param>
public sealed class AlertDispatcher(IAlertStateStore store, IAlertPublisher publisher, DispatcherOptions? options = null, TimeProvider? time = null)
{
    private readonly DispatcherOptions _options = options ?? new DispatcherOptions();

    public async Task<DispatchResult> DispatchAsync(IReadOnlyCollection<Alert> firing, RoutingTree routing, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = (await store.LoadAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(g => g.GroupId, StringComparer.Ordinal);

        // A group another evaluator is publishing right now is left entirely to it.
        var loadedAt = ClockAtLeast(time, now);
        var leased = stored.Values.Where(g => g.Pending is { } p && p.LeaseUntil > loadedAt).Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);
        var states = stored.Values.Where(g => g.State is not null && !leased.Contains(g.GroupId)).Select(g => g.State!).ToList();

        var plan = NotificationPlanner.Plan(firing, states, routing, now);
        var sent = new List<(AlertNotification, PublishReceipt)>();
        var failed = new List<DispatchFailure>();
        var conflicts = 0;
        var skippedLeased = 0;
        var unreleased = 0;

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

            var lease = new PendingNotification(notification.Id, ClockAtLeast(time, now) + _options.ClaimLease);
            var claimedVersion = await store.TryClaimAsync(group.GroupId, version, lease, expiresAt, cancellationToken).ConfigureAwait(false);
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
                failed.Add(new DispatchFailure(notification.Id, notification.Receiver, ex is IPublishFailure publishFailure ? publishFailure.Summary : ex.GetType().Name));
                if (!await ReleaseBestEffortAsync(store, group.GroupId, claimed, notification.Id).ConfigureAwait(false))
                {
                    unreleased++;
                }

                continue;
            }

            if (!await store.TryConfirmAsync(group.GroupId, claimed, notification.Id, group.Next, expiresAt, cancellationToken).ConfigureAwait(false))
            {
                // Only possible when our lease ran out and another evaluator took over.
                conflicts++;
            }

            sent.Add((notification, receipt));
        }

        return new DispatchResult(sent, failed, conflicts, skippedLeased, plan.NextDueAt) { Muted = plan.Muted, Unreleased = unreleased };
    }

    /// <summary>
    /// Gives a claim back after a failed publish, and never throws: a release that fails even
    /// after the store's retries only delays the notification until the lease runs out (the next
    /// evaluation after that plans it again), whereas an exception here would end the run and
    /// leave every later group of this evaluation unsent.
    /// </summary>
    /// <returns>False when the claim is still held (the store refused or failed).</returns>
    internal static async Task<bool> ReleaseBestEffortAsync(IAlertStateStore store, string groupId, long claimedVersion, string notificationId)
    {
        try
        {
            return await store.TryReleaseAsync(groupId, claimedVersion, notificationId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>The clock's current time, never earlier than <paramref name="now"/> (a simulated clock may lag it).</summary>
    internal static DateTimeOffset ClockAtLeast(TimeProvider? time, DateTimeOffset now) =>
        time?.GetUtcNow() is { } current && current > now ? current : now;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
