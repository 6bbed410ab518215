using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Costing;
using GenAiObs.Cli.Export;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// <c>cost-estimate</c>: replays an export (or the bundled samples) as a month of traffic through
/// the processors' builders and prints what the observer itself would cost a month, by component,
/// with the dated prices it used, next to the Bedrock spend it observed.
/// </summary>
public sealed class CostEstimateCommand
{
    /// <summary>Records kept from the files as the sample the month is replayed from (the rate counts every record).</summary>
    public const int MaxSampleRecords = 200_000;

    private static readonly DecoderLimits FileLimits = new(MaxDecompressedBytes: 2L * 1024 * 1024 * 1024);

    private readonly CliEnvironment _environment;

    public CostEstimateCommand(CliEnvironment environment) => _environment = environment;

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = CostEstimateOptions.Parse(args);
        var files = options.Files.Count > 0 ? options.Files : BundledSamples();
        var processor = new BatchProcessor(PriceFileOption.Load(options.PricesFile));
        var invocations = new List<PricedInvocation>();
        var spans = new List<PricedSpan>();
        var feedback = new List<FeedbackRecord>();
        long invocationCount = 0;
        var first = DateTimeOffset.MaxValue;
        var last = DateTimeOffset.MinValue;
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"cannot read {file}: {ex.Message}");
            }

            using var delivery = ExportFileReader.ReadWhole(bytes, FileLimits);
            var result = processor.ProcessDelivery(delivery);
            invocationCount += result.Invocations.Count;
            foreach (var invocation in result.Invocations)
            {
                first = invocation.Record.Timestamp < first ? invocation.Record.Timestamp : first;
                last = invocation.Record.Timestamp > last ? invocation.Record.Timestamp : last;
            }

            invocations.AddRange(result.Invocations.Take(MaxSampleRecords - invocations.Count));
            if (!options.WithoutSpans)
            {
                spans.AddRange(result.Spans.Take(MaxSampleRecords - spans.Count));
            }

            feedback.AddRange(result.Feedback.Take(MaxSampleRecords - feedback.Count));
        }

        if (invocations.Count == 0)
        {
            throw new CliUsageException("the files hold no model invocation records to replay");
        }

        var perMonth = options.InvocationsPerMonth ?? RateOf(invocationCount, first, last);
        var scenario = new CostScenario
        {
            InvocationsPerMonth = perMonth,
            Models = options.Models,
            Principals = options.Principals,
            Teams = options.Teams,
            SimulatedHours = options.Hours,
            DeliveryWindowSeconds = options.WindowSeconds,
            KinesisShards = options.KinesisShards,
            AggregateWrites = options.AggregateWrites,
            RequestIndex = options.RequestIndex,
            ServiceName = _environment.Variables.GetValueOrDefault("POWERTOOLS_SERVICE_NAME") is { Length: > 0 } service ? service : "genai-observability",
            Environment = _environment.Variables.GetValueOrDefault("GENAIOBS_ENVIRONMENT") is { Length: > 0 } environment ? environment : "prod",
        };
        MonthUsage usage;
        try
        {
            usage = MonthSimulator.Simulate(invocations, spans, scenario, feedback: feedback);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        var bill = ObserverCostModel.Estimate(usage, options.Prices);
        await stdout.WriteAsync(options.Json ? RenderJson(bill, files) : RenderTable(bill, files)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The export's own invocation rate, scaled to a 730-hour month.</summary>
    private static long RateOf(long records, DateTimeOffset first, DateTimeOffset last)
    {
        var hours = (last - first).TotalHours;
        if (records == 0 || hours < 1)
        {
            throw new CliUsageException("the files cover less than an hour: give --invocations-per-month N");
        }

        return (long)Math.Round(records / hours * MonthSimulator.HoursPerMonth);
    }

    internal static string RenderTable(ObserverBill bill, IReadOnlyList<string> files)
    {
        var usage = bill.Usage;
        var scenario = usage.Scenario;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Observer's monthly bill — {scenario.InvocationsPerMonth:N0} model invocations a month{Remapped(scenario)}");
        text.AppendLine(c, $"Replayed {string.Join(", ", files.Select(Path.GetFileName))}: {scenario.SimulatedHours} h of {scenario.DeliveryWindowSeconds} s deliveries simulated, scaled to 730 h ({usage.RecordsPerDelivery:N1} records per delivery).");
        text.AppendLine(c, $"Aggregate writes: {WriteModeName(scenario.AggregateWrites)}{(scenario.AggregateWrites == AggregateWriteMode.Deferred ? string.Create(c, $" (one delta of {usage.DeltaBytesPerDelivery:N0} bytes encoded per delivery, rolled up per 5-minute window up to {DeferredAggregation.MaxRollupDelay.TotalMinutes:N1} minutes after its records; readers add the deltas not rolled up yet)") : " (one UpdateItem per aggregate item per delivery)")}.");
        text.AppendLine(c, $"Quality join: {RequestIndexLine(usage)}.");
        text.AppendLine(c, $"Evaluator maintenance: run every 5 minutes over the simulated deliveries, {usage.MaintenanceItemWrites:N0} hourly and daily roll-up item writes a month ({(usage.MaintenanceRuns == 0 ? 0 : usage.MaintenanceItemWrites / usage.MaintenanceRuns):N1} a run); the rules' reads and the daily baselines stay assumed ({bill.Footprint.EvaluatorReadUnitsPerRun} read units a run).");
        text.AppendLine();
        // The first column fits the longest component name, so the numbers stay in their columns.
        var width = bill.Lines.Select(line => line.Component.Length).Append(56).Max();
        text.AppendLine(c, $"{"component".PadRight(width)} {"quantity",16} {"unit",-14} {"unit price",14} {"USD/month",10}  kind");
        foreach (var line in bill.Lines)
        {
            text.AppendLine(c, $"{line.Component.PadRight(width)} {line.Quantity,16:N2} {line.Unit,-14} {Price(line.UnitPriceUsd),14} {line.MonthlyUsd,10:N2}  {line.Kind.ToString().ToLowerInvariant()}");
        }

        text.AppendLine(c, $"{"Total".PadRight(width)} {string.Empty,16} {string.Empty,-14} {string.Empty,14} {bill.TotalUsd,10:N2}");
        text.AppendLine(c, $"  fixed ${bill.FixedUsd:N2}; variable ${bill.VariableUsd:N2} = ${bill.VariablePerMillionUsd:N2} per 1M invocations");
        text.AppendLine();
        text.AppendLine(c, $"Distinct custom metrics written: {usage.DistinctCustomMetrics} (billed {usage.BilledMetricMonths:N1} metric-months); attribution properties: {string.Join(", ", usage.DistinctPropertyValues.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}"))}.");
        var share = bill.ShareOfBedrockSpend is { } s ? string.Create(c, $" (the observer costs {s:P2} of it)") : string.Empty;
        text.AppendLine(c, $"Observed Bedrock spend: ${usage.BedrockSpendUsd:N2} a month at the price table's prices{share}.");
        text.AppendLine();
        text.AppendLine(c, $"Prices: AWS list prices, us-east-1, as of {bill.Prices.AsOf}, no free tier (override with --price NAME=VALUE):");
        text.AppendLine("  " + string.Join(", ", bill.Prices.All.Select(p => string.Create(c, $"{p.Key}={p.Value}"))));
        foreach (var source in ObserverPrices.DefaultSources)
        {
            text.AppendLine("  " + source);
        }

        return text.ToString();
    }

    internal static string RenderJson(ObserverBill bill, IReadOnlyList<string> files)
    {
        var usage = bill.Usage;
        var scenario = usage.Scenario;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("scenario");
            json.WriteNumber("invocationsPerMonth", scenario.InvocationsPerMonth);
            WriteOptional(json, "models", scenario.Models);
            WriteOptional(json, "principals", scenario.Principals);
            WriteOptional(json, "teams", scenario.Teams);
            json.WriteNumber("simulatedHours", scenario.SimulatedHours);
            json.WriteNumber("deliveryWindowSeconds", scenario.DeliveryWindowSeconds);
            json.WriteNumber("kinesisShards", scenario.KinesisShards);
            json.WriteString("aggregateWrites", WriteModeName(scenario.AggregateWrites));
            json.WriteString("requestIndex", scenario.RequestIndex ? "on" : "off");
            json.WriteStartArray("files");
            foreach (var file in files)
            {
                json.WriteStringValue(Path.GetFileName(file));
            }

            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartArray("components");
            foreach (var line in bill.Lines)
            {
                json.WriteStartObject();
                json.WriteString("component", line.Component);
                json.WriteNumber("quantity", Math.Round(line.Quantity, 4));
                json.WriteString("unit", line.Unit);
                json.WriteNumber("unitPriceUsd", line.UnitPriceUsd);
                json.WriteNumber("monthlyUsd", line.MonthlyUsd);
                json.WriteString("kind", line.Kind == CostKind.Fixed ? "fixed" : "variable");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("totalUsd", Math.Round(bill.TotalUsd, 4));
            json.WriteNumber("fixedUsd", Math.Round(bill.FixedUsd, 4));
            json.WriteNumber("variableUsd", Math.Round(bill.VariableUsd, 4));
            json.WriteNumber("variablePerMillionInvocationsUsd", Math.Round(bill.VariablePerMillionUsd, 4));
            json.WriteNumber("bedrockSpendUsd", Math.Round(usage.BedrockSpendUsd, 2));

            json.WriteStartObject("usage");
            json.WriteNumber("invocations", Math.Round(usage.Invocations));
            json.WriteNumber("spans", Math.Round(usage.Spans));
            json.WriteNumber("feedback", Math.Round(usage.Feedback));
            json.WriteNumber("joinReadUnits", Math.Round(usage.JoinReadUnits));
            json.WriteNumber("deliveries", Math.Round(usage.Deliveries));
            json.WriteNumber("recordsPerDelivery", Math.Round(usage.RecordsPerDelivery, 2));
            json.WriteNumber("emfDocuments", Math.Round(usage.EmfDocuments));
            json.WriteNumber("emfBytes", Math.Round(usage.EmfBytes));
            json.WriteNumber("distinctCustomMetrics", usage.DistinctCustomMetrics);
            json.WriteNumber("billedMetricMonths", Math.Round(usage.BilledMetricMonths, 2));
            json.WriteStartObject("distinctPropertyValues");
            foreach (var (name, count) in usage.DistinctPropertyValues.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(name, count);
            }

            json.WriteEndObject();
            json.WriteNumber("insightRuleMatches", Math.Round((2 * usage.PrincipalRuleMatches) + usage.ErrorRuleMatches));
            json.WriteNumber("updateItems", Math.Round(usage.UpdateItems));
            json.WriteNumber("writeUnits", Math.Round(usage.WriteUnits));
            json.WriteNumber("processorGbSeconds", Math.Round(usage.ProcessorGbSeconds, 2));
            json.WriteNumber("maintenanceRuns", Math.Round(usage.MaintenanceRuns));
            json.WriteNumber("maintenanceReadUnits", Math.Round(usage.MaintenanceReadUnits));
            json.WriteNumber("maintenanceWriteUnits", Math.Round(usage.MaintenanceWriteUnits));
            json.WriteNumber("maintenanceRollupItemWrites", Math.Round(usage.MaintenanceItemWrites));
            json.WriteNumber("maintenanceRollupItemWritesPerRun", usage.MaintenanceRuns == 0 ? 0 : Math.Round(usage.MaintenanceItemWrites / usage.MaintenanceRuns, 2));
            json.WriteEndObject();

            json.WriteStartObject("prices");
            json.WriteString("region", "us-east-1");
            json.WriteString("asOf", bill.Prices.AsOf);
            foreach (var (name, value) in bill.Prices.All)
            {
                json.WriteNumber(name, value);
            }

            json.WriteStartArray("sources");
            foreach (var source in ObserverPrices.DefaultSources)
            {
                json.WriteStringValue(source);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string RequestIndexLine(MonthUsage usage) =>
        usage.Scenario.RequestIndex
            ? string.Create(CultureInfo.InvariantCulture, $"request index on (FeedbackLogGroupName set: {usage.Feedback:N0} feedback events a month at the files' rate, each delivery one join lookup; one join-index write per tagged request)")
            : "request index off (the template's default, FeedbackLogGroupName empty: no feedback delivered, no join-index write per tagged request; --request-index on to bill them)";

    private static string WriteModeName(AggregateWriteMode mode) => mode == AggregateWriteMode.Deferred ? "deferred" : "direct";

    private static string Remapped(CostScenario scenario)
    {
        var parts = new List<string>();
        if (scenario.Models is { } models)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{models} models"));
        }

        if (scenario.Principals is { } principals)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{principals} principals"));
        }

        if (scenario.Teams is { } teams)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{teams} teams"));
        }

        return parts.Count == 0 ? string.Empty : ", " + string.Join(", ", parts);
    }

    private static string Price(decimal value) => "$" + value.ToString("0.##########", CultureInfo.InvariantCulture);

    private IReadOnlyList<string> BundledSamples()
    {
        if (!Directory.Exists(_environment.SamplesDirectory))
        {
            throw new CliUsageException($"no FILE given and no bundled samples at {_environment.SamplesDirectory}");
        }

        return Directory.GetFiles(_environment.SamplesDirectory, "*.gz").Order(StringComparer.Ordinal).ToList();
    }
}
