using System.Globalization;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Pricing;
using GenAiObs.Core.Pricing;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// <c>genaiobs prices refresh [--region R] [--out FILE] [--base FILE] [--service-code CODE]...</c>:
/// reads the region's Amazon Bedrock products from the AWS Price List Query API, maps them to
/// the table's models and token directions, and writes a price file (the base file — by default
/// the embedded table — with the new figures, sources and date). Products it cannot map are
/// listed with the reason, never guessed.
/// <c>genaiobs prices check FILE [--against FILE]</c>: validates a price file and lists what
/// differs from the embedded default (or another file).
/// Exit codes: 0 done, 1 invalid file or Price List error, 2 usage.
/// </summary>
public sealed class PricesCommand
{
    /// <summary>
    /// Service codes read by default: Amazon's own models are listed under <c>AmazonBedrock</c>,
    /// third-party models under <c>AmazonBedrockFoundationModels</c> (as the AWS sample
    /// aws-samples/sample-bedrock-migration-and-modernization-tools' pricing collector reads them).
    /// </summary>
    public static IReadOnlyList<string> DefaultServiceCodes { get; } = ["AmazonBedrock", "AmazonBedrockFoundationModels"];

    public const string Usage = """
        Usage: genaiobs prices refresh [--region R] [--out FILE] [--base FILE] [--service-code CODE]...
               genaiobs prices check FILE [--against FILE]
        """;

    private readonly CliEnvironment _environment;
    private readonly Func<PriceListSettings, PriceListClient> _clientFactory;
    private readonly TimeProvider _time;

    public PricesCommand(CliEnvironment environment)
        : this(environment, settings => new PriceListClient(new HttpClient(), settings.Endpoint, settings.SigningRegion, new SdkCredentialsSource(), TimeProvider.System), TimeProvider.System)
    {
    }

