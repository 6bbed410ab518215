using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Cli.Export;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Cli.Commands;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;

namespace GenAiObs.Cli;

/// <summary>
/// <c>replay</c>: pushes exported log files through the Lambdas' batch code and prints what the
/// pipeline would have measured. Output never contains prompt or response text: it is built from
/// the parsed records' counts and identities only.
/// </summary>
public sealed class ReplayCommand
{
    // Files are read in deliveries of bounded size, so the cap on a file's decompressed size only
    // guards against a decompression bomb; 1 TB is far beyond any export and never held in memory.
    private static readonly DecoderLimits FileLimits = new(MaxDecompressedBytes: 1L << 40);

    // Progress lines start once the inputs are this large (or replay has run this long).
    private const long LargeInputBytes = 32L * 1024 * 1024;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    private readonly CliEnvironment _environment;

    public ReplayCommand(CliEnvironment environment) => _environment = environment;

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = ReplayOptions.Parse(args);
        var files = options.Files.Count > 0 ? options.Files : BundledSamples();
        var inputBytes = CheckReadable(files);
        var prices = PriceFileOption.Load(options.PricesFile);
        var variables = options.Files.Count > 0 ? _environment.Variables : SampleSettings.Apply(_environment.Variables, _environment.SamplesDirectory);
        // --no-alerts never evaluates a rule, so their settings and routing file are not read either.
        var alertSettings = options.NoAlerts ? null : LoadAlertSettings(variables);
        // Exports are often older than any retention and replay has no "now" of its own: only the
        // plausible years are enforced; user names are hashed as in the Lambdas (same salt variable).
        var processor = new BatchProcessor(prices, DecoderLimits.Default, new ProcessingOptions { Principals = LoadPrincipals(), Dimensions = LoadDimensions(), ReleaseMessagesAsProcessed = true });
        var limits = LoadLimits();
        var joinWindow = LoadJoinWindow();
        // Feedback and evaluation results join the requests of earlier deliveries as in the Lambdas.
        var joinIndex = new InMemoryRequestIndex();
        var invocations = new InvocationSummary();
        var spans = new SpanSummary();
        // Alerts are always simulated against an in-memory store, so --dynamodb gives the same
        // alerts and never writes the evaluator's rollups or alert state into a real table.
        var store = new InMemoryAggregateStore();
        var table = options.DynamoDb ? OpenTable() : null;

        var clock = Stopwatch.StartNew();
        var stages = new ReplayStages();
        long messageBytes = 0;
        long events = 0;
        var range = new EventTimeRange();
        var lastProgress = TimeSpan.Zero;

        // Reading (gunzip, splitting, unescaping) runs on threads of its own, a few deliveries ahead
        // of parsing and aggregation (ExportReadAhead): the cores overlap the two halves, and memory
        // stays independent of the input's size.
        var reader = new ExportReadAhead(files, FileLimits, stages.AddReading);
        await using (reader.ConfigureAwait(false))
        {
            await foreach (var delivery in reader.ReadAllAsync().ConfigureAwait(false))
            {
                BatchResult result;
                var started = Stopwatch.GetTimestamp();
                using (delivery)
                {
                    foreach (var logEvent in delivery.Events)
                    {
                        messageBytes += logEvent.Message.Length;
                    }

                    result = processor.ProcessDelivery(delivery);
                }

                // Spans take the feature and variant of their trace, as in the Lambdas (earlier deliveries through the join index).
                await TraceTagPropagation.ApplyAsync(result, joinIndex).ConfigureAwait(false);
                var parsed = Stopwatch.GetTimestamp();
                events += result.EventCount;
                Accumulate(result, invocations, spans);
                range.Add(result);

                // The same aggregation the Lambdas write: batch ids come from the events' ids, which are
                // derived from file content for exports without ids, so a second replay counts once.
                var summarised = Stopwatch.GetTimestamp();
                var aggregates = (await QualityAggregation.JoinAsync(result, joinIndex, joinWindow).ConfigureAwait(false)).AddTo(AggregateBuilder.Build(result, limits));
                var aggregated = Stopwatch.GetTimestamp();
                await store.ApplyBatchAsync(aggregates).ConfigureAwait(false);
                if (table is not null)
                {
                    await table.ApplyBatchAsync(aggregates).ConfigureAwait(false);
                }

                stages.Add(started, parsed, summarised, aggregated, Stopwatch.GetTimestamp());
                if (clock.Elapsed - lastProgress >= ProgressInterval && (inputBytes >= LargeInputBytes || clock.Elapsed >= ProgressInterval))
                {
                    lastProgress = clock.Elapsed;
                    await stderr.WriteLineAsync(Progress(events, reader.InputBytesRead, reader.DecompressedBytesRead, inputBytes, clock.Elapsed)).ConfigureAwait(false);
                }
            }
        }

