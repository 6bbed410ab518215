using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts.Rules;

/// <summary>A quantity rules rank contributors by.</summary>
/// <param name="Unit">usd, tokens, requests, errors.</param>
/// <param name="Of">The quantity in a key's counters.</param>
public sealed record Measure(string Unit, Func<AggregateCounters, decimal> Of)
{
    public static Measure CostUsd { get; } = new("usd", counters => AggregateCounters.FromMicros(counters[CounterNames.CostMicros]));

    public static Measure Tokens { get; } = new("tokens", counters =>
        counters[CounterNames.InputTokens] + counters[CounterNames.OutputTokens] +
        counters[CounterNames.CacheReadTokens] + counters[CounterNames.CacheWriteTokens]);

    public static Measure Requests { get; } = new("requests", counters => counters[CounterNames.Requests]);

    public static Measure Errors { get; } = new("errors", counters => counters[CounterNames.Errors]);
}

/// <summary>
/// The top contributors a cost or usage alert names — top 3 per dimension (model, principal,
/// team, source account) by their share of the total or of the increase over a baseline.
/// </summary>
public static class ContributorAnalysis
{
    public const int DefaultLimit = 3;

    /// <summary>The dimensions contributors are named in, with their key prefixes.</summary>
    public static IReadOnlyList<(string Dimension, string Prefix)> Dimensions { get; } =
    [
        (RuleLabels.Model, AggregateKeys.ModelPrefix),
        ("principal", AggregateKeys.PrincipalPrefix),
        ("team", AggregateKeys.TeamPrefix),

        // Present only in a central (Kinesis) deployment; empty, and so silent, in direct mode.
        ("account", AggregateKeys.AccountPrefix),
    ];

    /// <summary>The largest keys of one prefix by their share of <paramref name="total"/> (ties broken by name).</summary>
    public static IReadOnlyList<AlertContributor> OfTotal(
        IReadOnlyDictionary<string, AggregateCounters> sums,
        string dimension,
        Measure measure,
        decimal total,
        int limit = DefaultLimit) =>
        [.. sums
            .Select(pair => (Name: AggregateKeys.ValueOf(pair.Key), Amount: measure.Of(pair.Value)))
            .Where(entry => entry.Amount > 0)
            .OrderByDescending(entry => entry.Amount)
            .ThenBy(entry => entry.Name, StringComparer.Ordinal)
            .Take(limit)
            .Select(entry => new AlertContributor(dimension, entry.Name, entry.Amount, measure.Unit, total > 0 ? (double)(entry.Amount / total) : 0, ContributionBasis.Total))];

    /// <summary>
    /// The keys of one prefix that grew most over their baseline (<paramref name="baseline"/> sums
    /// times <paramref name="baselineScale"/>, e.g. 1/7 for a daily mean over 7 days), by their
    /// share of the overall <paramref name="increase"/>. Only keys that grew are named.
    /// </summary>
    public static IReadOnlyList<AlertContributor> OfIncrease(
        IReadOnlyDictionary<string, AggregateCounters> current,
        IReadOnlyDictionary<string, AggregateCounters> baseline,
        decimal baselineScale,
        string dimension,
        Measure measure,
        decimal increase,
        int limit = DefaultLimit) =>
        [.. current
            .Select(pair => (Name: AggregateKeys.ValueOf(pair.Key), Amount: measure.Of(pair.Value) - (baseline.TryGetValue(pair.Key, out var before) ? measure.Of(before) * baselineScale : 0m)))
            .Where(entry => entry.Amount > 0)
            .OrderByDescending(entry => entry.Amount)
            .ThenBy(entry => entry.Name, StringComparer.Ordinal)
            .Take(limit)
            .Select(entry => new AlertContributor(dimension, entry.Name, entry.Amount, measure.Unit, increase > 0 ? (double)(entry.Amount / increase) : 0, ContributionBasis.Increase))];

    /// <summary>Top contributors of every dimension to a total over [from, to).</summary>
    public static async Task<IReadOnlyList<AlertContributor>> TopOfTotalAsync(
        IAlertDataReader data, DateTimeOffset from, DateTimeOffset to, Measure measure, decimal total, CancellationToken cancellationToken, int limit = DefaultLimit)
    {
        var contributors = new List<AlertContributor>();
        foreach (var (dimension, prefix) in Dimensions)
        {
            var sums = await data.SumByPrefixAsync(prefix, from, to, cancellationToken).ConfigureAwait(false);
            contributors.AddRange(OfTotal(sums, dimension, measure, total, limit));
        }

        return contributors;
    }

    /// <summary>Top contributors of every dimension to an increase of [from, to) over a baseline range.</summary>
    public static async Task<IReadOnlyList<AlertContributor>> TopOfIncreaseAsync(
        IAlertDataReader data,
        (DateTimeOffset From, DateTimeOffset To) current,
        (DateTimeOffset From, DateTimeOffset To) baseline,
        decimal baselineScale,
        Measure measure,
        decimal increase,
        CancellationToken cancellationToken,
        int limit = DefaultLimit)
    {
        var contributors = new List<AlertContributor>();
        foreach (var (dimension, prefix) in Dimensions)
        {
            var now = await data.SumByPrefixAsync(prefix, current.From, current.To, cancellationToken).ConfigureAwait(false);
            var before = await data.SumByPrefixAsync(prefix, baseline.From, baseline.To, cancellationToken).ConfigureAwait(false);
            contributors.AddRange(OfIncrease(now, before, baselineScale, dimension, measure, increase, limit));
        }

        return contributors;
    }

    /// <summary>"Top contributors: model a (52.1% …); principal b (…)" — or empty when there are none.</summary>
    public static string Describe(IReadOnlyList<AlertContributor> contributors) =>
        contributors.Count == 0
            ? string.Empty
            : "Top contributors:\n" + AlertText.Lines(contributors.Select(contributor => "- " + contributor));
}
