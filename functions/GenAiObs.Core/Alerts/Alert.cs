namespace GenAiObs.Core.Alerts;

/// <summary>
/// One alert instance: its identity is its label set (alertname, severity,
/// cloud_provider="aws" and the rule's keys such as model or principal). Alerts are built
/// by rules from aggregates only — label values are aggregate dimensions and annotations
/// are text the rule composes from numbers — so prompt or response content cannot reach a
/// notification. Annotation text is bounded here so no rule can produce an oversized message.
/// </summary>
public sealed record Alert
{
    public const int MaxLabelValueLength = 1024;
    public const int MaxSummaryLength = 1024;
    public const int MaxDescriptionLength = 4096;
    public const string CutMarker = " …[cut]";

    public Alert(LabelSet labels, LabelSet annotations, DateTimeOffset startsAt, DateTimeOffset? endsAt = null)
    {
        foreach (var (name, value) in labels)
        {
            if (!AlertLabels.IsValidName(name))
            {
                throw new ArgumentException($"Label name '{name}' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*).", nameof(labels));
            }

            if (value.Length > MaxLabelValueLength)
            {
                throw new ArgumentException($"Label '{name}' is longer than {MaxLabelValueLength} characters.", nameof(labels));
            }
        }

        if (labels.Get(AlertLabels.AlertName) is not { Length: > 0 })
        {
            throw new ArgumentException("An alert needs a non-empty 'alertname' label.", nameof(labels));
        }

        Labels = labels;
        Annotations = annotations;
        StartsAt = startsAt;
        EndsAt = endsAt;
        Fingerprint = labels.Fingerprint();
    }

    public LabelSet Labels { get; }

    public LabelSet Annotations { get; }

    public DateTimeOffset StartsAt { get; init; }

    /// <summary>When the alert stopped firing; null while it fires.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The label-set fingerprint (see <see cref="LabelSet.Fingerprint"/>).</summary>
    public string Fingerprint { get; }

    public AlertStatus Status => EndsAt is null ? AlertStatus.Firing : AlertStatus.Resolved;

    public string AlertName => Labels.Get(AlertLabels.AlertName)!;

    public AlertSeverity Severity => AlertLabels.ParseSeverity(Labels.Get(AlertLabels.Severity));

    public string Summary => Annotations.Get(AlertLabels.Summary) ?? AlertName;

    public string? Description => Annotations.Get(AlertLabels.Description);

    /// <summary>
    /// Builds a firing alert for a rule. <paramref name="keys"/> are the rule's grouping keys
    /// (e.g. <c>model</c>, <c>principal</c>); they cannot override the fixed labels.
    /// </summary>
    public static Alert Create(
        string alertName,
        AlertSeverity severity,
        IEnumerable<KeyValuePair<string, string>> keys,
        string summary,
        string? description,
        DateTimeOffset startsAt)
    {
        var labels = new List<KeyValuePair<string, string>>();
        foreach (var key in keys)
        {
            if (key.Key is AlertLabels.AlertName or AlertLabels.Severity or AlertLabels.CloudProvider)
            {
                throw new ArgumentException($"Rule key '{key.Key}' would override a fixed alert label.", nameof(keys));
            }

            labels.Add(key);
        }

        labels.Add(new(AlertLabels.AlertName, alertName));
        labels.Add(new(AlertLabels.Severity, severity.ToLabel()));
        labels.Add(new(AlertLabels.CloudProvider, "aws"));

        var annotations = new List<KeyValuePair<string, string>> { new(AlertLabels.Summary, Cut(summary, MaxSummaryLength)) };
        if (!string.IsNullOrEmpty(description))
        {
            annotations.Add(new(AlertLabels.Description, Cut(description, MaxDescriptionLength)));
        }

        return new Alert(LabelSet.From(labels), LabelSet.From(annotations), startsAt);
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> characters, marking the cut.</summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var keep = Math.Max(0, max - CutMarker.Length);
        // Never split a surrogate pair: a lone surrogate would make the UTF-8 invalid.
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), CutMarker);
    }
}
