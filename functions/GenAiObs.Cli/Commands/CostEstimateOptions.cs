using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Costing;

namespace GenAiObs.Cli.Commands;

/// <summary>Parsed <c>cost-estimate</c> arguments.</summary>
internal sealed record CostEstimateOptions
{
    public bool Json { get; init; }

    /// <summary>Replay only the invocation-log records (span processing off, as with EnableSpanProcessing=false).</summary>
    public bool WithoutSpans { get; init; }

    public string? PricesFile { get; init; }

    public long? InvocationsPerMonth { get; init; }

    public int? Models { get; init; }

    public int? Principals { get; init; }

    public int? Teams { get; init; }

    public int Hours { get; init; } = 24;

    public int WindowSeconds { get; init; } = 10;

    public int KinesisShards { get; init; }

    /// <summary>The processors' aggregate write mode (template parameter AggregateWrites; the default is the template's).</summary>
    public AggregateWriteMode AggregateWrites { get; init; } = AggregateWriteMode.Deferred;

    /// <summary>GENAIOBS_REQUEST_INDEX (the template: on exactly when FeedbackLogGroupName is set; default off, as deployed).</summary>
    public bool RequestIndex { get; init; }

    public ObserverPrices Prices { get; init; } = ObserverPrices.Default;

    public IReadOnlyList<string> Files { get; init; } = [];

    public static CostEstimateOptions Parse(string[] args)
    {
        var options = new CostEstimateOptions();
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new CliUsageException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--json" => options with { Json = true },
                "--without-spans" => options with { WithoutSpans = true },
                "--prices" => options with { PricesFile = Value() },
                "--invocations-per-month" => options with { InvocationsPerMonth = Positive(args[i], Value()) },
                "--models" => options with { Models = (int)Positive(args[i], Value(), int.MaxValue) },
                "--principals" => options with { Principals = (int)Positive(args[i], Value(), int.MaxValue) },
                "--teams" => options with { Teams = (int)Positive(args[i], Value(), int.MaxValue) },
                "--hours" => options with { Hours = (int)Positive(args[i], Value(), 24 * 31) },
                "--window-seconds" => options with { WindowSeconds = (int)Positive(args[i], Value(), 3600) },
                "--kinesis-shards" => options with { KinesisShards = (int)Positive(args[i], Value(), 10_000) },
                "--aggregate-writes" => options with { AggregateWrites = WriteMode(Value()) },
                "--price" => options with { Prices = WithPrice(options.Prices, Value()) },
                "--request-index" => options with { RequestIndex = OnOff(args[i], Value()) },
                var other when other.StartsWith("--", StringComparison.Ordinal) => throw new CliUsageException($"unknown option {other}"),
                var file => AddFile(options, files, file),
            };
        }

        return options with { Files = files };
    }

    private static AggregateWriteMode WriteMode(string text) => text switch
    {
        "direct" => AggregateWriteMode.Direct,
        "deferred" => AggregateWriteMode.Deferred,
        _ => throw new CliUsageException($"--aggregate-writes needs direct or deferred, not '{text}'"),
    };

    private static bool OnOff(string option, string text) => text switch
    {
        "on" => true,
        "off" => false,
        _ => throw new CliUsageException($"{option} needs on or off, not '{text}'"),
    };

    private static CostEstimateOptions AddFile(CostEstimateOptions options, List<string> files, string file)
    {
        files.Add(file);
        return options;
    }

    private static long Positive(string option, string text, long max = long.MaxValue)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
        {
            throw new CliUsageException($"{option} needs a whole number from 1 to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        }

        return value;
    }

    private static ObserverPrices WithPrice(ObserverPrices prices, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !decimal.TryParse(assignment[(equals + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliUsageException($"--price needs NAME=VALUE (a non-negative decimal), not '{assignment}'; names: {string.Join(", ", ObserverPrices.Names)}");
        }

        try
        {
            return prices.With(assignment[..equals], value);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException("--price " + ex.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }
    }
}
