using System.Diagnostics;
using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>stages</c>: where the time and the allocations of the full path go, stage by stage, per
/// payload kind (Stopwatch and GC.GetAllocatedBytesForCurrentThread over repeated runs; a quick
/// look, not a BenchmarkDotNet measurement).
/// </summary>
public static class StagesMode
{
    private const string Service = "genai-observability";

    public static int Run(TextWriter output, int repetitions = 200)
    {
        var processor = new BatchProcessor(PriceTable.LoadDefault());
        var emf = new EmfSerializer();
        var invocationOptions = new InvocationMetricsOptions(Service, FunctionDefaults.MaxPrincipals, "prod");
        var spanMetrics = new SpanMetricsBuilder(new SpanMetricsOptions(DefaultEnvironment: "prod"));
        var floor = new Floor();

        output.WriteLine("| payload | stage | µs/record | CPU µs/record | B alloc/record |");
        output.WriteLine("|---|---|---:|---:|---:|");
        foreach (var kind in Enum.GetValues<PayloadKind>())
        {
            var payload = PayloadCache.Get(kind);
            var stages = new Dictionary<string, (long Ticks, long Cpu, long Bytes)>();
            for (var i = 0; i < repetitions + 200; i++)
            {
                var measure = i >= 200;
                Time(stages, "floor", measure, () => floor.Run(payload.EventJson));
                DecodedDelivery? delivery = null;
                Time(stages, "decode", measure, () => delivery = LambdaEventDecoder.Decode(payload.EventJson));
                BatchResult? result = null;
                Time(stages, "parse+price", measure, () => result = processor.ProcessDelivery(delivery!));
                delivery!.Dispose();
                MetricBatch? metrics = null;
                Time(stages, "metrics", measure, () => metrics = kind == PayloadKind.Spans
                    ? spanMetrics.Build(result!, Pipeline.BatchTimestampMs)
                    : InvocationMetricsBuilder.Build(result!, invocationOptions, Pipeline.BatchTimestampMs));
                Time(stages, "emf", measure, () => emf.WriteLines(metrics!, TextWriter.Null));
                Time(stages, "aggregate", measure, () => AggregateBuilder.Build(result!));
            }

            foreach (var (stage, (ticks, cpu, bytes)) in stages)
            {
                var perRecord = (double)repetitions * payload.Records;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kind} | {stage} | {ticks * 1e6 / Stopwatch.Frequency / perRecord:F2} | {cpu / 10.0 / perRecord:F2} | {bytes / perRecord:F0} |"));
            }
        }

        return 0;
    }

    private static void Time(Dictionary<string, (long Ticks, long Cpu, long Bytes)> stages, string name, bool measure, Action action)
    {
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Environment.CpuUsage.TotalTime.Ticks;
        var start = Stopwatch.GetTimestamp();
        action();
        var ticks = Stopwatch.GetTimestamp() - start;
        cpu = Environment.CpuUsage.TotalTime.Ticks - cpu;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        if (measure)
        {
            var (t, c, b) = stages.GetValueOrDefault(name);
            stages[name] = (t + ticks, c + cpu, b + bytes);
        }
    }
}
