using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// The single table's layout. <c>pk</c> (S, HASH) names a time bucket, <c>sk</c> (S, RANGE) a
/// dimension key, so "every key of a prefix in a window" is one Query per bucket and "one key
/// over time" is a BatchGetItem:
/// <list type="bullet">
/// <item><c>F#2026-11-05T10:05</c> / key — fine 5-minute aggregate (counters, <c>batches</c> SS, <c>expiresAt</c>).</item>
/// <item><c>H#2026-11-05T10</c> / key — hourly rollup (counters, <c>expiresAt</c>).</item>
/// <item><c>D#2026-11-05</c> / key — daily rollup (counters, <c>expiresAt</c>).</item>
/// <item><c>B#2026-11-05</c> / key — baseline for that day (<c>historyDays</c>, <c>warmingUp</c>, <c>daily</c>, <c>how</c>, <c>expiresAt</c>).</item>
/// </list>
/// <item><c>M#maintenance</c> / name — a maintenance watermark (<c>hour</c> N, epoch seconds of the
/// start of the last hour fully rolled up; no <c>expiresAt</c>: one small item per name, and a lost one
/// only makes the next run start from the recent hours again).</item>
/// Other pk prefixes are free for other item types (e.g. alert state). Every item has
/// <c>expiresAt</c> (N, epoch seconds), the table's TTL attribute.
/// </summary>
public static class AggregateTable
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    public const string ExpiresAt = "expiresAt";
    public const string Batches = "batches";
    public const string HistoryDays = "historyDays";
    public const string WarmingUp = "warmingUp";
    public const string DailyStats = "daily";
    public const string HourOfWeekStats = "how";
    public const string MaintenancePartition = "M#maintenance";
    public const string WatermarkHour = "hour";

    /// <summary>Hour marks: pk <c>M#hours</c>, sk the hour label (<c>2026-11-05T10</c>), <c>v</c> (N, version), <c>expiresAt</c>.</summary>
    public const string HourMarksPartition = "M#hours";
    public const string MarkVersion = "v";

    public static string PartitionOf(Granularity granularity, DateTimeOffset bucketStart) =>
        GranularityPrefix(granularity) + Buckets.Label(bucketStart, granularity);

    public static string BaselinePartition(DateOnly day) => "B#" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string GranularityPrefix(Granularity granularity) => granularity switch
    {
        Granularity.Fine => "F#",
        Granularity.Hourly => "H#",
        Granularity.Daily => "D#",
        _ => throw new ArgumentOutOfRangeException(nameof(granularity)),
    };

    /// <summary>True for attributes that are not counters.</summary>
    public static bool IsReserved(string attribute) =>
        attribute is PartitionKey or SortKey or ExpiresAt or Batches;

    /// <summary>The CreateTable request (the same key schema as template.yaml).</summary>
    public static CreateTableRequest CreateTableRequest(string tableName) => new()
    {
        TableName = tableName,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions =
        [
            new AttributeDefinition(PartitionKey, ScalarAttributeType.S),
            new AttributeDefinition(SortKey, ScalarAttributeType.S),
        ],
        KeySchema =
        [
            new KeySchemaElement(PartitionKey, KeyType.HASH),
            new KeySchemaElement(SortKey, KeyType.RANGE),
        ],
    };

    /// <summary>
    /// Creates the table when it does not exist and waits until it is ACTIVE; then turns TTL on
    /// <c>expiresAt</c> where the endpoint supports it (dynalite has no TTL API). Returns what happened.
    /// </summary>
    public static async Task<TableCreation> CreateAsync(IAmazonDynamoDB client, string tableName, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var created = true;
        try
        {
            await client.CreateTableAsync(CreateTableRequest(tableName), cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            created = false;
        }

        for (var attempt = 0; ; attempt++)
        {
            var description = await client.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false);
            if (description.Table.TableStatus == TableStatus.ACTIVE)
            {
                break;
            }

            if (attempt > 600)
            {
                throw new TimeoutException($"Table {tableName} did not become ACTIVE.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        bool ttlEnabled;
        try
        {
            await client.UpdateTimeToLiveAsync(
                new UpdateTimeToLiveRequest
                {
                    TableName = tableName,
                    TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = ExpiresAt, Enabled = true },
                },
                cancellationToken).ConfigureAwait(false);
            ttlEnabled = true;
        }
        catch (AmazonDynamoDBException exception) when (exception.ErrorCode is "UnknownOperationException" or "ValidationException")
        {
            // dynalite: no TTL API; "ValidationException": TTL already enabled on a real table.
            ttlEnabled = exception.ErrorCode == "ValidationException";
        }

        return new TableCreation(created, ttlEnabled);
    }
}

/// <summary>The outcome of <see cref="AggregateTable.CreateAsync"/>.</summary>
/// <param name="Created">False when the table already existed.</param>
/// <param name="TtlEnabled">False when the endpoint has no TTL API (dynalite).</param>
public sealed record TableCreation(bool Created, bool TtlEnabled);
