using System.Diagnostics;
using System.Globalization;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>ratio</c>: the full path's throughput as a share of the floor's, measured robustly on a busy
/// machine: after a warm-up long enough for tiered JIT to reach its optimised code, floor and full
/// path run in alternating short rounds (so load changes hit both alike); the median of the
/// per-round ratios is reported with the median MB/s of each.
/// </summary>
public static class RatioMode
{
    public static int Run(TextWriter output, int rounds = 41)
    {
        // Wall-clock ratios, and the same ratio in process CPU time (less sensitive to other work on a busy machine).
        output.WriteLine("| payload | floor MB/s (median) | full path MB/s (median) | full path / floor (median of rounds) | p10 | p90 | ≥ 70% | CPU-time ratio (median) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|");
        var allMet = true;
        foreach (var kind in Enum.GetValues<PayloadKind>())
        {
            var payload = PayloadCache.Get(kind);
            var floor = new Floor();
            var pipeline = new Pipeline();
            var emf = new CountingWriter();
            for (var i = 0; i < 60; i++)
            {
                floor.Run(payload.EventJson);
                emf.Reset();
                pipeline.Run(payload.EventJson, emf);
            }

            var repetitions = Math.Max(1, (int)(40_000_000 / payload.DecompressedBytes)); // ~40 MB of log data per half-round
            var ratios = new List<double>();
            var floorRates = new List<double>();
            var fullRates = new List<double>();
            var cpuRatios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var cpu = Environment.CpuUsage.TotalTime;
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < repetitions; i++)
                {
                    floor.Run(payload.EventJson);
                }

                var floorSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var floorCpu = Environment.CpuUsage.TotalTime - cpu;
                cpu = Environment.CpuUsage.TotalTime;
                start = Stopwatch.GetTimestamp();
                for (var i = 0; i < repetitions; i++)
                {
                    emf.Reset();
                    pipeline.Run(payload.EventJson, emf);
                }

                var fullSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                cpuRatios.Add(floorCpu / (Environment.CpuUsage.TotalTime - cpu));
                var megabytes = payload.DecompressedBytes * repetitions / 1048576.0;
                floorRates.Add(megabytes / floorSeconds);
                fullRates.Add(megabytes / fullSeconds);
                ratios.Add(floorSeconds / fullSeconds);
            }

            var median = ColdStartMode.Percentile(ratios, 0.5);
            allMet &= median >= 0.7;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {kind} | {ColdStartMode.Percentile(floorRates, 0.5):F0} | {ColdStartMode.Percentile(fullRates, 0.5):F0} | {median:P0} | {ColdStartMode.Percentile(ratios, 0.1):P0} | {ColdStartMode.Percentile(ratios, 0.9):P0} | {(median >= 0.7 ? "yes" : "NO")} | {ColdStartMode.Percentile(cpuRatios, 0.5):P0} |"));
        }

        return allMet ? 0 : 1;
    }
}
