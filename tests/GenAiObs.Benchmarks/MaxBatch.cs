using System.Diagnostics;
using System.Globalization;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>maxbatch</c>: the largest subscription delivery (1 MB of gzip, i.e. ~1.4 MB of base64 in the
/// Lambda event) of every payload kind through the full path, with the batch's peak managed
/// memory. The peak is sampled (GC.GetTotalMemory(false) and each GC's pre-collection heap size,
/// polled every ~0.2 ms on another thread) above the heap measured just before the batch; the
/// whole run is then repeated in a child process whose GC heap is hard-limited to 64 MB
/// (DOTNET_GCHeapHardLimit), which fails with OutOfMemoryException if the batch needs more.
/// The child is the check: the in-process sample also counts garbage not yet collected, which
/// grows when the machine is busy and the GC runs late (it read 68–79 MB under a load average
/// of 20 and 33–44 MB alone), so the in-process rows are reported, not gated.
/// </summary>
public static class MaxBatch
{
    /// <summary>The compressed size of a maximum delivery.</summary>
    public const long MaxCompressedBytes = 1024 * 1024;

    /// <summary>The managed-heap target.</summary>
    public const long TargetManagedBytes = 64L * 1024 * 1024;

    private static readonly Lazy<Payload>[] Cache = Enum.GetValues<PayloadKind>()
        .Select(kind => new Lazy<Payload>(() => PayloadGenerator.GenerateMaxSize(kind, MaxCompressedBytes)))
        .ToArray();

    public static Payload Payload(PayloadKind kind) => Cache[(int)kind].Value;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Contains("--child"))
        {
            return RunChild(args.SkipWhile(a => a != "--child").Skip(1).ToArray(), output);
        }

        output.WriteLine("## Peak managed memory of one maximum-size delivery (1 MB gzip), after a warm-up delivery");
        WriteHeader(output);
        var files = new List<string>();
        foreach (var kind in Enum.GetValues<PayloadKind>())
        {
            var payload = Payload(kind);
            var pipeline = new Pipeline();
            pipeline.Run(PayloadCache.Get(kind).EventJson, TextWriter.Null); // warm up (JIT), not measured

            var measurement = Measure(pipeline, payload.EventJson);
            WriteRow(output, kind.ToString(), payload, measurement);

            var file = Path.Combine(Path.GetTempPath(), $"genaiobs-maxbatch-{kind}.json");
            await File.WriteAllBytesAsync(file, payload.EventJson).ConfigureAwait(false);
            files.Add(file);
        }

        output.WriteLine();
        var childExit = await RunLimitedChildAsync(files, output).ConfigureAwait(false);
        output.WriteLine(childExit == 0
            ? "maxbatch: every maximum delivery fits a 64 MB GC heap"
            : $"maxbatch: FAILED under the 64 MB GC heap limit (child exit code {childExit})");
        return childExit != 0 ? 1 : 0;
    }

    /// <summary>
    /// The child: a process holding nothing but the pipeline and one event at a time (read from the
    /// file the parent wrote), like the Lambda. Each delivery is its first: no warm-up, so JIT and
    /// the first rental of pooled buffers count.
    /// </summary>
    private static int RunChild(string[] files, TextWriter output)
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## Child process, GC heap hard limit {limit / 1048576.0:F0} MB, each delivery cold (first in the process)"));
        WriteHeader(output);
        var failed = false;
        foreach (var file in files)
        {
            var eventJson = File.ReadAllBytes(file);
            var measurement = Measure(new Pipeline(), eventJson);
            failed |= !WriteRow(output, Path.GetFileNameWithoutExtension(file).Replace("genaiobs-maxbatch-", string.Empty, StringComparison.Ordinal), null, measurement);
        }

        output.WriteLine("Child finished without OutOfMemoryException under the hard limit.");
        return failed ? 1 : 0;
    }

    private static void WriteHeader(TextWriter output)
    {
        output.WriteLine("| payload | records | gzip KB | event KB | decompressed KB | time ms | allocated MB | peak heap above baseline MB | peak heap total MB | GCs (0/1/2) | ≤ 64 MB |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    }

    private static bool WriteRow(TextWriter output, string name, Payload? payload, Measurement m)
    {
        var ok = m.PeakTotal <= TargetManagedBytes;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {m.Records} | {(payload is null ? "" : (payload.CompressedBytes / 1024.0).ToString("F0", CultureInfo.InvariantCulture))} | {m.EventBytes / 1024.0:F0} | {(payload is null ? "" : (payload.DecompressedBytes / 1024.0).ToString("F0", CultureInfo.InvariantCulture))} | {m.Elapsed.TotalMilliseconds:F0} | {m.Allocated / 1048576.0:F1} | {m.PeakAboveBaseline / 1048576.0:F1} | {m.PeakTotal / 1048576.0:F1} | {m.Gen0}/{m.Gen1}/{m.Gen2} | {(ok ? "yes" : "NO")} |"));
        return ok;
    }

    private static Measurement Measure(Pipeline pipeline, byte[] eventJson)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);

        using var sampler = new HeapSampler();
        var clock = Stopwatch.StartNew();
        var output = pipeline.Run(eventJson, TextWriter.Null);
        clock.Stop();
        sampler.Sample();
        var peak = sampler.Stop();
        GC.KeepAlive(output);

        return new Measurement(
            output.Result.EventCount,
            eventJson.Length,
            clock.Elapsed,
            GC.GetTotalAllocatedBytes(precise: true) - allocated,
            Math.Max(0, peak - baseline),
            peak,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2);
    }

    private static async Task<int> RunLimitedChildAsync(List<string> files, TextWriter output)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MaxBatch).Assembly.Location);
        }

        start.ArgumentList.Add("maxbatch");
        start.ArgumentList.Add("--child");
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + TargetManagedBytes.ToString("x", CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("child did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        output.Write(await stdout.ConfigureAwait(false));
        var errors = await stderr.ConfigureAwait(false);
        if (errors.Length > 0)
        {
            output.WriteLine(errors.Length > 2000 ? errors[..2000] : errors);
        }

        return process.ExitCode;
    }

    private sealed record Measurement(int Records, int EventBytes, TimeSpan Elapsed, long Allocated, long PeakAboveBaseline, long PeakTotal, int Gen0, int Gen1, int Gen2);

    /// <summary>Polls the heap size on a background thread; the maximum seen (including each GC's size before it collected).</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;
        private long _lastGcIndex = GC.GetGCMemoryInfo(GCKind.Any).Index;

        public HeapSampler()
        {
            _peak = GC.GetTotalMemory(false);
            _thread = new Thread(Loop) { IsBackground = true, Priority = ThreadPriority.Highest };
            _thread.Start();
        }

        public void Sample()
        {
            var current = GC.GetTotalMemory(false);
            long before = 0;
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            if (info.Index != Interlocked.Read(ref _lastGcIndex))
            {
                Interlocked.Exchange(ref _lastGcIndex, info.Index);
                foreach (var generation in info.GenerationInfo)
                {
                    before += generation.SizeBeforeBytes;
                }
            }

            var candidate = Math.Max(current, before);
            long seen;
            while (candidate > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, candidate, seen) != seen)
            {
            }
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose()
        {
            if (!_stop)
            {
                Stop();
            }
        }

        private void Loop()
        {
            while (!_stop)
            {
                Sample();
                Thread.SpinWait(2000);
            }
        }
    }
}
