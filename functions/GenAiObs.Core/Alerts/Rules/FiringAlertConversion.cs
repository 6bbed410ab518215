namespace GenAiObs.Core.Alerts.Rules;

/// <summary>Turns rule output into the delivery model.</summary>
public static class FiringAlertConversion
{
    /// <summary>The planner's <see cref="Alert"/>: same labels, annotations cut to the alert model's limits, started at <paramref name="startsAt"/>.</summary>
    public static Alert ToAlert(this FiringAlert alert, DateTimeOffset startsAt)
    {
        var annotations = alert.Annotations.Select(pair => new KeyValuePair<string, string>(
            pair.Key,
            Alert.Cut(pair.Value, pair.Key == FiringAlert.SummaryAnnotation ? Alert.MaxSummaryLength : Alert.MaxDescriptionLength)));
        return new Alert(LabelSet.From(alert.Labels), LabelSet.From(annotations), startsAt);
    }
}