        clock.Stop();

        // All threads (reader, consumer, JIT, GC) since the process started: on a shared or small
        // machine this says more than the wall time about what the processing cost.
        var processingCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var heapAfterProcessing = GC.GetGCMemoryInfo();

        // Per feature, variant and template: from the same aggregates the Lambdas write (read before
        // the alert simulation runs maintenance on the store).
        var sums = range.IsEmpty
            ? new Dictionary<string, AggregateCounters>()
            : await store.SumByPrefixAsync(string.Empty, Granularity.Fine, Buckets.StartOf(range.First, Granularity.Fine), Buckets.StartOf(range.Last, Granularity.Fine).AddMinutes(5)).ConfigureAwait(false);

        // Evaluate the alert rules at every 5-minute boundary of the replayed event time, exactly
        // as the scheduled evaluator would have, against what replay just aggregated.
        IReadOnlyList<SimulatedNotification>? alerts = null;
        var evaluation = new Stopwatch();
        if (alertSettings is not null)
        {
            evaluation.Start();
            var processorTime = Process.GetCurrentProcess().TotalProcessorTime;

            // Reading is over and its message chunks are garbage (the read-ahead let them go): one full
            // collection here gives their memory back before the simulation, whose own memory grows with
            // the hours replayed. Without it the simulation ran beside them until the GC happened to
            // collect the large-object heap: peak RSS on twice the end-to-end corpus 106-119 MB against
            // 100-108 on the corpus; with it 103 against 96 in every round (2-core machine, 3 rounds
            // each, alert simulation time unchanged).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
            alerts = range.IsEmpty
                ? []
                : await AlertSimulation.RunAsync(store, range.Buckets, alertSettings, new EvaluatorOptions { Maintenance = MaintenanceSettings.Default with { Limits = limits } }).ConfigureAwait(false);
            evaluation.Stop();

            // The reader threads have finished by now, so the process' CPU time is the simulation's (and its GC's).
            stages.SetAlertSimulation(evaluation.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - processorTime);
        }

        if (options.Json)
        {
            await stdout.WriteLineAsync(RenderJson(invocations, spans, alerts, sums)).ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteAsync(ReplayTable.Render(files, invocations, spans, alerts, prices, sums)).ConfigureAwait(false);
        }

