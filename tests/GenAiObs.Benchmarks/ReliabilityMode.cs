using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>reliability</c>: caller-chosen dimension values must not change what replay costs. Replays
/// 100,000 invocation records twice through the built <c>genaiobs</c> CLI, each in its own
/// process — once with one team/application/environment/principal value, once with a distinct
/// value per record — and checks the distinct case takes at most 2× the time of the one-value
/// case with a peak working set under 512 MB.
/// </summary>
public static partial class ReliabilityMode
{
    public const int Records = 100_000;
    public const double MaxRatio = 2.0;
    public const double MaxPeakMb = 512;

    public static async Task<int> RunAsync(TextWriter output)
    {
        var cli = CliPath();
        if (cli is null)
        {
            output.WriteLine("reliability: build the CLI first (dotnet build GenAiObsLambdas.sln -c Release)");
            return 2;
        }

        var directory = Directory.CreateTempSubdirectory("genaiobs-reliability-");
        try
        {
            var one = await MeasureAsync(cli, Write(directory.FullName, distinct: false)).ConfigureAwait(false);
            var distinct = await MeasureAsync(cli, Write(directory.FullName, distinct: true)).ConfigureAwait(false);
            var ratio = distinct.Seconds / Math.Max(one.Seconds, 1e-3);
            var ok = ratio <= MaxRatio && distinct.PeakMb < MaxPeakMb && one.PeakMb < MaxPeakMb;
            output.WriteLine("| case | records | processing s | alert evaluation s | total s | peak working set MB |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|");
            output.WriteLine(Row("one value per dimension", one));
            output.WriteLine(Row("a distinct value per record", distinct));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reliability: distinct/one = {ratio:F2} (limit {MaxRatio}), peak {distinct.PeakMb:F0} MB (limit {MaxPeakMb}) — {(ok ? "ok" : "FAILED")}"));
            return ok ? 0 : 1;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Row(string name, Measurement m) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {Records:N0} | {m.ProcessingSeconds:F2} | {m.EvaluationSeconds:F2} | {m.Seconds:F2} | {m.PeakMb:F0} |");

    /// <summary>JSON Lines of Converse records over one day; every dimension value distinct per record, or one for all.</summary>
    internal static string Write(string directory, bool distinct)
    {
        var path = Path.Combine(directory, distinct ? "distinct.jsonl" : "one.jsonl");
        var start = new DateTimeOffset(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        for (var i = 0; i < Records; i++)
        {
            var value = distinct ? i.ToString("D6", CultureInfo.InvariantCulture) : "000000";
            var at = start.AddMilliseconds(i * 864L).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var input = (100 + (i % 900)).ToString(CultureInfo.InvariantCulture);
            var output = (20 + (i % 300)).ToString(CultureInfo.InvariantCulture);
            var latency = (200 + (i % 2000)).ToString(CultureInfo.InvariantCulture);
            writer.Write(
                "{\"schemaType\":\"ModelInvocationLog\",\"schemaVersion\":\"1.0\",\"timestamp\":\"" + at +
                "\",\"accountId\":\"111122223333\",\"region\":\"us-east-1\",\"requestId\":\"r-" + i.ToString(CultureInfo.InvariantCulture) +
                "\",\"operation\":\"Converse\",\"modelId\":\"amazon.nova-lite-v1:0\",\"identity\":{\"arn\":\"arn:aws:sts::111122223333:assumed-role/role-" + value +
                "/session\"},\"requestMetadata\":{\"team\":\"team-" + value + "\",\"application\":\"app-" + value + "\",\"environment\":\"env-" + value +
                "\"},\"input\":{\"inputTokenCount\":" + input + "},\"output\":{\"outputTokenCount\":" + output +
                ",\"outputBodyJson\":{\"stopReason\":\"end_turn\",\"metrics\":{\"latencyMs\":" + latency + "}}}}");
            writer.Write('\n');
        }

        return path;
    }

    private static async Task<Measurement> MeasureAsync(string cli, string file)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { cli, "replay", "--json", "--stats", file })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        var match = StatsLine().Match(stderr);
        if (process.ExitCode != 0 || !match.Success)
        {
            throw new InvalidOperationException($"replay exited {process.ExitCode}: {stderr}");
        }

        double Number(string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return new Measurement(Number("processing"), Number("evaluation"), Number("peak"));
    }

    /// <summary>genaiobs.dll next to this repository's Release build of the CLI.</summary>
    private static string? CliPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GenAiObsLambdas.sln")))
            {
                var path = Path.Combine(directory.FullName, "functions", "GenAiObs.Cli", "bin", "Release", "net10.0", "genaiobs.dll");
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }

    [GeneratedRegex(@"in (?<processing>[0-9.]+) s .*alert evaluation (?<evaluation>[0-9.]+) s; peak working set (?<peak>[0-9.]+) MB")]
    private static partial Regex StatsLine();

    private sealed record Measurement(double ProcessingSeconds, double EvaluationSeconds, double PeakMb)
    {
        public double Seconds => ProcessingSeconds + EvaluationSeconds;
    }
}
