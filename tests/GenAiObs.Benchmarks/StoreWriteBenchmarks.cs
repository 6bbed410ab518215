using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Records;

namespace GenAiObs.Benchmarks;

/// <summary>
/// Coalescing 1,000 invocation records and 300 spans of one delivery into aggregate deltas at
/// realistic cardinality (≈10 minutes of traffic, 40 principals, 6 models, 4 teams, a dozen
/// agent sessions). The "UpdateItem/1k records" column is the number of DynamoDB write requests
/// the DynamoDB store sends for the batch — one per distinct (5-minute bucket, key) pair.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class StoreWriteBenchmarks
{
    private List<PricedInvocation> _invocations = [];
    private List<PricedSpan> _spans = [];

    [Params(1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup() => (_invocations, _spans) = StoreWorkload.Generate(Records, seed: 7);

    [Benchmark]
    public AggregateBatch BuildDeltas() => AggregateBuilder.Build("benchmark", _invocations, _spans);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new UpdateItemsColumn());
    }

    /// <summary>UpdateItem requests (= distinct bucket/key pairs) per 1,000 invocation records of the workload.</summary>
    private sealed class UpdateItemsColumn : IColumn
    {
        public string Id => nameof(UpdateItemsColumn);
        public string ColumnName => "UpdateItem/1k records";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "DynamoDB UpdateItem requests per 1,000 invocation records (plus the delivery's 300 spans)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var records = (int)benchmarkCase.Parameters["Records"];
            var (invocations, spans) = StoreWorkload.Generate(records, seed: 7);
            var batch = AggregateBuilder.Build("benchmark", invocations, spans);
            return (batch.ItemCount * 1000.0 / records).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}

/// <summary>A delivery's worth of realistic records (invented identities, real shapes).</summary>
public static class StoreWorkload
{
    private static readonly string[] Models =
    [
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-pro-v1:0",
        "meta.llama3-70b-instruct-v1:0", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "cohere.command-r-v1:0",
    ];

    public static (List<PricedInvocation> Invocations, List<PricedSpan> Spans) Generate(int records, int seed)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);
        var invocations = new List<PricedInvocation>(records);
        for (var i = 0; i < records; i++)
        {
            var model = Models[random.Next(Models.Length)];
            var record = new InvocationRecord
            {
                EventId = "ev-" + i,
                Timestamp = start.AddMilliseconds(random.Next(600_000)),
                Operation = "Converse",
                ModelId = model,
                Principal = "role-" + random.Next(40),
                InputTokens = 200 + random.Next(4000),
                OutputTokens = 20 + random.Next(800),
                CacheReadTokens = random.Next(3) == 0 ? 1024 : 0,
                StopReason = random.Next(20) == 0 ? StopReasons.MaxTokens : StopReasons.EndTurn,
                LatencyMs = 200 + (random.NextDouble() * random.NextDouble() * 12_000),
                TimeToFirstTokenMs = 80 + (random.NextDouble() * 900),
                RequestMetadata = new Dictionary<string, string> { ["team"] = "team-" + random.Next(4), ["environment"] = "prod" },
            };
            invocations.Add(new PricedInvocation(record, 0.000001m * random.Next(50_000), true, model));
        }

        var spans = new List<PricedSpan>(300);
        for (var i = 0; i < 300; i++)
        {
            var spanClass = (SpanClass)(1 + (i % 3));
            var span = new SpanRecord
            {
                EventId = "sp-" + i,
                TraceId = "trace-" + (i / 10),
                SpanId = i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
                Name = spanClass.ToString(),
                Class = spanClass,
                End = start.AddMilliseconds(random.Next(600_000)),
                DurationMs = 50 + (random.NextDouble() * 4000),
                ServiceName = "travel-agent",
                Environment = "prod",
                Model = spanClass == SpanClass.ModelCall ? "gpt-4o" : null,
                ToolName = spanClass == SpanClass.Tool ? "tool-" + (i % 5) : null,
                SessionId = "session-" + (i % 12),
            };
            spans.Add(new PricedSpan(span, 0, true));
        }

        return (invocations, spans);
    }
}
