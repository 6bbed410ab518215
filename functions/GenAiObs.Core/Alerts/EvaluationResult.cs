using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Core.Alerts;

/// <summary>What one evaluation did.</summary>
/// <param name="At">The evaluation time.</param>
/// <param name="Alerts">The alerts the rules raised.</param>
/// <param name="Sent">Notifications the publisher accepted, in order.</param>
/// <param name="Failed">Notifications that could not be published (they stay due and are retried next run).</param>
/// <param name="Conflicts">Writes lost to another evaluator (it sends instead).</param>
public sealed record EvaluationResult(
    DateTimeOffset At,
    IReadOnlyList<FiringAlert> Alerts,
    IReadOnlyList<(AlertNotification Notification, PublishReceipt Receipt)> Sent,
    IReadOnlyList<DispatchFailure> Failed,
    int Conflicts)
{
    /// <summary>Due group notifications held back by their route's time intervals (sent after the mute ends).</summary>
    public int Muted { get; init; }

    /// <summary>Claims of failed publishes the store could not give back (sent again after their lease).</summary>
    public int Unreleased { get; init; }
}
