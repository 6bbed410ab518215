using System.Text;

namespace GenAiObs.Core.Alerts;

/// <summary>Human-readable renderings of a notification (SNS default/email text, subjects, titles).</summary>
public static class NotificationText
{
    public const string TestBanner = "TEST NOTIFICATION from genaiobs notify-test: the delivery path works; no action is needed.";
    public const int MaxSubjectLength = 99;

    /// <summary>e.g. <c>[FIRING:2] ErrorRateHigh (critical)</c>; <c>[TEST]</c> in front of a test.</summary>
    public static string Title(AlertNotification notification)
    {
        var state = notification.Status == AlertStatus.Firing ? $"FIRING:{notification.FiringCount}" : "RESOLVED";
        var title = $"[{state}] {notification.AlertName} ({notification.Severity.ToLabel()})";
        return notification.IsTest ? "[TEST] " + title : title;
    }

    /// <summary>
    /// An SNS Subject: printable ASCII only (SNS rejects line breaks and control characters),
    /// fewer than 100 characters.
    /// </summary>
    public static string Subject(AlertNotification notification)
    {
        var title = Title(notification);
        var builder = new StringBuilder(title.Length);
        foreach (var c in title)
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        var subject = builder.ToString();
        return subject.Length <= MaxSubjectLength ? subject : subject[..(MaxSubjectLength - 3)] + "...";
    }

    /// <summary>The plain-text body (SNS <c>default</c> and <c>email</c>), showing at most <paramref name="maxAlerts"/> alerts.</summary>
    public static string Body(AlertNotification notification, int maxAlerts = int.MaxValue)
    {
        var builder = new StringBuilder();
        if (notification.IsTest)
        {
            builder.Append(TestBanner).Append('\n').Append('\n');
        }

        builder.Append(Title(notification)).Append('\n');
        builder.Append("Receiver: ").Append(notification.Receiver).Append('\n');
        builder.Append("Group: ").Append(notification.GroupLabels).Append('\n');
        builder.Append("Reason: ").Append(notification.Reason).Append('\n');
        builder.Append("At: ").Append(AlertJson.FormatTime(notification.At)).Append('\n');

        var shown = 0;
        foreach (var status in new[] { AlertStatus.Firing, AlertStatus.Resolved })
        {
            var alerts = notification.Alerts.Where(a => a.Status == status).ToList();
            if (alerts.Count == 0)
            {
                continue;
            }

            builder.Append('\n').Append(status == AlertStatus.Firing ? "Firing" : "Resolved").Append(" (").Append(alerts.Count).Append("):\n");
            foreach (var alert in alerts)
            {
                if (shown >= maxAlerts)
                {
                    break;
                }

                shown++;
                builder.Append("- ").Append(alert.Summary).Append('\n');
                if (alert.Description is { } description)
                {
                    builder.Append("  ").Append(description.Replace("\n", "\n  ", StringComparison.Ordinal)).Append('\n');
                }

                builder.Append("  labels: ").Append(alert.Labels).Append('\n');
                builder.Append("  since ").Append(AlertJson.FormatTime(alert.StartsAt));
                if (alert.EndsAt is { } endsAt)
                {
                    builder.Append(", resolved ").Append(AlertJson.FormatTime(endsAt));
                }

                builder.Append('\n');
            }
        }

        var omitted = notification.OmittedAlerts + (notification.Alerts.Count - shown);
        if (omitted > 0)
        {
            builder.Append("\n[cut: ").Append(omitted).Append(omitted == 1 ? " more alert is" : " more alerts are")
                .Append(" not shown to fit the message size limit]\n");
        }

        builder.Append("\nGroup key: ").Append(notification.GroupKey).Append('\n');
        return builder.ToString();
    }
}