    public PricesCommand(CliEnvironment environment, Func<PriceListSettings, PriceListClient> clientFactory, TimeProvider time)
    {
        _environment = environment;
        _clientFactory = clientFactory;
        _time = time;
    }

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            await (args.Length == 0 ? stderr : stdout).WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        return args[0] switch
        {
            "refresh" => await RefreshAsync(args[1..], stdout, stderr).ConfigureAwait(false),
            "check" => await CheckAsync(args[1..], stdout, stderr).ConfigureAwait(false),
            _ => throw new CliUsageException($"unknown subcommand '{args[0]}' (expected refresh or check)\n{Usage}"),
        };
    }

    private async Task<int> RefreshAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? region = null, output = null, basePath = null;
        var serviceCodes = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--region":
                    region = Value(args, ref i);
                    break;
                case "--out":
                    output = Value(args, ref i);
                    break;
                case "--base":
                    basePath = Value(args, ref i);
                    break;
                case "--service-code":
                    serviceCodes.Add(Value(args, ref i));
                    break;
                default:
                    throw new CliUsageException($"unknown option '{args[i]}'\n{Usage}");
            }
        }

        region ??= _environment.Variables.GetValueOrDefault(EnvironmentVariables.Region) is { Length: > 0 } fromEnvironment ? fromEnvironment : PriceTable.DefaultBaseRegion;
        if (!PriceTable.IsRegionCode(region))
        {
            throw new CliUsageException($"--region must be an AWS region code such as us-east-1, not '{region}'");
        }

        if (serviceCodes.Count == 0)
        {
            serviceCodes.AddRange(DefaultServiceCodes);
        }

        byte[] baseFile;
        PriceTable baseTable;
        try
        {
            baseFile = basePath is null ? PriceTable.DefaultBytes() : await File.ReadAllBytesAsync(basePath).ConfigureAwait(false);
            baseTable = PriceTable.Parse(baseFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PriceTableException)
        {
            await stderr.WriteLineAsync($"genaiobs prices refresh: --base {basePath}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        PriceListSettings settings;
        try
        {
            settings = PriceListSettings.FromEnvironment(name => _environment.Variables.GetValueOrDefault(name));
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync($"genaiobs prices refresh: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var client = _clientFactory(settings);
        var products = new List<string>();
        var pages = 0;
        try
        {
            foreach (var serviceCode in serviceCodes)
            {
                var answer = await client.GetProductsAsync(serviceCode, [new PriceListFilter("regionCode", region)], CancellationToken.None).ConfigureAwait(false);
                products.AddRange(answer.PriceList);
                pages += answer.Pages;
            }
        }
        catch (AwsServiceException ex)
        {
            await stderr.WriteLineAsync($"genaiobs prices refresh: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            await stderr.WriteLineAsync($"genaiobs prices refresh: no AWS credentials: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var mapping = PriceListMapper.Map(products, baseTable, region);
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var title = $"AWS Price List Query API, GetProducts (service codes {string.Join(", ", serviceCodes)}; regionCode {region})";
        var update = PriceFileUpdater.Apply(baseFile, mapping, region, today, title);

        var report = stderr;
        await report.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Price List: {mapping.Products} products in {pages} page(s) ({string.Join(", ", serviceCodes)}; region {region}); {mapping.Prices.Count} token prices mapped")).ConfigureAwait(false);
        await WriteListAsync(report, "Changed", update.Changed).ConfigureAwait(false);
        await WriteListAsync(report, "Unchanged, now also sourced from the Price List", update.Confirmed).ConfigureAwait(false);
        await WriteListAsync(report, "Not mapped (add the model, or its priceListName, to the base file)", [.. mapping.Unmapped
            .GroupBy(u => (u.Name, u.Reason))
            .OrderBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Name}: {g.Key.Reason}{(g.Count() > 1 ? $" (×{g.Count()})" : string.Empty)}{(g.First().Detail.Length > 0 ? $" [{g.First().Detail}]" : string.Empty)}")]).ConfigureAwait(false);
        await WriteListAsync(report, "Named but not used (left as they were)", [.. update.Incomplete.Select(u => $"{u.Name}: {u.Reason} [{u.Detail}]")]).ConfigureAwait(false);
        if (mapping.Skipped.Count > 0)
        {
            await report.WriteLineAsync("Skipped (not the on-demand Standard per-token price): " + string.Join(", ", mapping.Skipped.Select(s => $"{s.Key} {s.Value}"))).ConfigureAwait(false);
        }

        await report.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"No Price List price in {region} for {update.Missing.Count} of {baseTable.Entries.Count} models (kept as they were)")).ConfigureAwait(false);

        if (output is null)
        {
            await stdout.WriteAsync(System.Text.Encoding.UTF8.GetString(update.File)).ConfigureAwait(false);
            await stdout.FlushAsync().ConfigureAwait(false);
        }
        else
        {
            await File.WriteAllBytesAsync(output, update.File).ConfigureAwait(false);
            await report.WriteLineAsync($"Wrote {output} (effectiveDate {today:yyyy-MM-dd}). Check it with: genaiobs prices check {output}").ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> CheckAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? file = null, against = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--against":
                    against = Value(args, ref i);
                    break;
                case var text when text.StartsWith('-'):
                    throw new CliUsageException($"unknown option '{text}'\n{Usage}");
                default:
                    file = file is null ? args[i] : throw new CliUsageException($"expected one FILE\n{Usage}");
                    break;
            }
        }

        if (file is null)
        {
            throw new CliUsageException($"expected a FILE to check\n{Usage}");
        }

        PriceTable table, reference;
        try
        {
            table = PriceTable.Parse(await File.ReadAllBytesAsync(file).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PriceTableException)
        {
            await stderr.WriteLineAsync($"genaiobs prices check: {file}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        try
        {
            reference = against is null ? PriceTable.LoadDefault() : PriceTable.Parse(await File.ReadAllBytesAsync(against).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PriceTableException)
        {
            await stderr.WriteLineAsync($"genaiobs prices check: --against {against}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var confirmed = table.Entries.Count(e => e.Confirmed);
        var perUnit = table.NotTokenPriced.Where(e => e.PerUnit is not null).ToList();
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{file}: valid. effectiveDate {table.EffectiveDate}, base region {table.BaseRegion}; {table.Entries.Count} token-priced models ({confirmed} confirmed by two sources), {table.NotTokenPriced.Count} not token-priced ({perUnit.Count} with per-unit prices, {perUnit.Count(e => e.Confirmed)} confirmed by two sources), {table.KnownUnpriced.Count} listed as unpriced.")).ConfigureAwait(false);
        await WriteListAsync(stdout, "Per-unit prices, USD", [.. perUnit.Select(e =>
            $"{e.ModelId}: {PriceTableDiff.Describe(e).TrimStart(',', ' ')} (effective {e.EffectiveDate}, {(e.Confirmed ? "confirmed by two sources" : "not confirmed")})")]).ConfigureAwait(false);
        var changes = PriceTableDiff.Compare(reference, table);
        var label = against ?? $"the embedded default ({reference.EffectiveDate})";
        if (changes.Count == 0)
        {
            await stdout.WriteLineAsync($"No differences from {label}.").ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{changes.Count} difference(s) from {label}:")).ConfigureAwait(false);
        foreach (var change in changes)
        {
            await stdout.WriteLineAsync($"  {change.Kind,-7} {change.Subject}: {change.Detail}").ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task WriteListAsync(TextWriter writer, string title, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{title} ({lines.Count}):")).ConfigureAwait(false);
        foreach (var line in lines)
        {
            await writer.WriteLineAsync("  " + line).ConfigureAwait(false);
        }
    }

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[++i]
            : throw new CliUsageException($"{args[i]} needs a value\n{Usage}");
}
