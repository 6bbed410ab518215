using System.Diagnostics;
using System.Globalization;

namespace GenAiObs.Cli;

/// <summary>
/// Where replay's time goes, per stage, for <c>--stats</c>. Reading runs on threads of its own, so the
/// stages add up to more than the wall time when the two overlap.
/// </summary>
internal sealed class ReplayStages
{
    private long _reading;
    private long _parsing;
    private long _summarising;
    private long _aggregating;
    private long _storing;
    private int _deliveries;
    private TimeSpan? _alertSimulation;
    private TimeSpan _alertSimulationCpu;

    /// <summary>Reader threads (summed): gunzip, line and value splitting, unescaping messages into deliveries (time spent waiting for the consumer excluded).</summary>
    public void AddReading(long ticks) => Interlocked.Add(ref _reading, ticks);

    /// <summary>Consumer: one delivery's timestamps between its stages.</summary>
    public void Add(long started, long parsed, long summarised, long aggregated, long stored)
    {
        _deliveries++;
        _parsing += parsed - started;
        _summarising += summarised - parsed;
        _aggregating += aggregated - summarised;
        _storing += stored - aggregated;
    }

    /// <summary>The alert simulation after reading: wall time, and CPU time of the whole process meanwhile (GC included).</summary>
    public void SetAlertSimulation(TimeSpan elapsed, TimeSpan processorTime)
    {
        _alertSimulation = elapsed;
        _alertSimulationCpu = processorTime;
    }

    public string Describe(long decompressedBytes) => string.Create(
        CultureInfo.InvariantCulture,
        $"replay stages: {_deliveries} deliveries from {decompressedBytes / 1048576.0:F0} MB decompressed; read (gunzip, split, unescape; own threads) {Seconds(Interlocked.Read(ref _reading)):F3} s, route+parse+price {Seconds(_parsing):F3} s, summaries {Seconds(_summarising):F3} s, aggregate {Seconds(_aggregating):F3} s, store {Seconds(_storing):F3} s; {AlertSimulation()}");

    private string AlertSimulation() => _alertSimulation is { } elapsed
        ? string.Create(CultureInfo.InvariantCulture, $"alert simulation {elapsed.TotalSeconds:F3} s ({_alertSimulationCpu.TotalSeconds:F3} s CPU)")
        : "alert simulation not run (--no-alerts)";

    private static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;
}
