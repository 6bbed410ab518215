using System.Globalization;
using System.Text;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>What a contributor's share is a share of.</summary>
public enum ContributionBasis
{
    /// <summary>Share of the total (month-to-date cost, last hour's requests …).</summary>
    Total = 0,

    /// <summary>Share of the increase over the baseline (daily cost, week-over-week tokens).</summary>
    Increase,
}

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

/// <summary>Invariant number formatting for alert text.</summary>
public static class AlertText
{
    public static string Usd(decimal amount) =>
        "$" + decimal.Round(amount, 2, MidpointRounding.AwayFromZero).ToString("#,0.00", CultureInfo.InvariantCulture);

    public static string Percent(double share) =>
        (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Percent(decimal share) => Percent((double)share);

    /// <summary><c>15m</c>, <c>2h</c>, <c>7d</c>: the largest unit that divides the span.</summary>
    public static string Window(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerDay == 0 ? ((long)window.TotalDays).ToString(CultureInfo.InvariantCulture) + "d"
        : window.Ticks % TimeSpan.TicksPerHour == 0 ? ((long)window.TotalHours).ToString(CultureInfo.InvariantCulture) + "h"
        : ((long)window.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary>A ratio as a percentage with one decimal, e.g. <c>12.5%</c>.</summary>
    public static string Ratio(double numerator, double denominator) =>
        denominator > 0 ? Percent(numerator / denominator) : "n/a";

    public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Milliseconds(double ms) => ms.ToString("#,0", CultureInfo.InvariantCulture) + " ms";

    public static string Amount(decimal amount, string unit) => unit switch
    {
        "usd" => Usd(amount),
        _ => decimal.Round(amount, 0, MidpointRounding.AwayFromZero).ToString("#,0", CultureInfo.InvariantCulture) + " " + unit,
    };

    /// <summary>A threshold or amount as written in the settings (<c>5</c>, <c>10000</c>, <c>2.5</c>).</summary>
    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Joins non-empty lines for a description.</summary>
    public static string Lines(IEnumerable<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            if (string.IsNullOrEmpty(line))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(line);
        }

        return builder.ToString();
    }
}
