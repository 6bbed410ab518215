using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// The single table's layout: the one type that builds and parses every key. <c>pk</c> (S, HASH)
/// names a time bucket or an item family, <c>sk</c> (S, RANGE) the item within it, so "every key
/// of a prefix in a window" is one Query per bucket and "one key over time" is a BatchGetItem:
/// <list type="bullet">
/// <item><c>F#2026-11-05T10:05</c> / dimension key — fine 5-minute aggregate (counters, <c>batches</c> SS, <c>expiresAt</c>).</item>
/// <item><c>F#2026-11-05T10:05</c> / <c>#w#</c> and a window label (<c>#w#2026-11-05T10:10</c>) — a deferred roll-up's
/// packed item: the bucket's long-lived keys of that window's merged batch (<c>pack</c>: the <c>AggregateBatchCodec</c>
/// encoding, B; <c>expiresAt</c>: the fine items' retention), written whole by PutItem. Dimension keys never start
/// with <c>#</c>, and <c>#</c> sorts before them, so <c>begins_with(sk, "#")</c> selects exactly a bucket's packs;
/// readers of fine items add them to the per-key items of the same bucket.</item>
/// <item><c>M#hours</c> / hour label (<c>2026-11-05T10</c>) — an hour mark (<c>v</c>: version, every write
/// touching the hour ADDs 1; <c>expiresAt</c>): maintenance re-rolls every marked completed hour.</item>
/// <item><c>P#2026-11-05T10:05</c> / batch id — a deferred-mode delivery's delta for that 5-minute window (<c>delta</c>: the
/// <c>AggregateBatchCodec</c> encoding, B; <c>expiresAt</c>), merged into the fine items by the evaluator's roll-up.</item>
/// <item><c>H#2026-11-05T10</c> / dimension key — hourly rollup (counters, <c>expiresAt</c>).</item>
/// <item><c>D#2026-11-05</c> / dimension key — daily rollup (counters, <c>expiresAt</c>).</item>
/// <item><c>B#2026-11-05</c> / dimension key — baseline for that day (<c>historyDays</c>, <c>warmingUp</c>, <c>daily</c>, <c>how</c>, <c>expiresAt</c>).</item>
/// <item><c>M#maintenance</c> / watermark name — a maintenance watermark (<c>hour</c>, epoch seconds of the
/// start of the last hour fully rolled up; no <c>expiresAt</c>: one small item per name, and a lost one
/// only makes the next run start from the recent hours again). Name <c>deltas</c>: the roll-up watermark
/// (<c>window</c>, epoch seconds of the start of the last 5-minute window rolled up).</item>
/// <item><c>alertstate</c> / <c>group#</c>group id — an alert group's notification state (<c>version</c>,
/// <c>state</c>, <c>pendingId</c>, <c>leaseUntil</c>, <c>expiresAt</c>).</item>
/// <item><c>deploy#bedrock-logging</c> / region — the Bedrock logging configuration the stack replaced.</item>
/// </list>
/// <c>expiresAt</c> (N, epoch seconds) is the table's TTL attribute. The item table of
/// docs/data-model.md is checked against this type by <c>TableLayoutTests</c>.
/// </summary>
public static class TableLayout
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    public const string ExpiresAt = "expiresAt";

    // Aggregates and baselines.
    public const string Batches = "batches";
    public const string HistoryDays = "historyDays";
    public const string WarmingUp = "warmingUp";
    public const string DailyStats = "daily";
    public const string HourOfWeekStats = "how";

    // Maintenance watermarks.
    public const string MaintenancePartition = "M#maintenance";
    public const string WatermarkHour = "hour";

    // Deferred-mode deltas and their roll-up watermark (an M#maintenance item).
    public const string DeltaPrefix = "P#";
    public const string Delta = "delta";
    public const string DeltaWatermarkName = "deltas";
    public const string WatermarkWindow = "window";

    // Deferred roll-ups' packed items in fine partitions: sort key "#w#" + window label, the encoded keys in "pack".
    public const string PackSortKeyPrefix = "#";
    public const string Pack = "pack";
    private const string PackWindowPrefix = "#w#";

    // Hour marks: the hours writes touched since maintenance last rolled them up.
    public const string HourMarksPartition = "M#hours";
    public const string MarkVersion = "v";

    // Alert group state.
    public const string AlertStatePartition = "alertstate";
    public const string AlertGroupPrefix = "group#";
    public const string Version = "version";
    public const string State = "state";
    public const string PendingId = "pendingId";
    public const string LeaseUntil = "leaseUntil";

    // The Bedrock logging configuration replaced at deploy (sort key: the region).
    public const string LoggingBackupPartition = "deploy#bedrock-logging";
    public const string LoggingConfig = "loggingConfig";
    public const string SavedAt = "savedAt";

    // The quality join index: one item per tagged request or trace (Quality.IndexedRequest), kept for the join window.
    public const string JoinPrefix = "J#";
    public const string JoinSortKey = "join";
    public const string JoinAt = "at";
    public const string JoinFeature = "feature";
    public const string JoinVariant = "variant";

    /// <summary>Prefix of a join entry's per-delivery cost attributes (<c>c_</c> + the delivery's marker): idempotent per delivery, summed on read.</summary>
    public const string JoinCostPrefix = "c_";

    private const string BaselinePrefix = "B#";

    /// <summary>The partition of a join entry: <c>J#</c> and the entry id (<c>r#&lt;requestId&gt;</c>, <c>t#&lt;traceId&gt;</c>).</summary>
    public static string JoinPartition(string entryId) => JoinPrefix + entryId;

    /// <summary>The partition of an aggregate bucket: <c>F#</c>, <c>H#</c> or <c>D#</c> and the bucket's label.</summary>
    public static string AggregatePartition(Granularity granularity, DateTimeOffset bucketStart) =>
        GranularityPrefix(granularity) + Buckets.Label(bucketStart, granularity);

    /// <summary>The partition of a deferred-mode window's deltas: <c>P#</c> and the window's 5-minute label.</summary>
    public static string DeltaPartition(DateTimeOffset window) => DeltaPrefix + Buckets.Label(Buckets.StartOf(window, Granularity.Fine), Granularity.Fine);

    /// <summary>The window (its start, UTC) of a delta partition.</summary>
    /// <exception cref="FormatException">Not a delta partition.</exception>
    public static DateTimeOffset ParseDeltaPartition(string partition) =>
        partition.StartsWith(DeltaPrefix, StringComparison.Ordinal) && Buckets.TryParseLabel(partition.AsSpan(DeltaPrefix.Length), Granularity.Fine, out var window)
            ? window
            : throw new FormatException($"Not a delta partition: '{partition}'.");

    /// <summary>The granularity and bucket start of an aggregate partition.</summary>
    /// <exception cref="FormatException">Not an aggregate partition.</exception>
    public static (Granularity Granularity, DateTimeOffset Start) ParseAggregatePartition(string partition)
    {
        foreach (var granularity in (ReadOnlySpan<Granularity>)[Granularity.Fine, Granularity.Hourly, Granularity.Daily])
        {
            var prefix = GranularityPrefix(granularity);
            if (partition.StartsWith(prefix, StringComparison.Ordinal) && Buckets.TryParseLabel(partition.AsSpan(prefix.Length), granularity, out var start))
            {
                return (granularity, start);
            }
        }

        throw new FormatException($"Not an aggregate partition: '{partition}'.");
    }

    /// <summary>The partition of the baselines computed for one day.</summary>
    public static string BaselinePartition(DateOnly day) => BaselinePrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The day of a baseline partition.</summary>
    /// <exception cref="FormatException">Not a baseline partition.</exception>
    public static DateOnly ParseBaselinePartition(string partition) =>
        partition.StartsWith(BaselinePrefix, StringComparison.Ordinal) &&
        DateOnly.TryParseExact(partition.AsSpan(BaselinePrefix.Length), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new FormatException($"Not a baseline partition: '{partition}'.");

    /// <summary>
    /// The sort key of a deferred roll-up's packed item in a fine partition: <c>#w#</c> and the window's
    /// 5-minute label. Never an aggregate key (those never start with <c>#</c>).
    /// </summary>
    public static string PackSortKey(DateTimeOffset window) => PackWindowPrefix + Buckets.Label(Buckets.StartOf(window, Granularity.Fine), Granularity.Fine);

    /// <summary>True for the sort key of a packed item (every sort key in a fine partition that starts with <c>#</c>).</summary>
    public static bool IsPackSortKey(string sortKey) => sortKey.StartsWith(PackSortKeyPrefix, StringComparison.Ordinal);

    /// <summary>The window (its start, UTC) of a packed item's sort key.</summary>
    /// <exception cref="FormatException">Not a pack sort key.</exception>
    public static DateTimeOffset ParsePackSortKey(string sortKey) =>
        sortKey.StartsWith(PackWindowPrefix, StringComparison.Ordinal) && Buckets.TryParseLabel(sortKey.AsSpan(PackWindowPrefix.Length), Granularity.Fine, out var window)
            ? window
            : throw new FormatException($"Not a pack sort key: '{sortKey}'.");

    /// <summary>The sort key of an hour mark: the hour's label (<c>2026-11-05T10</c>, UTC).</summary>
    public static string HourMarkSortKey(DateTimeOffset hour) => Buckets.Label(Buckets.StartOf(hour, Granularity.Hourly), Granularity.Hourly);

    /// <summary>The hour (its start, UTC) of an hour mark's sort key.</summary>
    /// <exception cref="FormatException">Not an hour label.</exception>
    public static DateTimeOffset ParseHourMarkSortKey(string sortKey) =>
        Buckets.TryParseLabel(sortKey.AsSpan(), Granularity.Hourly, out var hour)
            ? hour
            : throw new FormatException($"Not an hour mark sort key: '{sortKey}'.");

    /// <summary>The sort key of an alert group's state item (<c>group#</c> and the group id).</summary>
    public static string AlertGroupSortKey(string groupId) => AlertGroupPrefix + groupId;

    /// <summary>The group id of an alert group's sort key.</summary>
    /// <exception cref="FormatException">Not an alert group sort key.</exception>
    public static string ParseAlertGroupSortKey(string sortKey) =>
        sortKey.StartsWith(AlertGroupPrefix, StringComparison.Ordinal)
            ? sortKey[AlertGroupPrefix.Length..]
            : throw new FormatException($"Not an alert group sort key: '{sortKey}'.");

    public static string GranularityPrefix(Granularity granularity) => granularity switch
    {
        Granularity.Fine => "F#",
        Granularity.Hourly => "H#",
        Granularity.Daily => "D#",
        _ => throw new ArgumentOutOfRangeException(nameof(granularity)),
    };

    /// <summary>The primary key of one item.</summary>
    public static Dictionary<string, AttributeValue> Key(string partition, string sortKey) => new()
    {
        [PartitionKey] = new AttributeValue { S = partition },
        [SortKey] = new AttributeValue { S = sortKey },
    };

    /// <summary>True for aggregate attributes that are not counters.</summary>
    public static bool IsReserved(string attribute) =>
        attribute is PartitionKey or SortKey or ExpiresAt or Batches or Pack;

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
