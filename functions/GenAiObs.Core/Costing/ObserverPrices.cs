namespace GenAiObs.Core.Costing;

/// <summary>
/// The AWS unit prices the observer's own bill is computed with: us-east-1 public list prices,
/// dated, without free tiers (an account's free tier is shared with everything else it runs).
/// Every price can be overridden by name (<see cref="With"/>) because prices change and differ
/// by region.
/// </summary>
public sealed record ObserverPrices
{
    /// <summary>When the defaults were looked up.</summary>
    public const string DefaultAsOf = "2026-12-06";

    /// <summary>Where the defaults come from (AWS public pricing pages, us-east-1).</summary>
    public static IReadOnlyList<string> DefaultSources { get; } =
    [
        "https://aws.amazon.com/cloudwatch/pricing/ (custom metrics first 10,000, dashboards, standard alarms, Logs standard ingestion and storage, Contributor Insights)",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/ (on-demand write and read request units after the November 2024 reduction, standard storage)",
        "https://aws.amazon.com/lambda/pricing/ (Arm price per GB-second, first tier, and requests)",
        "https://aws.amazon.com/kinesis/data-streams/pricing/ (provisioned shard hour and PUT payload units)",
    ];

    public static ObserverPrices Default { get; } = new();

    /// <summary>Date the prices are valid for (<c>yyyy-MM-dd</c>).</summary>
    public string AsOf { get; init; } = DefaultAsOf;

    /// <summary>USD per custom metric per month (first 10,000 metrics; prorated by the hour a metric receives data).</summary>
    public decimal CustomMetricMonth { get; init; } = 0.30m;

    /// <summary>USD per GB of CloudWatch Logs standard ingestion (EMF documents are log events).</summary>
    public decimal LogIngestionGb { get; init; } = 0.50m;

    /// <summary>USD per GB-month of CloudWatch Logs storage.</summary>
    public decimal LogStorageGbMonth { get; init; } = 0.03m;

    /// <summary>USD per dashboard per month.</summary>
    public decimal DashboardMonth { get; init; } = 3.00m;

    /// <summary>USD per standard-resolution alarm metric per month (a metric-math alarm pays for each metric it reads).</summary>
    public decimal AlarmMetricMonth { get; init; } = 0.10m;

    /// <summary>USD per Contributor Insights rule per month.</summary>
    public decimal InsightRuleMonth { get; init; } = 0.50m;

    /// <summary>USD per million log events matched by a Contributor Insights rule.</summary>
    public decimal InsightMatchedEventsMillion { get; init; } = 0.02m;

    /// <summary>USD per million DynamoDB on-demand write request units.</summary>
    public decimal DynamoDbWriteMillion { get; init; } = 0.625m;

    /// <summary>USD per million DynamoDB on-demand read request units.</summary>
    public decimal DynamoDbReadMillion { get; init; } = 0.125m;

    /// <summary>USD per GB-month of DynamoDB standard storage.</summary>
    public decimal DynamoDbStorageGbMonth { get; init; } = 0.25m;

    /// <summary>USD per GB-second of Lambda on Arm (arm64).</summary>
    public decimal LambdaGbSecond { get; init; } = 0.0000133334m;

    /// <summary>USD per million Lambda requests.</summary>
    public decimal LambdaRequestsMillion { get; init; } = 0.20m;

    /// <summary>USD per Kinesis Data Streams provisioned shard hour (only with <c>--kinesis-shards</c>).</summary>
    public decimal KinesisShardHour { get; init; } = 0.015m;

    /// <summary>USD per million Kinesis PUT payload units (25 KB each).</summary>
    public decimal KinesisPutUnitsMillion { get; init; } = 0.014m;

    // One entry per price: its name on the command line and in --json, how to read it, how to set it.
    private static readonly (string Name, Func<ObserverPrices, decimal> Get, Func<ObserverPrices, decimal, ObserverPrices> Set)[] Table =
    [
        ("customMetricMonth", p => p.CustomMetricMonth, (p, v) => p with { CustomMetricMonth = v }),
        ("logIngestionGb", p => p.LogIngestionGb, (p, v) => p with { LogIngestionGb = v }),
        ("logStorageGbMonth", p => p.LogStorageGbMonth, (p, v) => p with { LogStorageGbMonth = v }),
        ("dashboardMonth", p => p.DashboardMonth, (p, v) => p with { DashboardMonth = v }),
        ("alarmMetricMonth", p => p.AlarmMetricMonth, (p, v) => p with { AlarmMetricMonth = v }),
        ("insightRuleMonth", p => p.InsightRuleMonth, (p, v) => p with { InsightRuleMonth = v }),
        ("insightMatchedEventsMillion", p => p.InsightMatchedEventsMillion, (p, v) => p with { InsightMatchedEventsMillion = v }),
        ("dynamoDbWriteMillion", p => p.DynamoDbWriteMillion, (p, v) => p with { DynamoDbWriteMillion = v }),
        ("dynamoDbReadMillion", p => p.DynamoDbReadMillion, (p, v) => p with { DynamoDbReadMillion = v }),
        ("dynamoDbStorageGbMonth", p => p.DynamoDbStorageGbMonth, (p, v) => p with { DynamoDbStorageGbMonth = v }),
        ("lambdaGbSecond", p => p.LambdaGbSecond, (p, v) => p with { LambdaGbSecond = v }),
        ("lambdaRequestsMillion", p => p.LambdaRequestsMillion, (p, v) => p with { LambdaRequestsMillion = v }),
        ("kinesisShardHour", p => p.KinesisShardHour, (p, v) => p with { KinesisShardHour = v }),
        ("kinesisPutUnitsMillion", p => p.KinesisPutUnitsMillion, (p, v) => p with { KinesisPutUnitsMillion = v }),
    ];

    /// <summary>The price names <see cref="With"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToList();

    /// <summary>Every price by its <see cref="Names"/> name.</summary>
    public IReadOnlyList<KeyValuePair<string, decimal>> All => Table.Select(t => new KeyValuePair<string, decimal>(t.Name, t.Get(this))).ToList();

    /// <summary>A copy with one price replaced; <paramref name="name"/> is one of <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name or a negative value.</exception>
    public ObserverPrices With(string name, decimal value)
    {
        var entry = Table.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
        if (entry.Name is null)
        {
            throw new ArgumentException($"unknown price '{name}' (known: {string.Join(", ", Names)})", nameof(name));
        }

        if (value < 0)
        {
            throw new ArgumentException($"price '{name}' must not be negative", nameof(value));
        }

        return entry.Set(this, value);
    }
}
