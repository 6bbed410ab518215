using System.Reflection;
using System.Text.RegularExpressions;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Quality;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// <see cref="TableLayout"/> is the one definition of the table's keys: it round-trips every key
/// it builds, and the template's key schema and the item table of docs/data-model.md are checked
/// against it (the test tables are created from its CreateTableRequest).
/// </summary>
public sealed partial class TableLayoutTests
{
    private static readonly DateTimeOffset Bucket = new(2026, 11, 5, 10, 5, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(Granularity.Fine, "2026-11-05T10:05:00Z", "F#2026-11-05T10:05")]
    [InlineData(Granularity.Hourly, "2026-11-05T10:00:00Z", "H#2026-11-05T10")]
    [InlineData(Granularity.Daily, "2026-11-05T00:00:00Z", "D#2026-11-05")]
    public void AggregatePartition_ShouldRoundTrip(Granularity granularity, string start, string expected)
    {
        var bucketStart = DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture);

        var partition = TableLayout.AggregatePartition(granularity, bucketStart);

        Assert.Equal(expected, partition);
        Assert.Equal((granularity, bucketStart), TableLayout.ParseAggregatePartition(partition));
    }

    [Theory]
    [InlineData("B#2026-11-05")]
    [InlineData("F#2026-11-05")]
    [InlineData("H#2026-11-05T10:05")]
    [InlineData("X#2026-11-05")]
    [InlineData("alertstate")]
    [InlineData("")]
    public void ParseAggregatePartition_WhenNotAnAggregatePartition_ShouldThrowFormatException(string partition)
    {
        Assert.Throws<FormatException>(() => TableLayout.ParseAggregatePartition(partition));
    }

    [Fact]
    public void BaselinePartitionAndAlertGroupSortKey_ShouldRoundTrip()
    {
        var day = new DateOnly(2026, 11, 5);
        Assert.Equal("B#2026-11-05", TableLayout.BaselinePartition(day));
        Assert.Equal(day, TableLayout.ParseBaselinePartition("B#2026-11-05"));
        Assert.Throws<FormatException>(() => TableLayout.ParseBaselinePartition("D#2026-11-05"));

        var groupId = AlertGroupKeys.GroupId("pagerduty", "{}:{alertname=\"ErrorRateHigh\"}");
        Assert.Equal("group#pagerduty#{}:{alertname=\"ErrorRateHigh\"}", TableLayout.AlertGroupSortKey(groupId));
        Assert.Equal(groupId, TableLayout.ParseAlertGroupSortKey(TableLayout.AlertGroupSortKey(groupId)));
        Assert.Throws<FormatException>(() => TableLayout.ParseAlertGroupSortKey("oneshot:pagerduty#abc"));
    }

    [Fact]
    public void DeltaPartition_ShouldRoundTripTheWindow()
    {
        Assert.Equal("P#2026-11-05T10:05", TableLayout.DeltaPartition(Bucket));
        Assert.Equal("P#2026-11-05T10:05", TableLayout.DeltaPartition(Bucket.AddMinutes(4).AddSeconds(59)));
        Assert.Equal(Bucket, TableLayout.ParseDeltaPartition(TableLayout.DeltaPartition(Bucket)));
        Assert.Throws<FormatException>(() => TableLayout.ParseDeltaPartition("F#2026-11-05T10:05"));
        Assert.Throws<FormatException>(() => TableLayout.ParseDeltaPartition("P#2026-11-05"));
    }

    [Fact]
    public void PackSortKey_ShouldRoundTripTheWindowAndNeverBeAnAggregateKey()
    {
        Assert.Equal("#w#2026-11-05T10:05", TableLayout.PackSortKey(Bucket.AddMinutes(4).AddSeconds(59)));
        Assert.Equal(Bucket, TableLayout.ParsePackSortKey(TableLayout.PackSortKey(Bucket)));
        Assert.True(TableLayout.IsPackSortKey(TableLayout.PackSortKey(Bucket)));
        Assert.Throws<FormatException>(() => TableLayout.ParsePackSortKey("#w#2026-11-05T10"));
        Assert.Throws<FormatException>(() => TableLayout.ParsePackSortKey("total"));

        // Every aggregate key starts with one of AggregateKeys' prefixes or is "total": none is a pack's,
        // and "#" sorts before all of them, so a bucket's packs come first in its partition.
        var keys = typeof(AggregateKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()! + "value")
            .Append(AggregateKeys.Total)
            .ToList();
        Assert.Contains(AggregateKeys.Session("s-1")[..8] + "value", keys);
        Assert.All(keys, key => Assert.False(TableLayout.IsPackSortKey(key), key));
        Assert.All(keys, key => Assert.True(string.CompareOrdinal(TableLayout.PackSortKey(Bucket), key) < 0, key));
    }

    [Fact]
    public void HourMarkSortKey_ShouldRoundTripTheHour()
    {
        var hour = new DateTimeOffset(2026, 11, 5, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal("2026-11-05T10", TableLayout.HourMarkSortKey(hour));
        Assert.Equal("2026-11-05T10", TableLayout.HourMarkSortKey(hour.AddMinutes(59).AddSeconds(59)));
        Assert.Equal(hour, TableLayout.ParseHourMarkSortKey(TableLayout.HourMarkSortKey(hour)));
        Assert.Equal("M#hours", TableLayout.HourMarksPartition);
        Assert.Throws<FormatException>(() => TableLayout.ParseHourMarkSortKey("2026-11-05T10:05"));
        Assert.Throws<FormatException>(() => TableLayout.ParseHourMarkSortKey("group#x"));
    }

    [Fact]
    public void Template_ShouldDeclareTheTableLayoutsKeySchemaAndTtlAttribute()
    {
        var table = TemplateDocument.LoadRepositoryTemplate().Resources["AggregatesTable"].Properties;
        var request = TableLayout.CreateTableRequest("t");

        var keySchema = ((List<object?>)table["KeySchema"]!).Cast<Dictionary<string, object?>>().Select(k => ((string)k["AttributeName"]!, (string)k["KeyType"]!));
        Assert.Equal(request.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)), keySchema);
        var attributes = ((List<object?>)table["AttributeDefinitions"]!).Cast<Dictionary<string, object?>>().Select(a => ((string)a["AttributeName"]!, (string)a["AttributeType"]!));
        Assert.Equal(request.AttributeDefinitions.Select(a => (a.AttributeName, a.AttributeType.Value)), attributes);
        Assert.Equal(TableLayout.ExpiresAt, ((Dictionary<string, object?>)table["TimeToLiveSpecification"]!)["AttributeName"]);
        Assert.Equal((TableLayout.PartitionKey, TableLayout.SortKey), (request.KeySchema[0].AttributeName, request.KeySchema[1].AttributeName));
    }

    [Fact]
    public void DataModelDocTable_ShouldShowTheKeysTableLayoutBuilds()
    {
        var rows = DataModelDocRows();
        var expected = new (string Item, string Partition, string[] SortKeys)[]
        {
            ("fine aggregate", TableLayout.AggregatePartition(Granularity.Fine, Bucket), ["<dimension key>"]),
            ("packed roll-up window (deferred)", TableLayout.AggregatePartition(Granularity.Fine, Bucket), [TableLayout.PackSortKey(Bucket)]),
            ("deferred delta (`GENAIOBS_AGGREGATE_WRITES=deferred`)", TableLayout.DeltaPartition(Bucket), ["<batch id>"]),
            ("hour mark", TableLayout.HourMarksPartition, [TableLayout.HourMarkSortKey(Bucket)]),
            ("hourly rollup", TableLayout.AggregatePartition(Granularity.Hourly, Buckets.StartOf(Bucket, Granularity.Hourly)), ["<dimension key>"]),
            ("daily rollup", TableLayout.AggregatePartition(Granularity.Daily, Buckets.StartOf(Bucket, Granularity.Daily)), ["<dimension key>"]),
            ("baseline", TableLayout.BaselinePartition(DateOnly.FromDateTime(Bucket.UtcDateTime)), ["<dimension key>"]),
            ("maintenance watermark", TableLayout.MaintenancePartition, [new MaintenanceSettings().WatermarkName]),
            ("delta roll-up watermark", TableLayout.MaintenancePartition, [TableLayout.DeltaWatermarkName]),
            ("alert group state", TableLayout.AlertStatePartition,
                [TableLayout.AlertGroupSortKey(AlertGroupKeys.GroupId("<receiver>", "<group key>")), TableLayout.AlertGroupSortKey(OneShotPlanner.GroupIdPrefix + "<receiver>#<fingerprint>")]),
            ("replaced Bedrock logging configuration", TableLayout.LoggingBackupPartition, ["<region>"]),
            ("quality join entry (tagged request or trace)", TableLayout.JoinPartition(IndexedRequest.ForRequest("<requestId>")), [TableLayout.JoinSortKey]),
        };

        Assert.Equal(expected.Select(e => e.Item), rows.Select(r => r.Item));
        foreach (var (row, want) in rows.Zip(expected))
        {
            Assert.Equal(want.Partition, row.Partition);
            Assert.Equal(want.SortKeys, row.SortKeys);
        }

        // Every attribute the document names is one TableLayout defines.
        var defined = typeof(TableLayout).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(rows.SelectMany(r => r.Attributes), attribute => Assert.Contains(attribute, defined));
    }

    private static List<(string Item, string Partition, string[] SortKeys, string[] Attributes)> DataModelDocRows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "data-model.md"));
        var header = Array.FindIndex(lines, line => line.StartsWith("| item | pk | sk | attributes |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/data-model.md has no item table");
        return lines.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .Select(cells => (cells[1], Code(cells[2])[0], Code(cells[3]), Code(cells[4])))
            .ToList();
    }

    private static string[] Code(string cell) => [.. CodeSpan().Matches(cell).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}
