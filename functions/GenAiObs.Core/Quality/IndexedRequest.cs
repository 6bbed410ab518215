namespace GenAiObs.Core.Quality;

/// <summary>
/// What the join index keeps of one tagged request (or trace) so that feedback and evaluation
/// results arriving later can be attributed to its feature, variant and cost: never content.
/// </summary>
/// <param name="Id"><c>r#&lt;Bedrock requestId&gt;</c> or <c>t#&lt;traceId&gt;</c> (<see cref="ForRequest"/>, <see cref="ForTrace"/>).</param>
/// <param name="At">The request's event time (a trace: its latest span end).</param>
/// <param name="CostMicros">Its cost in micro-dollars (a trace: its model calls' cost, summed over deliveries).</param>
/// <param name="Feature">Its feature, when tagged.</param>
/// <param name="Variant">Its A/B arm, when tagged.</param>
public sealed record IndexedRequest(string Id, DateTimeOffset At, long CostMicros, string? Feature, string? Variant)
{
    public static string ForRequest(string requestId) => "r#" + requestId;

    public static string ForTrace(string traceId) => "t#" + traceId;
}
