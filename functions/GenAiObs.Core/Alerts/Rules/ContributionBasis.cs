namespace GenAiObs.Core.Alerts.Rules;

/// <summary>What a contributor's share is a share of.</summary>
public enum ContributionBasis
{
    /// <summary>Share of the total (month-to-date cost, last hour's requests …).</summary>
    Total = 0,

    /// <summary>Share of the increase over the baseline (daily cost, week-over-week tokens).</summary>
    Increase,
}
