namespace GenAiObs.Core.Costing;

/// <summary>Whether a line of the bill depends on the traffic.</summary>
public enum CostKind
{
    /// <summary>The same whatever the number of invocations (deployed resources, bounded metrics, the evaluator's schedule).</summary>
    Fixed,

    /// <summary>Grows with invocations, deliveries and log volume.</summary>
    Variable,
}
