using System.Globalization;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// One of the top contributors a cost or usage alert names: the first step of root-cause analysis.
/// </summary>
/// <param name="Dimension">model, principal, team or session.</param>
/// <param name="Name">The dimension value (model ID, principal ARN, team name, session ID).</param>
/// <param name="Amount">Its amount (USD, tokens or requests — see <paramref name="Unit"/>).</param>
/// <param name="Unit">usd, tokens or requests.</param>
/// <param name="Share">Its share (0–1) of the total or of the increase.</param>
/// <param name="Basis">What the share is a share of.</param>
public sealed record AlertContributor(string Dimension, string Name, decimal Amount, string Unit, double Share, ContributionBasis Basis)
{
    /// <summary><c>model anthropic.claude-x: $12.34 (52.1% of the increase)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Dimension} {Name}: {AlertText.Amount(Amount, Unit)} ({AlertText.Percent(Share)} of the {(Basis == ContributionBasis.Increase ? "increase" : "total")})");
}

/// <summary>
/// An alert a rule raises at one evaluation: Alertmanager-style labels (its identity) and
/// annotations (its text, built from aggregate numbers only — prompt or response text never
/// reaches a rule, so it cannot reach an alert).
/// </summary>
public sealed class FiringAlert
{
    public const string SummaryAnnotation = "summary";
    public const string DescriptionAnnotation = "description";
    public const string ContributorsAnnotation = "top_contributors";

    public FiringAlert(
        string rule,
        string severity,
        IEnumerable<KeyValuePair<string, string>> keyLabels,
        string summary,
        string description,
        IReadOnlyList<AlertContributor>? contributors = null,
        bool oneShot = false)
    {
        Rule = rule;
        Severity = severity;
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in keyLabels)
        {
            labels[name] = value;
        }

        labels[RuleLabels.AlertName] = rule;
        labels[RuleLabels.Severity] = severity;
        labels[RuleLabels.CloudProvider] = RuleLabels.Aws;
        Labels = labels;
        Contributors = contributors ?? [];
        OneShot = oneShot;

        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [SummaryAnnotation] = summary,
            [DescriptionAnnotation] = description,
        };
        if (Contributors.Count > 0)
        {
            annotations[ContributorsAnnotation] = string.Join("; ", Contributors.Select(contributor => contributor.ToString()));
        }

        Annotations = annotations;
        Identity = string.Join(",", labels.Select(pair => pair.Key + "=" + pair.Value));
    }

    /// <summary>The rule ID (= the <c>alertname</c> label).</summary>
    public string Rule { get; }

    public string Severity { get; }

    /// <summary><c>alertname</c>, <c>severity</c>, <c>cloud_provider="aws"</c> and the rule's keys (model, session, tool, component, period), sorted by name.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary><c>summary</c>, <c>description</c> and, for cost and usage alerts, <c>top_contributors</c>.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; }

    public string Summary => Annotations[SummaryAnnotation];

    public string Description => Annotations[DescriptionAnnotation];

    /// <summary>The top contributors (top 3 per dimension), largest first.</summary>
    public IReadOnlyList<AlertContributor> Contributors { get; }

    /// <summary>
    /// A report or once-per-period notice (budget, digest, weekly report): its labels carry a
    /// <c>period</c>, it is notified once and never repeated or resolved.
    /// </summary>
    public bool OneShot { get; }

    /// <summary>The labels as one canonical string (<c>alertname=…,cloud_provider=aws,…</c>): equal labels, equal identity.</summary>
    public string Identity { get; }

    public override string ToString() => Identity;
}
