using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Costing;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>cost</c>: the running-cost inputs, from the real builders, for a monthly volume V of model
/// invocations. Records (8 models, P principals with a skewed spend, 5 teams, 6 applications, 2
/// environments, cross-region inference on geography-prefixed models) arrive evenly at V per 730
/// hours; each <see cref="WindowMs"/> window of them is one subscription delivery, pushed through
/// InvocationMetricsBuilder → EmfSerializer and AggregateBuilder (one UpdateItem per delta).
/// <see cref="SimulatedHours"/> hours are simulated and scaled to the month. Counted: deliveries,
/// EMF lines and bytes (ingested as logs), metric-hours (a custom metric is billed for each hour it
/// receives data: the monthly bill is metric-hours / 730 × the metric-month price), distinct
/// metrics, UpdateItem requests and write units (1 WRU per started KB of the item after the
/// update, the size estimated with DynamoDB's sizing rules: names + ~1 byte per 2 digits).
/// </summary>
public static class CostMode
{
    private static readonly string[] Models =
    [
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "us.amazon.nova-pro-v1:0",
        "meta.llama3-3-70b-instruct-v1:0", "eu.anthropic.claude-haiku-4-5-20251001-v1:0", "cohere.command-r-v1:0",
        "amazon.nova-lite-v1:0", "global.anthropic.claude-sonnet-4-6",
    ];

    /// <summary>Assumed time one subscription delivery covers (CloudWatch Logs does not document its batching window).</summary>
    public const int WindowMs = 10_000;

    /// <summary>Hours of traffic simulated per scenario (then scaled to 730).</summary>
    public const int SimulatedHours = 3;

