using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GenAiObs.Benchmarks;

/// <summary>
/// The full batch path against its floor, per payload kind. Both start from the same Lambda event
/// bytes. Extra columns: MB/s of decompressed log data (the gunzipped DATA_MESSAGE), records/s,
/// bytes allocated per record, and the full path's throughput as a share of the floor's.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class BatchPathBenchmarks
{
    private readonly CountingWriter _emfOutput = new();
    private readonly Floor _floor = new();
    private Pipeline _pipeline = null!;
    private byte[] _event = [];

    [ParamsAllValues]
    public PayloadKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = new Pipeline();
        _event = PayloadCache.Get(Kind).EventJson;
    }

    /// <summary>base64 → gunzip → envelope → one bare Utf8JsonReader pass over every message.</summary>
    [Benchmark(Baseline = true)]
    public long Floor() => _floor.Run(_event);

    /// <summary>decode → route/parse/price → metrics → EMF lines → DynamoDB deltas.</summary>
    [Benchmark]
    public int FullPath()
    {
        _emfOutput.Reset();
        var output = _pipeline.Run(_event, _emfOutput);
        return output.EmfLines + output.Aggregates.ItemCount;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new PayloadColumn("MB/s", "Decompressed log data (gunzipped DATA_MESSAGE) per second", (payload, report, _) =>
                Format(payload.DecompressedBytes / 1048576.0 / Seconds(report))));
            AddColumn(new PayloadColumn("records/s", "Log events per second", (payload, report, _) =>
                Format(payload.Records / Seconds(report), "N0")));
            AddColumn(new PayloadColumn("B alloc/record", "Managed bytes allocated per log event", (payload, report, benchmarkCase) =>
                report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) is { } bytes ? Format(bytes / (double)payload.Records, "N0") : "?"));
            AddColumn(new PayloadColumn("KB/record", "Decompressed bytes per log event (payload size)", (payload, _, _) =>
                Format(payload.DecompressedBytes / 1024.0 / payload.Records, "N1")));
        }

        private static double Seconds(BenchmarkReport report) => (report.ResultStatistics?.Mean ?? double.NaN) / 1e9;

        private static string Format(double value, string format = "N1") =>
            double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "?";
    }

    /// <summary>A column computed from the case's measurements and the stats of its payload.</summary>
    private sealed class PayloadColumn(string name, string legend, Func<Payload, BenchmarkReport, BenchmarkCase, string> value) : IColumn
    {
        public string Id => "Payload." + name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var report = summary[benchmarkCase];
            if (report is null || benchmarkCase.Parameters["Kind"] is not PayloadKind kind)
            {
                return "?";
            }

            return value(PayloadCache.Get(kind), report, benchmarkCase);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
