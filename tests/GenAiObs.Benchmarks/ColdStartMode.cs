using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>coldstart [--runs N] [--event small|max] NAME=EXECUTABLE…</c>: starts each executable as a
/// Lambda custom runtime would (fresh process, AWS_LAMBDA_RUNTIME_API pointing at a loopback
/// Runtime API, _HANDLER=invocation-logs) and measures process start → first <c>next</c> (init) and
/// process start → first response POSTed (init + the first invocation, JIT included), plus the
/// process's peak resident set (VmHWM) when the response arrives. Variants are interleaved run by
/// run so machine noise spreads evenly. Prints median and p90 per variant.
/// </summary>
public static class ColdStartMode
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var runs = 15;
        var eventKind = "small";
        var withDynamoDb = false;
        var variants = new List<(string Name, string Path)>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs":
                    runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--event":
                    eventKind = args[++i];
                    break;
                case "--dynamodb":
                    // Aggregation on: GENAIOBS_TABLE_NAME set and a loopback DynamoDB endpoint counting UpdateItem calls.
                    withDynamoDb = true;
                    break;
                default:
                    var equals = args[i].IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        output.WriteLine($"coldstart: expected NAME=EXECUTABLE, got '{args[i]}'");
                        return 2;
                    }

                    variants.Add((args[i][..equals], Path.GetFullPath(args[i][(equals + 1)..])));
                    break;
            }
        }

        if (variants.Count == 0)
        {
            output.WriteLine("usage: coldstart [--runs N] [--event small|max] NAME=EXECUTABLE...");
            return 2;
        }

        var payload = eventKind == "max"
            ? MaxBatch.Payload(PayloadKind.SmallConverse)
            : PayloadGenerator.Generate(PayloadKind.SmallConverse, 100);
        output.WriteLine($"Event: {payload.Describe()}; {runs} runs per variant, interleaved{(withDynamoDb ? "; GENAIOBS_TABLE_NAME set, loopback DynamoDB" : string.Empty)}.");

        await using var dynamo = withDynamoDb ? new CountingDynamoDb() : null;
        var results = variants.ToDictionary(v => v.Name, _ => new List<RunResult>());
        for (var run = 0; run < runs; run++)
        {
            foreach (var (name, path) in variants)
            {
                var result = await MeasureOnceAsync(path, payload.EventJson, dynamo?.Server.Address).ConfigureAwait(false);
                if (result is null)
                {
                    output.WriteLine($"coldstart: {name} did not answer (run {run + 1})");
                    return 1;
                }

                results[name].Add(result);
            }
        }

        output.WriteLine();
        output.WriteLine("| variant | size on disk MB | init median ms | init p90 ms | first response median ms | first response p90 ms | peak RSS median MB |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, path) in variants)
        {
            var list = results[name];
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {DirectoryMegabytes(Path.GetDirectoryName(path)!):F1} | {Percentile(list.Select(r => r.InitMs), 0.5):F0} | {Percentile(list.Select(r => r.InitMs), 0.9):F0} | {Percentile(list.Select(r => r.ResponseMs), 0.5):F0} | {Percentile(list.Select(r => r.ResponseMs), 0.9):F0} | {Percentile(list.Select(r => r.PeakRssKb / 1024.0), 0.5):F1} |"));
        }

        if (dynamo is not null)
        {
            output.WriteLine($"UpdateItem requests received by the loopback DynamoDB: {dynamo.UpdateItems}");
        }

        return 0;
    }

    private static async Task<RunResult?> MeasureOnceAsync(string executable, byte[] eventJson, string? dynamoDbAddress)
    {
        var nextSeen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var responseSeen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = Channel.CreateUnbounded<byte[]>();
        queue.Writer.TryWrite(eventJson);
        var requestId = Guid.NewGuid().ToString();

        await using var server = new LoopbackHttpServer(async (request, cancellationToken) =>
        {
            if (request.Method == "GET" && request.Path.EndsWith("/runtime/invocation/next", StringComparison.Ordinal))
            {
                nextSeen.TrySetResult(Stopwatch.GetTimestamp());
                var body = await queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return new LoopbackResponse(200, body, new Dictionary<string, string>
                {
                    ["Lambda-Runtime-Aws-Request-Id"] = requestId,
                    ["Lambda-Runtime-Deadline-Ms"] = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    ["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:111122223333:function:genai-obs-coldstart",
                    ["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                });
            }

            if (request.Method == "POST" && request.Path.Contains("/runtime/", StringComparison.Ordinal))
            {
                if (!request.Path.EndsWith("/response", StringComparison.Ordinal))
                {
                    // init/error or invocation error: show what the runtime reported.
                    await Console.Error.WriteLineAsync($"{request.Path}: {Encoding.UTF8.GetString(request.Body)}").ConfigureAwait(false);
                }

                responseSeen.TrySetResult(request.Path.EndsWith("/response", StringComparison.Ordinal) ? Stopwatch.GetTimestamp() : -1);
                return LoopbackResponse.Json(202, "{\"status\":\"OK\"}");
            }

            return LoopbackResponse.Json(404, "{}");
        });

        var start = StartInfo(executable, server.Address, dynamoDbAddress);
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var drainOut = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var drainErr = process.StandardError.ReadToEndAsync();
        try
        {
            var answered = await Task.WhenAny(responseSeen.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
            if (answered != responseSeen.Task || responseSeen.Task.Result < 0)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync().ConfigureAwait(false);
                var errors = await drainErr.ConfigureAwait(false);
                await Console.Error.WriteLineAsync(errors.Length > 3000 ? errors[..3000] : errors).ConfigureAwait(false);
                return null;
            }

            var peakRss = ReadStatusKb(process.Id, "VmHWM:");
            return new RunResult(
                Stopwatch.GetElapsedTime(started, nextSeen.Task.Result).TotalMilliseconds,
                Stopwatch.GetElapsedTime(started, responseSeen.Task.Result).TotalMilliseconds,
                peakRss);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            await drainOut.ConfigureAwait(false);
            await drainErr.ConfigureAwait(false);
        }
    }

    /// <summary>A fresh process environment as Lambda gives a custom runtime (handler invocation-logs, 256 MB), pointed at a loopback Runtime API.</summary>
    internal static ProcessStartInfo StartInfo(string executable, string runtimeApi, string? dynamoDbAddress)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["_HANDLER"] = "invocation-logs";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "genai-obs-coldstart";
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256";
        start.Environment["GENAIOBS_ENVIRONMENT"] = "prod";
        if (dynamoDbAddress is not null)
        {
            start.Environment["GENAIOBS_TABLE_NAME"] = "genaiobs-coldstart";
            start.Environment["AWS_ENDPOINT_URL_DYNAMODB"] = "http://" + dynamoDbAddress;
            // Lambda puts the role's credentials in the environment; these are placeholders the loopback server ignores.
            start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
            start.Environment["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
            start.Environment["AWS_SESSION_TOKEN"] = "session-token";
        }

        return start;
    }

    internal static long ReadStatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status", Encoding.ASCII))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process is gone.
        }

        return 0;
    }

    private static double DirectoryMegabytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1048576.0;

    internal static double Percentile(IEnumerable<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        // Nearest-rank percentile.
        var rank = (int)Math.Ceiling(quantile * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private sealed record RunResult(double InitMs, double ResponseMs, long PeakRssKb);
}