    public static int Run(string[] args, TextWriter output)
    {
        output.WriteLine($"## Cost inputs per month ({SimulatedHours} h simulated, scaled to 730 h; one delivery per {WindowMs / 1000} s window)");
        output.WriteLine("| invocations/month | P | cap | records/delivery | deliveries per 1M | EMF lines per 1M | EMF MB per 1M | UpdateItem per 1M | WRU per 1M | avg item KB | billed custom metrics (metric-hours/730) | of which Principal | distinct metrics in the window |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var scenarios = args.Length > 0 && args[0] == "--quick"
            ? new[] { (1_000_000, 40, 20), (10_000_000, 40, 20) }
            : new[]
            {
                (1_000_000, 40, 20), (10_000_000, 40, 20), (100_000_000, 40, 20),
                (10_000_000, 40, 0), (10_000_000, 40, 5), (10_000_000, 500, 20), (10_000_000, 500, 5), (10_000_000, 500, 0),
            };
        foreach (var (volume, principals, cap) in scenarios)
        {
            var r = Simulate(volume, principals, cap);
            var per1M = 1_000_000.0 / r.Records;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {volume:N0} | {principals} | {cap} | {(double)r.Records / r.Deliveries:F1} | {r.Deliveries * per1M:N0} | {r.EmfLines * per1M:N0} | {r.EmfBytes * per1M / 1e6:F0} | {r.UpdateItems * per1M:N0} | {r.WriteUnits * per1M:N0} | {r.ItemBytes / Math.Max(1.0, r.UpdateItems) / 1024:F2} | {r.MetricHours / (double)SimulatedHours:N0} | {r.PrincipalMetricHours / (double)SimulatedHours:N0} | {r.DistinctMetrics:N0} |"));
        }

        return 0;
    }

    private static Result Simulate(int volumePerMonth, int principals, int cap)
    {
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var spacingMs = 730.0 * 3_600_000 / volumePerMonth;
        var totalMs = SimulatedHours * 3_600_000L;
        var options = new InvocationMetricsOptions("genai-observability", cap, "prod");
        var emf = new EmfSerializer();
        var counter = new CountingWriter();
        var metricHours = new HashSet<(string Metric, long Hour)>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        long principalMetricHours = 0, emfLines = 0, emfBytes = 0, updateItems = 0, writeUnits = 0, itemBytes = 0;
        int deliveries = 0, records = 0;
        var itemSizes = new Dictionary<(DateTimeOffset, string), long>();
        var knownCounters = new HashSet<((DateTimeOffset, string), string)>();
        var buffer = new List<PricedInvocation>();
        var next = 0L;
        for (long windowStart = 0; windowStart < totalMs; windowStart += WindowMs)
        {
            buffer.Clear();
            while (next * spacingMs < windowStart + WindowMs)
            {
                buffer.Add(Record(random, start.AddMilliseconds(next * spacingMs), principals));
                next++;
            }

            if (buffer.Count == 0)
            {
                continue;
            }

            deliveries++;
            records += buffer.Count;
            var batch = InvocationMetricsBuilder.Build(buffer, [], options, start.AddMilliseconds(windowStart + WindowMs).ToUnixTimeMilliseconds());
            counter.Reset();
            emfLines += emf.WriteLines(batch, counter);
            emfBytes += counter.Characters;
            foreach (var ((minute, dimensions), series) in batch.Groups)
            {
                // Properties (principal, model of an attribution document) are no dimensions: not billed.
                var dimensionText = string.Join("|", dimensions.DimensionPairs.Select(p => p.Key + "=" + p.Value));
                var isPrincipal = dimensionText.Contains("Principal=", StringComparison.Ordinal);
                foreach (var name in series.Values.Where(s => !s.IsProperty).Select(s => s.Name))
                {
                    var metric = name + "|" + dimensionText;
                    distinct.Add(metric);
                    if (metricHours.Add((metric, minute / 3_600_000)) && isPrincipal)
                    {
                        principalMetricHours++;
                    }
                }
            }

            var aggregates = AggregateBuilder.Build("d" + deliveries.ToString(CultureInfo.InvariantCulture), buffer, []);
            foreach (var delta in aggregates.Deltas)
            {
                // One UpdateItem per delta (the verify mode shows no delta needs a second request).
                updateItems++;
                var key = (delta.BucketStart, delta.Key);
                if (!itemSizes.TryGetValue(key, out var size))
                {
                    // pk "F#yyyy-MM-ddTHH:mm" + sk + expiresAt + the batches set's name.
                    size = 2 + 18 + 2 + delta.Key.Length + 9 + 6 + 7;
                }

                // Each batch adds its 16-char marker to the set; a counter the item does not have yet
                // adds its name and number. DynamoDB bills the larger of the item before and after.
                size += 16;
                foreach (var (name, value) in delta.Counters.Values)
                {
                    if (knownCounters.Add((key, name)))
                    {
                        size += DynamoDbWriteEstimator.CounterBytes(name, value);
                    }
                }

                itemSizes[key] = size;
                itemBytes += size;
                writeUnits += (size + 1023) / 1024;
            }

            // Items of buckets older than the previous one get no more writes: forget them.
            if (itemSizes.Count > 50_000 && aggregates.Deltas.Count > 0)
            {
                var oldest = aggregates.Deltas[0].BucketStart.AddMinutes(-5);
                itemSizes = itemSizes.Where(p => p.Key.Item1 >= oldest).ToDictionary();
                knownCounters.RemoveWhere(k => k.Item1.Item1 < oldest);
            }
        }

        return new Result(records, deliveries, emfLines, emfBytes, metricHours.Count, principalMetricHours, distinct.Count, updateItems, writeUnits, itemBytes);
    }

    private static PricedInvocation Record(Random random, DateTimeOffset time, int principals)
    {
        var model = Models[random.Next(Models.Length)];
        var error = random.Next(50) == 0;
        var metadata = random.Next(4) == 0 ? null : new Dictionary<string, string>
        {
            ["team"] = "team-" + random.Next(5).ToString(CultureInfo.InvariantCulture),
            ["application"] = "app-" + random.Next(6).ToString(CultureInfo.InvariantCulture),
            ["environment"] = random.Next(5) == 0 ? "staging" : "prod",
        };
        var record = new InvocationRecord
        {
            EventId = "ev",
            Timestamp = time,
            Operation = "Converse",
            ModelId = model,
            // Zipf-like: a few principals spend most (as in real accounts).
            Principal = "app-role-" + ((int)(Math.Pow(random.NextDouble(), 2) * principals)).ToString(CultureInfo.InvariantCulture),
            InferenceRegion = model.StartsWith("us.", StringComparison.Ordinal) ? (random.Next(2) == 0 ? "us-east-2" : "us-west-2") : model.StartsWith("eu.", StringComparison.Ordinal) ? "eu-west-1" : null,
            InputTokens = 200 + random.Next(4000),
            OutputTokens = 20 + random.Next(800),
            CacheReadTokens = random.Next(3) == 0 ? 1024 : 0,
            StopReason = error ? StopReasons.Unknown : random.Next(20) == 0 ? StopReasons.MaxTokens : random.Next(4) == 0 ? StopReasons.ToolUse : StopReasons.EndTurn,
            LatencyMs = 200 + (random.NextDouble() * random.NextDouble() * 12_000),
            TimeToFirstTokenMs = 80 + (random.NextDouble() * 900),
            ErrorCode = error ? "ThrottlingException" : null,
            RequestMetadata = metadata,
        };
        return new PricedInvocation(record, error ? 0 : 0.000001m * random.Next(1, 50_000), true, model);
    }

    private sealed record Result(int Records, int Deliveries, long EmfLines, long EmfBytes, long MetricHours, long PrincipalMetricHours, int DistinctMetrics, long UpdateItems, long WriteUnits, long ItemBytes);
}