        if (options.Stats)
        {
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            await stderr.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"replay stats: {events} events, {messageBytes / 1048576.0:F2} MB of log data processed (decode, parse, price, aggregate) in {seconds:F3} s (process CPU {processingCpu.TotalSeconds:F3} s) — {events / seconds:F0} records/s, {messageBytes / 1048576.0 / seconds:F1} MB/s; {(alerts is null ? "alert evaluation not run (--no-alerts)" : $"alert evaluation {evaluation.Elapsed.TotalSeconds:F3} s")}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB; {HeapFigures(heapAfterProcessing, GC.GetGCMemoryInfo())}"))
                .ConfigureAwait(false);
            await stderr.WriteLineAsync(stages.Describe(reader.DecompressedBytesRead)).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// The managed heap as of the last collection before and after the alert simulation (size, then
    /// committed memory) and the collections so far: what of the working set is the heap, and
    /// whether it grows with the input (issue #13: peak memory independent of the input's size).
    /// </summary>
    private static string HeapFigures(GCMemoryInfo afterProcessing, GCMemoryInfo atEnd) => string.Create(
        CultureInfo.InvariantCulture,
        $"GC heap {afterProcessing.HeapSizeBytes / 1048576.0:F0} MB ({afterProcessing.TotalCommittedBytes / 1048576.0:F0} MB committed) after processing, {atEnd.HeapSizeBytes / 1048576.0:F0} MB ({atEnd.TotalCommittedBytes / 1048576.0:F0} MB) at the end; {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections");

    /// <summary>Fails fast, before any work, when an input cannot be opened; returns the inputs' total size.</summary>
    private static long CheckReadable(IReadOnlyList<string> files)
    {
        long total = 0;
        foreach (var file in files)
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
                total += stream.Length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"cannot read {file}: {ex.Message}");
            }
        }

        return total;
    }

    /// <summary>One progress line: records, MB read of the inputs' total, decompressed MB, rate, share done and ETA.</summary>
    internal static string Progress(long events, long read, long decompressed, long inputBytes, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var share = inputBytes > 0 ? Math.Min(1.0, read / (double)inputBytes) : 0;
        var eta = share > 0 ? TimeSpan.FromSeconds(seconds * (1 - share) / share) : TimeSpan.Zero;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"… {events:N0} records, {read / 1048576.0:F0} of {inputBytes / 1048576.0:F0} MB read ({decompressed / 1048576.0:F0} MB decompressed), {events / seconds:N0} records/s, {share:P0}, ETA {eta.TotalSeconds:F0} s");
    }

    internal static void Accumulate(BatchResult result, InvocationSummary invocations, SpanSummary spans)
    {
        foreach (var invocation in result.Invocations)
        {
            invocations.Add(invocation);
        }

        foreach (var span in result.Spans)
        {
            spans.Add(span);
        }

        foreach (var rejection in result.Rejections)
        {
            if (rejection.Source == Core.Records.RecordSources.Span)
            {
                spans.AddRejected(rejection.Count);
            }
            else
            {
                invocations.AddRejected(rejection.Count);
            }
        }
    }

    /// <summary>The <c>--json</c> object; <paramref name="alerts"/> null (<c>--no-alerts</c>) leaves out the <c>alerts</c> member, and only it.</summary>
    internal static string RenderJson(InvocationSummary invocations, SpanSummary spans, IReadOnlyList<SimulatedNotification>? alerts, IReadOnlyDictionary<string, AggregateCounters>? sums = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("invocations");
            invocations.WriteJson(writer);
            writer.WritePropertyName("spans");
            spans.WriteJson(writer);
            if (alerts is not null)
            {
                SimulatedNotification.WriteJsonArray(writer, alerts);
            }

            if (sums is not null && FeatureReport.HasAny(sums))
            {
                FeatureReport.WriteMembers(writer, sums);
                if (VariantComparison.Compare(sums) is { Count: > 0 } comparisons)
                {
                    ComparisonReport.WriteMember(writer, comparisons);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The DynamoDB table <c>--dynamodb</c> writes the aggregates to, as the processors would.</summary>
    private DynamoDbAggregateStore OpenTable()
    {
        var options = StoreCommandOptions.From(_environment.Variables, table: null, endpoint: null);
        return new DynamoDbAggregateStore(DynamoDbClientFactory.Create(options.EndpointUrl, options.Region), options.TableName, options.Retention);
    }

    private IReadOnlyList<string> BundledSamples()
    {
        if (!Directory.Exists(_environment.SamplesDirectory))
        {
            throw new CliUsageException($"no FILE given and no bundled samples at {_environment.SamplesDirectory}");
        }

        return Directory.GetFiles(_environment.SamplesDirectory, "*.gz").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Rule thresholds, budget and routing from the same variables the evaluator Lambda reads.</summary>
    private static EvaluatorSettings LoadAlertSettings(IReadOnlyDictionary<string, string> variables)
    {
        try
        {
            return EvaluatorSettings.FromVariables(variables, File.ReadAllText);
        }
        catch (RuleSettingsException ex)
        {
            throw new CliUsageException(ex.Message);
        }
        catch (RoutingConfigException ex)
        {
            throw new CliUsageException(ex.Message);
        }
        catch (IOException ex)
        {
            throw new CliUsageException($"cannot read the routing file: {ex.Message}");
        }
    }

    private PrincipalPrivacy LoadPrincipals()
    {
        try
        {
            return ProcessingSettings.ReadPrincipals(name => _environment.Variables.TryGetValue(name, out var value) ? value : null);
        }
        catch (SettingsException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }

    private TimeSpan LoadJoinWindow()
    {
        try
        {
            return ProcessingSettings.ReadJoinWindow(name => _environment.Variables.TryGetValue(name, out var value) ? value : null);
        }
        catch (SettingsException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }

    private RequestDimensionNames LoadDimensions()
    {
        try
        {
            return ProcessingSettings.ReadDimensions(name => _environment.Variables.TryGetValue(name, out var value) ? value : null);
        }
        catch (SettingsException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }

    /// <summary>The same per-dimension top-N limits the processors and the evaluator read.</summary>
    private CardinalityLimits LoadLimits()
    {
        try
        {
            return CardinalitySettings.Read(name => _environment.Variables.TryGetValue(name, out var value) ? value : null);
        }
        catch (SettingsException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }
}
