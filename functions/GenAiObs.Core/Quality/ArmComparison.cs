namespace GenAiObs.Core.Quality;

/// <summary>The comparison of two A/B arms of one feature.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="ArmA">The reference arm (first by name).</param>
/// <param name="ArmB">The arm compared with it.</param>
/// <param name="RequestsA">Invocation records of arm A.</param>
/// <param name="RequestsB">Invocation records of arm B.</param>
/// <param name="Metrics">The metrics both arms have data for, each with its test.</param>
/// <param name="Verdict">The plain sentence (<see cref="Statistics.ComparisonVerdict"/>), e.g. "B is 18 % cheaper, satisfaction unchanged, p = 0.41".</param>
public sealed record ArmComparison(string Feature, string ArmA, string ArmB, long RequestsA, long RequestsB, IReadOnlyList<ComparedMetric> Metrics, string Verdict);
