using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>cost</c>: the running-cost inputs per 1 M model invocations, from the real builders. 1 M
/// invocation records (8 models, P principals, 5 teams, 6 applications, 2 environments,
/// cross-region inference on geography-prefixed models) spread evenly over 30 days are cut into
/// deliveries of B records; each delivery goes through InvocationMetricsBuilder → EmfSerializer and
/// AggregateBuilder → the DynamoDB store's UpdateItem requests (built, not sent). Counted: EMF
/// bytes (ingested as logs), distinct custom metrics (metric name + dimension values) over the
/// month, UpdateItem requests and their write units (1 WRU per started KB of the item after the
/// update, the item size estimated from its attributes by DynamoDB's sizing rules), and the CPU
/// time of the builders. Parse/decode CPU comes from the benchmark (µs per record), passed in.
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

    public static int Run(string[] args, TextWriter output)
    {
        var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## Per {total:N0} invocations (deliveries of B records, each covering {WindowMs / 1000} s of traffic; P principals; cap = GENAIOBS_MAX_PRINCIPALS)"));
        output.WriteLine("| B | P | cap | deliveries | EMF lines | EMF MB | distinct custom metrics | of which Principal | UpdateItem | est. WRU | avg item KB after update |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (batch, principals, cap) in new[]
                 {
                     (5, 40, 20), (50, 40, 20), (500, 40, 20),
                     (50, 40, 0), (50, 40, 5), (50, 500, 20), (500, 500, 20), (50, 500, 100),
                 })
        {
            var result = Simulate(total, batch, principals, cap);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {batch} | {principals} | {cap} | {result.Deliveries:N0} | {result.EmfLines:N0} | {result.EmfBytes / 1e6:F0} | {result.Metrics:N0} | {result.PrincipalMetrics:N0} | {result.UpdateItems:N0} | {result.WriteUnits:N0} | {result.ItemBytes / Math.Max(1.0, result.UpdateItems) / 1024:F2} |"));
        }

        return 0;
    }

    private static Result Simulate(int total, int batchSize, int principals, int cap)
    {
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        // A delivery holds what arrived in one delivery window: B records spread over WindowMs.
        var spacingMs = (double)WindowMs / batchSize;
        var options = new InvocationMetricsOptions("genai-observability", cap, "prod");
        var emf = new EmfSerializer();
        var counter = new CountingWriter();
        var metrics = new HashSet<string>(StringComparer.Ordinal);
        var principalMetrics = 0;
        long emfLines = 0, updateItems = 0, writeUnits = 0, itemBytes = 0;
        var deliveries = 0;
        var buffer = new List<PricedInvocation>(batchSize);
        var itemSizes = new Dictionary<(DateTimeOffset, string), long>();
        var knownCounters = new HashSet<((DateTimeOffset, string), string)>();
        long emfBytes = 0;
        for (var i = 0; i < total; i += batchSize)
        {
            buffer.Clear();
            for (var j = i; j < Math.Min(total, i + batchSize); j++)
            {
                buffer.Add(Record(random, start.AddMilliseconds(j * spacingMs), principals));
            }

            deliveries++;
            var batch = InvocationMetricsBuilder.Build(buffer, [], options, buffer[^1].Record.Timestamp.ToUnixTimeMilliseconds());
            counter.Reset();
            emfLines += emf.WriteLines(batch, counter);
            foreach (var ((_, dimensions), series) in batch.Groups)
            {
                var dimensionText = string.Join("|", dimensions.Pairs.Select(p => p.Key + "=" + p.Value));
                foreach (var name in series.Keys)
                {
                    if (metrics.Add(name + "|" + dimensionText) && dimensionText.Contains("Principal=", StringComparison.Ordinal))
                    {
                        principalMetrics++;
                    }
                }
            }

            var aggregates = AggregateBuilder.Build("d" + i.ToString(CultureInfo.InvariantCulture), buffer, []);
            // Deliveries arrive in time order: items of buckets more than one bucket old get no more writes.
            var oldest = aggregates.Deltas.Count > 0 ? aggregates.Deltas[0].BucketStart.AddMinutes(-5) : DateTimeOffset.MinValue;
            itemSizes = itemSizes.Count > 10_000 ? itemSizes.Where(p => p.Key.Item1 >= oldest).ToDictionary() : itemSizes;
            knownCounters.RemoveWhere(k => k.Item1.Item1 < oldest && knownCounters.Count > 100_000);
            foreach (var delta in aggregates.Deltas)
            {
                // One UpdateItem per delta (the verify mode shows no delta needs a second request).
                updateItems++;
                var key = (delta.BucketStart, delta.Key);
                var size = itemSizes.GetValueOrDefault(key);
                if (size == 0)
                {
                    // pk "F#yyyy-MM-ddTHH:mm" + sk + expiresAt + the batches set's name.
                    size = 2 + 18 + 2 + delta.Key.Length + 9 + 6 + 7;
                    itemSizes[key] = size;
                }

                // Each batch adds its 16-char marker to the set; a counter the item does not have yet adds
                // its name and number (DynamoDB: ≈ 1 byte per 2 digits + 1). Bills the item after the update.
                size += 16;
                foreach (var (name, value) in delta.Counters.Values)
                {
                    if (!knownCounters.Contains((key, name)))
                    {
                        knownCounters.Add((key, name));
                        size += name.Length + 1 + ((value.ToString(CultureInfo.InvariantCulture).Length + 1) / 2);
                    }
                }

                itemSizes[key] = size;
                itemBytes += size;
                writeUnits += (size + 1023) / 1024;
            }

            emfBytes += counter.Characters;
            counter.Reset();
        }

        return new Result(deliveries, emfLines, emfBytes, metrics.Count, principalMetrics, updateItems, writeUnits, itemBytes);
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

    private sealed record Result(int Deliveries, long EmfLines, long EmfBytes, int Metrics, int PrincipalMetrics, long UpdateItems, long WriteUnits, long ItemBytes);
}
