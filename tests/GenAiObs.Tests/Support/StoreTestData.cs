using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>Realistic priced records for the store tests (invented content, real shapes).</summary>
internal static class StoreTestData
{
    public const string Sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    public const string Haiku = "anthropic.claude-3-haiku-20240307-v1:0";

    private static int _sequence;

    /// <summary>
    /// Leaves each delivery as a delta of its window, as deferred-mode processors do (each must be
    /// new to the store), then sets the roll-up watermark to <paramref name="watermark"/>.
    /// </summary>
    public static async Task LeaveAsDeltasAsync(IAggregateDeltaStore store, IEnumerable<AggregateBatch> deliveries, DateTimeOffset watermark)
    {
        foreach (var delivery in deliveries)
        {
            Assert.True(await store.PutDeltaAsync(DeferredAggregation.WindowOf(delivery), delivery));
        }

        await store.AdvanceRollupWatermarkAsync(watermark);
    }

    /// <summary>
    /// 30 deliveries of 2 invocations each in the window starting at <paramref name="window"/>, every
    /// invocation from its own principal (<c>role/p00</c> … <c>role/p59</c>, 60 in all: over the
    /// per-bucket limit of 20), principal n costing (n + 1) × 1,000 micro-dollars.
    /// </summary>
    public static List<AggregateBatch> SixtyPrincipalDeliveries(DateTimeOffset window) =>
        Enumerable.Range(0, 30)
            .Select(d => AggregateBuilder.Build(
                "sixty-" + d,
                [.. Enumerable.Range(0, 2).Select(i => Invocation(
                    window.AddSeconds((d * 9) + i),
                    principal: "role/p" + ((d * 2) + i).ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
                    cost: AggregateCounters.FromMicros(1_000 * ((d * 2) + i + 1))))],
                []))
            .ToList();

    public static PricedInvocation Invocation(
        DateTimeOffset timestamp,
        string model = Sonnet,
        string principal = "analytics-role",
        long input = 1200,
        long output = 300,
        long cacheRead = 0,
        long cacheWrite = 0,
        decimal cost = 0.0081m,
        bool priced = true,
        string stopReason = StopReasons.EndTurn,
        string? errorCode = null,
        double? latencyMs = 850,
        double? ttftMs = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var id = Interlocked.Increment(ref _sequence);
        var record = new InvocationRecord
        {
            EventId = "ev-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Timestamp = timestamp,
            Operation = "Converse",
            ModelId = model,
            Principal = principal,
            InputTokens = input,
            OutputTokens = output,
            CacheReadTokens = cacheRead,
            CacheWriteTokens = cacheWrite,
            StopReason = stopReason,
            ErrorCode = errorCode,
            LatencyMs = latencyMs,
            TimeToFirstTokenMs = ttftMs,
            RequestMetadata = metadata,
        };
        return new PricedInvocation(record, errorCode is null ? cost : 0m, priced, priced ? model : null);
    }

    public static PricedSpan Span(
        DateTimeOffset end,
        SpanClass spanClass,
        double durationMs = 420,
        string traceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        string? sessionId = "session-a",
        string? model = null,
        string? tool = null,
        bool isError = false,
        bool toolFailed = false,
        long input = 0,
        long output = 0,
        decimal cost = 0m,
        bool priced = true,
        string service = "travel-agent",
        IReadOnlyList<string>? finishReasons = null)
    {
        var id = Interlocked.Increment(ref _sequence);
        var span = new SpanRecord
        {
            EventId = "sp-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TraceId = traceId,
            SpanId = id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            Name = spanClass switch
            {
                SpanClass.Agent => "invoke_agent travel",
                SpanClass.ModelCall => "chat " + model,
                SpanClass.Tool => "execute_tool " + tool,
                _ => "POST /v1/search",
            },
            Class = spanClass,
            IsError = isError,
            End = end,
            DurationMs = durationMs,
            ServiceName = service,
            Environment = "prod",
            Model = model,
            ToolName = tool,
            SessionId = sessionId,
            InputTokens = input,
            OutputTokens = output,
            ToolFailed = toolFailed,
            FinishReasons = finishReasons ?? [],
        };
        return new PricedSpan(span, cost, priced);
    }
}

/// <summary>A clock fixed at a given instant (hand-written fake).</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
