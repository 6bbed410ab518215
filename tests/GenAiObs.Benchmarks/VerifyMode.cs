using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Records;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>verify</c>: for every payload kind (benchmark-size and 1 MB-compressed deliveries) checks the
/// two request-count targets on real output and prints the counts:
/// EMF documents = (minute, dimension set) groups + the splits the 100-values / 100-metrics limits
/// force, each still extracted under its own dimension set (one directive dimension set, or one
/// plain line, per document), in at most that many lines: the documents of a minute that hold no
/// member with different values share a line (every line parsed and checked against those
/// limits); and DynamoDB requests = distinct
/// (5-minute bucket, key) pairs — counted as UpdateItem calls arriving at a loopback endpoint
/// from the real DynamoDB store, compared with the pairs the records touch one by one.
/// </summary>
public static class VerifyMode
{
    public static async Task<int> RunAsync(TextWriter output)
    {
        var failures = 0;
        await using var dynamo = new CountingDynamoDb();
        var store = new DynamoDbAggregateStore(DynamoDbClientFactory.Create("http://" + dynamo.Server.Address, "us-east-1"), "genaiobs-verify");
        var pipeline = new Pipeline();

        output.WriteLine("| payload | records | dimension sets | minutes | groups | value splits | metric splits | EMF documents | expected | EMF lines | distinct (bucket,key) | UpdateItem sent | ok |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var payloads = Enum.GetValues<PayloadKind>().Select(PayloadCache.Get)
            .Concat(Enum.GetValues<PayloadKind>().Select(kind => MaxBatch.Payload(kind)));
        foreach (var payload in payloads)
        {
            var emf = new StringWriter(CultureInfo.InvariantCulture);
            var run = pipeline.Run(payload.EventJson, emf);
            var lines = emf.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var expectation = ExpectedLines(run.Metrics);
            var (documents, limitProblems) = CheckLines(lines);

            var pairs = DistinctPairs(run.Result.BatchId, run.Result.Invocations, run.Result.Spans);
            var before = dynamo.UpdateItems;
            var applied = await store.ApplyBatchAsync(run.Aggregates).ConfigureAwait(false);
            var sent = dynamo.UpdateItems - before;

            // One UpdateItem per folded (bucket, key) pair, plus one hour mark per distinct hour.
            var hours = run.Aggregates.Hours.Count;
            var ok = lines.Length == run.EmfLines && documents == expectation.Lines && lines.Length <= documents && limitProblems is null &&
                     sent == pairs + hours && run.Aggregates.ItemCount == pairs && applied.Requests + hours == sent;
            failures += ok ? 0 : 1;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {payload.Kind}{(payload.Records == PayloadGenerator.DefaultRecords(payload.Kind) ? string.Empty : " (1 MB gzip)")} | {payload.Records} | {expectation.DimensionSets} | {expectation.Minutes} | {expectation.Groups} | {expectation.ValueSplits} | {expectation.MetricSplits} | {documents} | {expectation.Lines} | {lines.Length} | {pairs} | {sent} | {(ok ? "yes" : "NO " + limitProblems)} |"));
        }

        output.WriteLine(failures == 0 ? "verify: all counts as expected" : $"verify: {failures} payload(s) FAILED");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>What the EMF limits predict: one line per group, more when a metric has over 100 values or a group over 100 metrics.</summary>
    internal static (int DimensionSets, int Minutes, int Groups, int ValueSplits, int MetricSplits, int Lines) ExpectedLines(MetricBatch batch)
    {
        const int limit = 100;
        var dimensionSets = new HashSet<DimensionSet>();
        var minutes = new HashSet<long>();
        int groups = 0, valueSplits = 0, metricSplits = 0, lines = 0;
        foreach (var ((minute, dimensions), metrics) in batch.Groups)
        {
            var values = metrics.Values.Select(s => s.Values.Count(double.IsFinite)).Where(n => n > 0).ToList();
            if (values.Count == 0)
            {
                continue;
            }

            groups++;
            dimensionSets.Add(dimensions);
            minutes.Add(minute);
            var rounds = values.Max(n => (n + limit - 1) / limit);
            valueSplits += rounds - 1;
            for (var round = 0; round < rounds; round++)
            {
                var present = values.Count(n => n > round * limit);
                var documents = (present + limit - 1) / limit;
                metricSplits += documents - 1;
                lines += documents;
            }
        }

        return (dimensionSets.Count, minutes.Count, groups, valueSplits, metricSplits, lines);
    }

    /// <summary>
    /// The documents the lines hold (a dimension set of a directive each, or a plain line), and
    /// null when every line is one JSON object within the EMF limits, else what is wrong.
    /// </summary>
    private static (int Documents, string? Problem) CheckLines(string[] lines)
    {
        var documents = 0;
        foreach (var line in lines)
        {
            if (Encoding.UTF8.GetByteCount(line) > 256 * 1024)
            {
                return (documents, "line over 256 KB");
            }

            // A line without _aws is a plain attribution or quality document (it defines no metric).
            using var document = JsonDocument.Parse(line);
            if (!document.RootElement.TryGetProperty("_aws", out var aws))
            {
                documents++;
            }
            else
            {
                foreach (var directive in aws.GetProperty("CloudWatchMetrics").EnumerateArray())
                {
                    if (directive.GetProperty("Metrics").GetArrayLength() > 100)
                    {
                        return (documents, "over 100 metrics");
                    }

                    documents += directive.GetProperty("Dimensions").GetArrayLength();
                }
            }

            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Value.ValueKind == JsonValueKind.Array && member.Value.GetArrayLength() > 100)
                {
                    return (documents, "over 100 values");
                }
            }
        }

        return (documents, null);
    }

