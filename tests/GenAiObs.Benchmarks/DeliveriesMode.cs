using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using GenAiObs.Core.Envelopes;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>deliveries EVENTS_DIR [--rounds N] [--dynamodb] NAME=EXECUTABLE…</c>: the published <c>bootstrap</c>
/// processing every subscription event of the corpus (<c>EVENTS_DIR/event-*.json</c>) as one Lambda
/// execution environment would: one process, a loopback Runtime API handing out the events one after
/// another. Per variant (rounds interleaved): ms per delivery (median over the warm deliveries, and the
/// first), records/s over all deliveries, peak RSS (VmHWM), EMF bytes written to stdout, and with
/// <c>--dynamodb</c> the UpdateItem requests a loopback DynamoDB received.
/// </summary>
public static class DeliveriesMode
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Length < 2)
        {
            output.WriteLine("usage: deliveries EVENTS_DIR [--rounds N] [--dynamodb] NAME=EXECUTABLE...");
            return 2;
        }

        var rounds = 3;
        var withDynamoDb = false;
        var variants = new List<(string Name, string Path)>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--dynamodb":
                    withDynamoDb = true;
                    break;
                default:
                    var equals = args[i].IndexOf('=', StringComparison.Ordinal);
                    variants.Add((args[i][..equals], Path.GetFullPath(args[i][(equals + 1)..])));
                    break;
            }
        }

        var events = Directory.GetFiles(args[0], "event-*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var records = 0L;
        foreach (var lambdaEvent in events)
        {
            using var delivery = LambdaEventDecoder.Decode(lambdaEvent);
            records += delivery.Events.Count;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{events.Count} subscription events, {records} records, {events.Sum(e => (long)e.Length) / 1048576.0:F1} MB of events; {rounds} rounds per variant, interleaved{(withDynamoDb ? "; GENAIOBS_TABLE_NAME set, loopback DynamoDB" : string.Empty)}."));
        var results = variants.ToDictionary(v => v.Name, _ => new List<RoundResult>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, path) in variants)
            {
                await using var dynamo = withDynamoDb ? new CountingDynamoDb() : null;
                var result = await RunOnceAsync(path, events, dynamo).ConfigureAwait(false);
                if (result is null)
                {
                    output.WriteLine($"deliveries: {name} failed (round {round + 1})");
                    return 1;
                }

                results[name].Add(result);
            }
        }

        output.WriteLine();
        output.WriteLine("| variant | first delivery ms | warm ms per delivery (median) | all deliveries s | records/s | peak RSS MB | EMF bytes per delivery | metric series in all EMF | UpdateItem per delivery |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, _) in variants)
        {
            var list = results[name];
            var total = ColdStartMode.Percentile(list.Select(r => r.TotalSeconds), 0.5);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {ColdStartMode.Percentile(list.Select(r => r.FirstMs), 0.5):F0} | {ColdStartMode.Percentile(list.Select(r => r.WarmMedianMs), 0.5):F1} | {total:F2} | {records / total:F0} | {ColdStartMode.Percentile(list.Select(r => r.PeakRssKb / 1024.0), 0.5):F0} | {list[0].EmfBytes / (double)events.Count:F0} | {list[0].MetricSeries} | {list[0].UpdateItems / (double)events.Count:F1} |"));
        }

        return 0;
    }

    private static async Task<RoundResult?> RunOnceAsync(string executable, List<byte[]> events, CountingDynamoDb? dynamo)
    {
        var queue = Channel.CreateUnbounded<byte[]>();
        foreach (var lambdaEvent in events)
        {
            queue.Writer.TryWrite(lambdaEvent);
        }

        var served = new long[events.Count];
        var answered = new long[events.Count];
        var next = 0;
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackHttpServer(async (request, cancellationToken) =>
        {
            if (request.Method == "GET" && request.Path.EndsWith("/runtime/invocation/next", StringComparison.Ordinal))
            {
                var body = await queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var index = Volatile.Read(ref next);
                served[index] = Stopwatch.GetTimestamp();
                return new LoopbackResponse(200, body, new Dictionary<string, string>
                {
                    ["Lambda-Runtime-Aws-Request-Id"] = "request-" + index.ToString(CultureInfo.InvariantCulture),
                    ["Lambda-Runtime-Deadline-Ms"] = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    ["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:111122223333:function:genai-obs-deliveries",
                    ["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                });
            }

            if (request.Method == "POST" && request.Path.Contains("/runtime/", StringComparison.Ordinal))
            {
                if (!request.Path.EndsWith("/response", StringComparison.Ordinal))
                {
                    await Console.Error.WriteLineAsync($"{request.Path}: {Encoding.UTF8.GetString(request.Body)}").ConfigureAwait(false);
                    done.TrySetResult(false);
                    return LoopbackResponse.Json(202, "{\"status\":\"OK\"}");
                }

                var index = Interlocked.Increment(ref next) - 1;
                answered[index] = Stopwatch.GetTimestamp();
                if (index == events.Count - 1)
                {
                    done.TrySetResult(true);
                }

                return LoopbackResponse.Json(202, "{\"status\":\"OK\"}");
            }

            return LoopbackResponse.Json(404, "{}");
        });

        var start = ColdStartMode.StartInfo(executable, server.Address, dynamo is null ? null : dynamo.Server.Address);

        // The corpus is dated from 2026-11-20 (CorpusMode): with the Lambda's default event-time window
        // (no older than the fine-item retention, 3 days) every record would be rejected as
        // timestamp_out_of_window, and the run would time rejection instead of processing.
        start.Environment["GENAIOBS_MAX_EVENT_AGE_HOURS"] = "1000000";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var emf = new EmfCounter();
        var drainOut = emf.ReadAsync(process.StandardOutput);
        var drainErr = process.StandardError.ReadToEndAsync();
        long peakRss = 0;
        try
        {
            var finished = await Task.WhenAny(done.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(5))).ConfigureAwait(false);
            if (finished != done.Task || !done.Task.Result)
            {
                return null;
            }

            peakRss = ColdStartMode.ReadStatusKb(process.Id, "VmHWM:");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            await drainOut.ConfigureAwait(false);
            var errors = await drainErr.ConfigureAwait(false);
            if (errors.Length > 0 && peakRss == 0)
            {
                await Console.Error.WriteLineAsync(errors.Length > 3000 ? errors[..3000] : errors).ConfigureAwait(false);
            }
        }

        var perDelivery = Enumerable.Range(0, events.Count).Select(i => Stopwatch.GetElapsedTime(served[i], answered[i]).TotalMilliseconds).ToList();
        return new RoundResult(
            perDelivery[0],
            ColdStartMode.Percentile(perDelivery.Skip(1), 0.5),
            perDelivery.Sum() / 1000.0,
            peakRss,
            emf.Bytes,
            emf.Series.Count,
            dynamo?.UpdateItems ?? 0);
    }

    /// <param name="FirstMs">The first delivery (JIT, first SDK call).</param>
    /// <param name="WarmMedianMs">Median of the others.</param>
    /// <param name="TotalSeconds">Sum over all deliveries of event handed out → response received (the function's busy time).</param>
    /// <param name="MetricSeries">Distinct (metric name, dimension names and values) in the EMF written: CloudWatch bills each as a custom metric for the hours it receives data.</param>
    private sealed record RoundResult(double FirstMs, double WarmMedianMs, double TotalSeconds, long PeakRssKb, long EmfBytes, int MetricSeries, int UpdateItems);

    /// <summary>Reads the function's stdout: bytes, and the distinct metric series its EMF documents define.</summary>
    private sealed class EmfCounter
    {
        public long Bytes { get; private set; }

        public HashSet<string> Series { get; } = new(StringComparer.Ordinal);

        public async Task ReadAsync(StreamReader stdout)
        {
            while (await stdout.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Bytes += Encoding.UTF8.GetByteCount(line) + 1;
                if (!line.Contains("\"_aws\"", StringComparison.Ordinal))
                {
                    continue;
                }

                using var document = System.Text.Json.JsonDocument.Parse(line);
                var root = document.RootElement;
                foreach (var directive in root.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray())
                {
                    var space = directive.GetProperty("Namespace").GetString();
                    foreach (var dimensionSet in directive.GetProperty("Dimensions").EnumerateArray())
                    {
                        var dimensions = string.Join(',', dimensionSet.EnumerateArray().Select(d => d.GetString() + "=" + (root.TryGetProperty(d.GetString()!, out var v) ? v.ToString() : string.Empty)));
                        foreach (var metric in directive.GetProperty("Metrics").EnumerateArray())
                        {
                            Series.Add(space + "|" + metric.GetProperty("Name").GetString() + "|" + dimensions);
                        }
                    }
                }
            }
        }
    }
}
