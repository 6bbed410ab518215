using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Costing;

/// <summary>
/// How <see cref="MonthSimulator"/> replays a sample as a month of traffic. The sample's records
/// are taken in turn (cycling) and re-stamped evenly at <see cref="InvocationsPerMonth"/>; each
/// <see cref="DeliveryWindowSeconds"/> window of them is one subscription delivery.
/// <see cref="SimulatedHours"/> hours are simulated and every count is scaled to a 730-hour month.
/// </summary>
public sealed record CostScenario
{
    /// <summary>Model invocations per month (spans follow at the sample's spans-per-invocation ratio).</summary>
    public required long InvocationsPerMonth { get; init; }

    /// <summary>When set, model ids are remapped onto this many distinct models (uniformly).</summary>
    public int? Models { get; init; }

    /// <summary>When set, principals are remapped onto this many (skewed: a few spend most, as in real accounts).</summary>
    public int? Principals { get; init; }

    /// <summary>When set, every invocation carries a requestMetadata team out of this many (skewed).</summary>
    public int? Teams { get; init; }

    public int SimulatedHours { get; init; } = 24;

    /// <summary>Assumed time one subscription delivery covers (CloudWatch Logs does not document its batching window).</summary>
    public int DeliveryWindowSeconds { get; init; } = 10;

    /// <summary>POWERTOOLS_SERVICE_NAME of the processors.</summary>
    public string ServiceName { get; init; } = "genai-observability";

    /// <summary>GENAIOBS_MAX_PRINCIPALS of the processors.</summary>
    public int MaxPrincipals { get; init; } = 20;

    /// <summary>GENAIOBS_ENVIRONMENT of the processors.</summary>
    public string? Environment { get; init; } = "prod";

    /// <summary>Kinesis shards when the logs reach the processors through a Kinesis stream (0: direct subscription).</summary>
    public int KinesisShards { get; init; }

    /// <summary>GENAIOBS_AGGREGATE_WRITES of the processors and the evaluator (template parameter AggregateWrites).</summary>
    public AggregateWriteMode AggregateWrites { get; init; } = AggregateWriteMode.Direct;

    /// <summary>
    /// <c>GENAIOBS_REQUEST_INDEX</c>, which the template turns on exactly when FeedbackLogGroupName is
    /// set (default off, as deployed). On: the sample's feedback events are delivered too (at the
    /// sample's rate per invocation, in their own deliveries, each looked up in the join index),
    /// and every tagged request gets a join-index write. Off: no feedback, no request entries.
    /// Trace entries of tagged spans and evaluation results on spans are simulated either way.
    /// </summary>
    public bool RequestIndex { get; init; }

    /// <summary>Seed of the remapping draws, so the same scenario gives the same bill.</summary>
    public int Seed { get; init; } = 17;
}
