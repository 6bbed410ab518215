namespace GenAiObs.Core.Costing;

/// <summary>One component of the observer's monthly bill.</summary>
public sealed record CostLine(string Component, double Quantity, string Unit, decimal UnitPriceUsd, decimal MonthlyUsd, CostKind Kind);

/// <summary>The observer's monthly bill for a scenario, by component, with the prices used.</summary>
public sealed record ObserverBill(MonthUsage Usage, ObserverFootprint Footprint, ObserverPrices Prices, IReadOnlyList<CostLine> Lines)
{
    public decimal TotalUsd => Lines.Sum(l => l.MonthlyUsd);

    public decimal FixedUsd => Lines.Where(l => l.Kind == CostKind.Fixed).Sum(l => l.MonthlyUsd);

    public decimal VariableUsd => Lines.Where(l => l.Kind == CostKind.Variable).Sum(l => l.MonthlyUsd);

    /// <summary>Variable cost per million model invocations.</summary>
    public decimal VariablePerMillionUsd => Usage.Invocations <= 0 ? 0 : VariableUsd / (decimal)(Usage.Invocations / 1_000_000);

    /// <summary>The bill as a share of the observed Bedrock spend (null when that is 0).</summary>
    public double? ShareOfBedrockSpend => Usage.BedrockSpendUsd <= 0 ? null : (double)(TotalUsd / Usage.BedrockSpendUsd);
}
