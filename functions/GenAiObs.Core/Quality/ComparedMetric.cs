using GenAiObs.Core.Statistics;

namespace GenAiObs.Core.Quality;

/// <summary>One metric of an <see cref="ArmComparison"/>.</summary>
/// <param name="Name">The JSON name: <see cref="Satisfaction"/>, <see cref="EvaluationScore"/>, <see cref="CostPerRequest"/> or <see cref="LatencyP95"/>.</param>
/// <param name="ValueA">Arm A's value (a rate, a mean score, USD, or ms).</param>
/// <param name="ValueB">Arm B's value.</param>
/// <param name="PValue">The two-sided p-value of <paramref name="Test"/>.</param>
/// <param name="Test">The test run: <see cref="TwoProportion"/>, <see cref="Welch"/> or <see cref="MannWhitney"/>.</param>
/// <param name="CountA">Observations of arm A (feedback events, scores, requests, latencies).</param>
/// <param name="CountB">Observations of arm B.</param>
public sealed record ComparedMetric(string Name, double ValueA, double ValueB, double PValue, string Test, long CountA, long CountB)
{
    public const string Satisfaction = "satisfaction";
    public const string EvaluationScore = "evaluationScore";
    public const string CostPerRequest = "costPerRequestUsd";
    public const string LatencyP95 = "latencyP95Ms";

    public const string TwoProportion = "two-proportion z";
    public const string Welch = "Welch t";
    public const string MannWhitney = "Mann-Whitney U";

    /// <summary>B − A.</summary>
    public double Difference => ValueB - ValueA;

    /// <summary>The metric as the verdict reads it.</summary>
    public MetricComparison ForVerdict() => Name switch
    {
        CostPerRequest => MetricComparison.Cost("cost per request", ValueA, ValueB, PValue),
        LatencyP95 => MetricComparison.Latency("p95 latency", ValueA, ValueB, PValue),
        EvaluationScore => MetricComparison.Plain("evaluation score", ValueA, ValueB, PValue),
        _ => MetricComparison.Plain("satisfaction", ValueA, ValueB, PValue),
    };
}
