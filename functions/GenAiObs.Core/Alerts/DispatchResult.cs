namespace GenAiObs.Core.Alerts;

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

    /// <summary>Claims of failed publishes that could not be given back (they expire with their lease).</summary>
    public int Unreleased { get; init; }
}
