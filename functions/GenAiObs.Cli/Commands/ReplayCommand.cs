using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Cli.Commands;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;

namespace GenAiObs.Cli;

/// <summary>
/// <c>replay</c>: pushes exported log files through the Lambdas' batch code and prints what the
/// pipeline would have measured. Output never contains prompt or response text: it is built from
/// the parsed records' counts and identities only.
/// </summary>
public sealed class ReplayCommand
{
    // A local export can be far larger than one subscription delivery; the cap still protects
    // against a decompression bomb in a file someone sent you.
    private static readonly DecoderLimits FileLimits = new(MaxDecompressedBytes: 2L * 1024 * 1024 * 1024);

    private readonly CliEnvironment _environment;

    public ReplayCommand(CliEnvironment environment) => _environment = environment;

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = ReplayOptions.Parse(args);
        var files = options.Files.Count > 0 ? options.Files : BundledSamples();
        var prices = LoadPrices(options.PricesFile);
        var alertSettings = LoadAlertSettings();
        // Exports are often older than any retention and replay has no "now" of its own: only the
        // plausible years are enforced; user names are hashed as in the Lambdas (same salt variable).
        var processor = new BatchProcessor(prices, DecoderLimits.Default, new ProcessingOptions { Principals = LoadPrincipals() });
        var limits = LoadLimits();
        var invocations = new InvocationSummary();
        var spans = new SpanSummary();
        // Alerts are always simulated against an in-memory store, so --dynamodb gives the same
        // alerts and never writes the evaluator's rollups or alert state into a real table.
        var store = new InMemoryAggregateStore();
        var table = options.DynamoDb ? OpenTable() : null;

        var clock = Stopwatch.StartNew();
        long messageBytes = 0;
        long events = 0;
        var range = new EventTimeRange();
        var lastProgress = TimeSpan.Zero;
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new CliUsageException($"cannot read {file}: {ex.Message}");
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new CliUsageException($"cannot read {file}: {ex.Message}");
            }

            using var delivery = EnvelopeDecoder.DecodeFile(bytes, FileLimits);
            foreach (var logEvent in delivery.Events)
            {
                messageBytes += logEvent.Message.Length;
            }

            var result = processor.ProcessDelivery(delivery);
            events += result.EventCount;
            Accumulate(result, invocations, spans);
            range.Add(result);

            // The same aggregation the Lambdas write: batch ids come from the events' ids, which are
            // derived from file content for exports without ids, so a second replay counts once.
            var aggregates = AggregateBuilder.Build(result, limits);
            await store.ApplyBatchAsync(aggregates).ConfigureAwait(false);
            if (table is not null)
            {
                await table.ApplyBatchAsync(aggregates).ConfigureAwait(false);
            }

            if (!options.Json && clock.Elapsed - lastProgress > TimeSpan.FromSeconds(2))
            {
                lastProgress = clock.Elapsed;
                await stderr.WriteLineAsync($"… {events:N0} events read ({Path.GetFileName(file)})").ConfigureAwait(false);
            }
        }

        clock.Stop();

        // Evaluate the alert rules at every 5-minute boundary of the replayed event time, exactly
        // as the scheduled evaluator would have, against what replay just aggregated.
        var evaluation = Stopwatch.StartNew();
        var alerts = range.IsEmpty
            ? []
            : await AlertSimulation.RunAsync(store, range.Buckets, alertSettings, new EvaluatorOptions { Maintenance = MaintenanceSettings.Default with { Limits = limits } }).ConfigureAwait(false);
        evaluation.Stop();
        if (options.Json)
        {
            await stdout.WriteLineAsync(RenderJson(invocations, spans, alerts)).ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteAsync(ReplayTable.Render(files, invocations, spans, alerts, prices)).ConfigureAwait(false);
        }

        if (options.Stats)
        {
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            await stderr.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"replay stats: {events} events, {messageBytes / 1048576.0:F2} MB of log data processed (decode, parse, price, aggregate) in {seconds:F3} s — {events / seconds:F0} records/s, {messageBytes / 1048576.0 / seconds:F1} MB/s; alert evaluation {evaluation.Elapsed.TotalSeconds:F3} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB"))
                .ConfigureAwait(false);
        }

        return 0;
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

    internal static string RenderJson(InvocationSummary invocations, SpanSummary spans, IReadOnlyList<SimulatedNotification> alerts)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("invocations");
            invocations.WriteJson(writer);
            writer.WritePropertyName("spans");
            spans.WriteJson(writer);
            SimulatedNotification.WriteJsonArray(writer, alerts);
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
    private EvaluatorSettings LoadAlertSettings()
    {
        try
        {
            return EvaluatorSettings.FromVariables(_environment.Variables, File.ReadAllText);
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

    private static PriceTable LoadPrices(string? path)
    {
        if (path is null)
        {
            return PriceTable.LoadDefault();
        }

        try
        {
            return PriceTable.Parse(File.ReadAllBytes(path));
        }
        catch (IOException ex)
        {
            throw new CliUsageException($"cannot read --prices {path}: {ex.Message}");
        }
        catch (PriceTableException ex)
        {
            throw new CliUsageException($"--prices {path}: {ex.Message}");
        }
    }
}

/// <summary>The earliest and latest event time seen: a record's own time, a span's end.</summary>
internal sealed class EventTimeRange
{
    public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

    public bool IsEmpty => First > Last;

    /// <summary>The distinct 5-minute buckets holding an event.</summary>
    public HashSet<DateTimeOffset> Buckets { get; } = [];

    public void Add(BatchResult result)
    {
        foreach (var invocation in result.Invocations)
        {
            Add(invocation.Record.Timestamp);
        }

        foreach (var span in result.Spans)
        {
            Add(span.Span.End);
        }
    }

    private void Add(DateTimeOffset at)
    {
        Buckets.Add(Core.Aggregation.Buckets.StartOf(at, Granularity.Fine));
        First = at < First ? at : First;
        Last = at > Last ? at : Last;
    }
}

/// <summary>Parsed <c>replay</c> arguments.</summary>
internal sealed record ReplayOptions(bool Json, bool Stats, bool DynamoDb, string? PricesFile, IReadOnlyList<string> Files)
{
    public static ReplayOptions Parse(string[] args)
    {
        bool json = false, stats = false, dynamo = false;
        string? prices = null;
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--stats":
                    stats = true;
                    break;
                case "--dynamodb":
                    dynamo = true;
                    break;
                case "--prices":
                    if (i + 1 >= args.Length)
                    {
                        throw new CliUsageException("--prices needs a FILE");
                    }

                    prices = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new CliUsageException($"unknown option {args[i]}");
                    }

                    files.Add(args[i]);
                    break;
            }
        }

        return new ReplayOptions(json, stats, dynamo, prices, files);
    }
}