    /// <summary>
    /// The (bucket, key) pairs the records touch, one record at a time (no coalescing), unioned,
    /// then folded per bucket to the default top values (<see cref="AggregateKeyFolding"/>).
    /// </summary>
    private static int DistinctPairs(string batchId, List<PricedInvocation> invocations, List<PricedSpan> spans)
    {
        var buckets = new Dictionary<DateTimeOffset, Dictionary<string, AggregateCounters>>();
        void Add(AggregateBatch batch)
        {
            foreach (var delta in batch.Deltas)
            {
                if (!buckets.TryGetValue(delta.BucketStart, out var items))
                {
                    items = new Dictionary<string, AggregateCounters>(StringComparer.Ordinal);
                    buckets[delta.BucketStart] = items;
                }

                if (!items.TryGetValue(delta.Key, out var counters))
                {
                    counters = new AggregateCounters();
                    items[delta.Key] = counters;
                }

                counters.Merge(delta.Counters);
            }
        }

        foreach (var invocation in invocations)
        {
            Add(AggregateBuilder.Build(batchId, [invocation], []));
        }

        foreach (var span in spans)
        {
            Add(AggregateBuilder.Build(batchId, [], [span]));
        }

        return buckets.Values.Sum(items => AggregateKeyFolding.Fold(items, CardinalityLimits.Default).Count);
    }
}

/// <summary>A DynamoDB endpoint on loopback that accepts every UpdateItem (as a fresh table would) and counts them.</summary>
public sealed class CountingDynamoDb : IAsyncDisposable
{
    private int _updateItems;

    public CountingDynamoDb()
    {
        Server = new LoopbackHttpServer((request, _) =>
        {
            var target = request.Headers.TryGetValue("X-Amz-Target", out var value) ? value : string.Empty;
            if (target.EndsWith(".UpdateItem", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _updateItems);
            }

            return Task.FromResult(LoopbackResponse.Json(200, "{}", new Dictionary<string, string>
            {
                ["Content-Type"] = "application/x-amz-json-1.0",
                ["x-amzn-RequestId"] = Guid.NewGuid().ToString("N"),
            }));
        });
    }

    public LoopbackHttpServer Server { get; }

    public int UpdateItems => Volatile.Read(ref _updateItems);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
