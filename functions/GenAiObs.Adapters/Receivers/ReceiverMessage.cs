using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Receivers;

/// <summary>What a receiver is asked to deliver: the evaluator's notification or a CloudWatch alarm state change (exactly one is set).</summary>
public sealed record ReceiverMessage
{
    private ReceiverMessage(AlertNotification? notification, CloudWatchAlarm? alarm)
    {
        Notification = notification;
        Alarm = alarm;
    }

    public AlertNotification? Notification { get; }

    public CloudWatchAlarm? Alarm { get; }

    public static ReceiverMessage For(AlertNotification notification) => new(notification ?? throw new ArgumentNullException(nameof(notification)), null);

    public static ReceiverMessage For(CloudWatchAlarm alarm) => new(null, alarm ?? throw new ArgumentNullException(nameof(alarm)));

    /// <summary>True for a resolved notification or an OK alarm (what <c>send_resolved: false</c> suppresses).</summary>
    public bool IsResolved => Notification is { } n ? n.Status == AlertStatus.Resolved : Alarm!.NewState == AlarmState.Ok;
}
