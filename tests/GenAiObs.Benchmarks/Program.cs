// The benchmark program. One command runs the BenchmarkDotNet suite (a few minutes on 2 cores):
//   dotnet run -c Release --project tests/GenAiObs.Benchmarks -- --filter '*'
// Other modes (not BenchmarkDotNet):
//   ... -- verify              EMF lines and DynamoDB requests per batch, checked and printed
//   ... -- maxbatch            1 MB-gzip deliveries: peak managed memory, then again under a 64 MB GC heap limit
//   ... -- ratio               full path / floor throughput, interleaved rounds (robust on a busy machine)
//   ... -- cost                running-cost inputs per monthly volume (EMF bytes, metric-hours, UpdateItems, WRU)
//   ... -- stages              time and allocations per stage (decode, parse+price, metrics, EMF, aggregate)
//   ... -- reliability         100,000 records with a distinct dimension value each vs one value: ≤ 2× the time, < 512 MB
//   ... -- payloads            the generated payloads' sizes (records per 1 MB gzip delivery)
//   ... -- corpus DIR [--records N] [--hours H]   the end-to-end corpus (tests/perf/end-to-end.sh generates it)
//   ... -- floor FILE.jsonl.gz  gunzip + one Utf8JsonReader pass per line: the end-to-end floor
//   ... -- deliveries EVENTS_DIR [--rounds N] [--dynamodb] NAME=EXECUTABLE...   the corpus' events through a published bootstrap
//   ... -- coldstart [--runs N] [--event small|max] [--dynamodb] NAME=EXECUTABLE...   (driven by tests/perf/cold-start.sh)
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using GenAiObs.Benchmarks;

switch (args.FirstOrDefault())
{
    case "verify":
        return await VerifyMode.RunAsync(Console.Out);
    case "maxbatch":
        return await MaxBatch.RunAsync(args, Console.Out);
    case "cost":
        return CostMode.Run(args[1..], Console.Out);
    case "ratio":
        return RatioMode.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 41);
    case "reliability":
        return await ReliabilityMode.RunAsync(Console.Out);
    case "stages":
        return StagesMode.Run(Console.Out);
    case "corpus":
        return CorpusMode.Run(args[1..], Console.Out);
    case "floor":
        return FloorMode.Run(args[1..], Console.Out);
    case "deliveries":
        return await DeliveriesMode.RunAsync(args[1..], Console.Out);
    case "coldstart":
        return await ColdStartMode.RunAsync(args[1..], Console.Out);
    case "payloads":
        foreach (var kind in Enum.GetValues<PayloadKind>())
        {
            Console.WriteLine("benchmark delivery  " + PayloadCache.Get(kind).Describe());
            Console.WriteLine("maximum delivery    " + MaxBatch.Payload(kind).Describe());
        }

        return 0;
}

// In-process (no per-benchmark project build, which alone takes minutes on a busy 2-core
// machine), 3 warm-up and 10 measured iterations: enough for a stable mean on these
// millisecond-scale operations while a full run stays within a few minutes.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithWarmupCount(3)
    .WithIterationCount(10)
    .WithId("Quick");
var config = DefaultConfig.Instance.AddJob(job.AsDefault()).AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(BatchPathBenchmarks).Assembly).Run(args, config);
return 0;
