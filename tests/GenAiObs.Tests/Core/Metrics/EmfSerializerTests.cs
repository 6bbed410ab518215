using System.Text;
using GenAiObs.Core.Metrics;
using Xunit;

namespace GenAiObs.Tests.Metrics;

public sealed class EmfSerializerTests
{
    private const long Minute = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    private static readonly DimensionSet ByModel = DimensionSet.Of(("Service", "genai"), ("ModelId", "anthropic.claude-3-haiku-20240307-v1:0"));

    [Fact]
    public void Serialize_WhenGroupIsSmall_ShouldWriteOneSpecConformingDocument()
    {
        var batch = new MetricBatch();
        batch.AddCount(ByModel, "Invocations", 1, Minute + 1_000);
        batch.AddCount(ByModel, "Invocations", 2, Minute + 59_000);
        batch.AddObservation(ByModel, "InvocationLatency", 120, Minute + 5_000);
        batch.AddObservation(ByModel, "InvocationLatency", 80, Minute + 6_000);
        batch.AddCount(ByModel, "CostUsd", 0.0125, Minute + 6_000, MetricUnit.None);

        var documents = EmfSpec.ParseAll(new EmfSerializer("GenAI/Observability").Serialize(batch));

        var document = Assert.Single(documents);
        Assert.Equal(Minute, document.Timestamp);
        Assert.Equal("GenAI/Observability", document.Namespace);
        Assert.Equal(["Service", "ModelId"], Assert.Single(document.DimensionSets));
        Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0", document.Dimensions["ModelId"]);
        Assert.Equal([("CostUsd", "None"), ("InvocationLatency", "Milliseconds"), ("Invocations", "Count")], document.Definitions);
        Assert.Equal([3.0], document.Values["Invocations"]);
        Assert.Equal([120.0, 80.0], document.Values["InvocationLatency"]);
        Assert.Equal([0.0125], document.Values["CostUsd"]);
    }

    [Fact]
    public void Serialize_WhenGroupHasProperties_ShouldWriteThemAsMembersButNeverAsDimensionsOrMetrics()
    {
        var batch = new MetricBatch();
        var service = batch.Dimensions("Service", "genai");
        var alice = batch.WithProperties(service, [("Principal", "role/alice"), ("ModelId", "model-a"), ("Team", null)]);
        var bob = batch.WithProperties(service, [("Principal", "role/bob"), ("ModelId", "model-a")]);
        batch.AddCount(alice, "CostUsd", 0.25, 1_000, MetricUnit.None);
        batch.AddCount(alice, "CostUsd", 0.5, 2_000, MetricUnit.None);
        batch.AddProperty(alice, "Tokens", 100, 1_000);
        batch.AddProperty(alice, "Tokens", 50, 2_000);
        batch.AddCount(bob, "CostUsd", 1, 3_000, MetricUnit.None);

        var documents = EmfSpec.ParseAll(new EmfSerializer().Serialize(batch));

        Assert.Equal(2, documents.Count);
        Assert.All(documents, d => Assert.Equal(["Service"], d.DimensionSets.Single()));
        Assert.All(documents, d => Assert.Equal(["CostUsd"], d.Definitions.Select(x => x.Name)));
        var first = Assert.Single(documents, d => d.Properties.GetValueOrDefault("Principal") == "role/alice");
        Assert.Equal(0.75, first.Values["CostUsd"].Single(), 12);
        Assert.Equal(150, first.PropertyValues["Tokens"]);
        Assert.Equal("model-a", first.Properties["ModelId"]);
        Assert.False(first.Properties.ContainsKey("Team"));
        Assert.Same(alice, batch.WithProperties(service, [("Principal", "role/alice"), ("ModelId", "model-a")]));
        Assert.NotEqual(service, alice);
    }

    [Fact]
    public void Serialize_WhenDefinitionsAreWritten_ShouldLeaveOutTheSpecificationsDefaults()
    {
        var batch = new MetricBatch();
        batch.AddCount(ByModel, "Invocations", 1, Minute);
        batch.AddCount(ByModel, "CostUsd", 0.5, Minute, MetricUnit.None);

        var line = Encoding.UTF8.GetString(Assert.Single(new EmfSerializer().Serialize(batch)));

        // EMF specification: Unit defaults to None and StorageResolution to 60 (standard resolution).
        using var json = System.Text.Json.JsonDocument.Parse(line);
        var directive = json.RootElement.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        var definitions = directive.GetProperty("Metrics").EnumerateArray().ToDictionary(d => d.GetProperty("Name").GetString()!);
        Assert.Equal("Count", definitions["Invocations"].GetProperty("Unit").GetString());
        Assert.False(definitions["CostUsd"].TryGetProperty("Unit", out _));
        Assert.All(definitions.Values, d => Assert.False(d.TryGetProperty("StorageResolution", out _)));
        Assert.All(definitions.Values, d => Assert.Single(d.EnumerateObject(), m => m.Name == "Name"));
        Assert.Equal(EmfSerializer.DefaultNamespace, directive.GetProperty("Namespace").GetString());
    }

    [Fact]
    public void Serialize_WhenAGroupHasOnlyNumericProperties_ShouldWriteAPlainJsonLineWithoutTheAwsBlock()
    {
        var batch = new MetricBatch();
        var attribution = batch.WithProperties(batch.Dimensions("Service", "genai"), [("Principal", "role/a"), ("Feature", null)]);
        batch.AddProperty(attribution, "CostUsd", 0.25, Minute + 5);
        batch.AddProperty(attribution, "CostUsd", 0.5, Minute + 50);
        batch.AddProperty(attribution, "Invocations", 2, Minute + 5);
        batch.AddCount(batch.Dimensions("Service", "genai"), "Invocations", 2, Minute + 5);

        var lines = new EmfSerializer().Serialize(batch).Select(Encoding.UTF8.GetString).ToList();

        Assert.Equal(2, lines.Count);
        using var plain = System.Text.Json.JsonDocument.Parse(Assert.Single(lines, l => l.Contains("Principal", StringComparison.Ordinal)));
        Assert.False(plain.RootElement.TryGetProperty("_aws", out _));
        Assert.Equal(["Service", "Principal", "CostUsd", "Invocations"], plain.RootElement.EnumerateObject().Select(m => m.Name));
        Assert.Equal(0.75, plain.RootElement.GetProperty("CostUsd").GetDouble(), 12);
        Assert.Equal("role/a", plain.RootElement.GetProperty("Principal").GetString());
        var totals = EmfSpec.Parse(Encoding.UTF8.GetBytes(Assert.Single(lines, l => !l.Contains("Principal", StringComparison.Ordinal))));
        Assert.Equal([("Invocations", "Count")], totals.Definitions);
        Assert.Equal([2.0], totals.Values["Invocations"]);
    }

    [Fact]
    public void Serialize_WhenAGroupHasNoFiniteValue_ShouldWriteNothing()
    {
        var batch = new MetricBatch();
        var attribution = batch.WithProperties(batch.Dimensions("Service", "genai"), [("Principal", "role/a")]);
        batch.AddProperty(attribution, "CostUsd", double.NaN, Minute);

        Assert.Empty(new EmfSerializer().Serialize(batch));
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(101, 2)]
    [InlineData(250, 3)]
    public void Serialize_WhenGroupHasManyMetrics_ShouldSplitAtOneHundredPerDirective(int metricCount, int expectedDocuments)
    {
        var batch = new MetricBatch();
        for (var i = 0; i < metricCount; i++)
        {
            batch.AddCount(ByModel, $"Metric{i:D3}", i, Minute);
        }

        var documents = EmfSpec.ParseAll(new EmfSerializer().Serialize(batch));

        Assert.Equal(expectedDocuments, documents.Count);
        var names = documents.SelectMany(d => d.Definitions.Select(x => x.Name)).ToList();
        Assert.Equal(metricCount, names.Count);
        Assert.Equal(metricCount, names.Distinct().Count());
        Assert.All(documents, d => Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0", d.Dimensions["ModelId"]));
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(101, 2)]
    [InlineData(350, 4)]
    public void Serialize_WhenDistributionHasManyValues_ShouldSpreadValuesOverDocuments(int valueCount, int expectedDocuments)
    {
        var batch = new MetricBatch();
        var expected = Enumerable.Range(0, valueCount).Select(i => (double)(i * 7 % 1000)).ToList();
        foreach (var value in expected)
        {
            batch.AddObservation(ByModel, "InvocationLatency", value, Minute + 10);
        }

        batch.AddCount(ByModel, "Invocations", valueCount, Minute + 10);

        var documents = EmfSpec.ParseAll(new EmfSerializer().Serialize(batch));

        Assert.Equal(expectedDocuments, documents.Count);
        Assert.Equal(expected, documents.SelectMany(d => d.Values["InvocationLatency"]));
        // The counter is written once, not repeated in every split document (that would count it twice).
        Assert.Equal(valueCount, documents.Where(d => d.Values.ContainsKey("Invocations")).Sum(d => d.Values["Invocations"].Single()));
        Assert.Single(documents, d => d.Values.ContainsKey("Invocations"));
    }

    [Fact]
    public void Serialize_WhenGroupExceedsOneLogEvent_ShouldSplitUnder256Kilobytes()
    {
        // 100 metrics × 100 values of ~24 characters each is about 250 KB of values alone, and the
        // long names (written twice: definition and member) push the group past one log event.
        var batch = new MetricBatch();
        for (var m = 0; m < 100; m++)
        {
            for (var v = 0; v < 100; v++)
            {
                batch.AddObservation(ByModel, $"LongMetricName{m:D3}{new string('n', 100)}", -1.2345678901234567E-300 * (v + 1), Minute);
            }
        }

        var lines = new EmfSerializer().Serialize(batch);
        var documents = EmfSpec.ParseAll(lines);

        Assert.True(documents.Count >= 2, $"the group should have been split by size: {string.Join(",", lines.Select(l => l.Length))}");
        Assert.All(lines, line => Assert.True(line.Length <= EmfLimits.Default.MaxDocumentBytes));
        Assert.Equal(100, documents.SelectMany(d => d.Definitions).Count());
        Assert.Equal(10_000, documents.Sum(d => d.Values.Values.Sum(v => v.Length)));
    }

    [Fact]
    public void Serialize_WhenByteLimitIsSmall_ShouldKeepEveryDocumentUnderIt()
    {
        var limits = new EmfLimits(MaxDocumentBytes: 2048);
        var batch = new MetricBatch();
        for (var m = 0; m < 40; m++)
        {
            for (var v = 0; v < 30; v++)
            {
                batch.AddObservation(ByModel, $"M{m:D2}", 1000.125 + v, Minute);
            }
        }

        var lines = new EmfSerializer(limits: limits).Serialize(batch);
        var documents = EmfSpec.ParseAll(lines);

        Assert.All(lines, line => Assert.True(line.Length <= 2048, $"{line.Length} bytes"));
        Assert.Equal(40, documents.SelectMany(d => d.Definitions).Select(d => d.Name).Distinct().Count());
        Assert.Equal(1200, documents.Sum(d => d.Values.Values.Sum(v => v.Length)));
    }

    [Fact]
    public void Serialize_WhenDimensionValueIsLong_ShouldTruncateTo1024Characters()
    {
        var longValue = new string('x', 1023) + "\U0001F600" + new string('y', 50);
        var batch = new MetricBatch();
        batch.AddCount(DimensionSet.Of(("Service", "genai"), ("Team", longValue)), "Invocations", 1, Minute);

        var document = Assert.Single(EmfSpec.ParseAll(new EmfSerializer().Serialize(batch)));

        // The surrogate pair straddling the limit is dropped whole rather than split.
        Assert.Equal(new string('x', 1023), document.Dimensions["Team"]);
    }

    [Fact]
    public void Serialize_WhenDimensionSetHasMoreThan30Keys_ShouldKeepTheFirst30()
    {
        var pairs = Enumerable.Range(0, 35).Select(i => ($"Key{i:D2}", $"v{i}")).ToArray();
        var batch = new MetricBatch();
        batch.AddCount(DimensionSet.Of(pairs), "Invocations", 1, Minute);

        var document = Assert.Single(EmfSpec.ParseAll(new EmfSerializer().Serialize(batch)));

        Assert.Equal(30, Assert.Single(document.DimensionSets).Count);
        Assert.Equal("Key29", document.DimensionSets[0][^1]);
    }

    [Fact]
    public void Serialize_WhenValuesAreNotFinite_ShouldDropThem()
    {
        var batch = new MetricBatch();
        batch.AddObservation(ByModel, "InvocationLatency", double.NaN, Minute);
        batch.AddObservation(ByModel, "InvocationLatency", 42, Minute);
        batch.AddObservation(ByModel, "TimeToFirstToken", double.PositiveInfinity, Minute);

        var document = Assert.Single(EmfSpec.ParseAll(new EmfSerializer().Serialize(batch)));

        Assert.Equal([42.0], document.Values["InvocationLatency"]);
        Assert.False(document.Values.ContainsKey("TimeToFirstToken"));
    }

    [Fact]
    public void Serialize_WhenGroupsSpanMinutes_ShouldStampEachDocumentWithItsMinute()
    {
        var batch = new MetricBatch();
        batch.AddCount(ByModel, "Invocations", 1, Minute + 120_500);
        batch.AddCount(ByModel, "Invocations", 1, Minute + 30_000);

        var documents = EmfSpec.ParseAll(new EmfSerializer().Serialize(batch));

        Assert.Equal([Minute, Minute + 120_000], documents.Select(d => d.Timestamp));
    }

    [Fact]
    public void Serialize_WhenInsertionOrderDiffers_ShouldProduceIdenticalOutput()
    {
        var a = new MetricBatch();
        var b = new MetricBatch();
        var other = DimensionSet.Of(("Service", "genai"), ("ModelId", "amazon.nova-pro-v1:0"));
        a.AddCount(ByModel, "Invocations", 1, Minute);
        a.AddCount(other, "OutputTokens", 5, Minute);
        a.AddCount(other, "Invocations", 1, Minute);
        b.AddCount(other, "Invocations", 1, Minute);
        b.AddCount(other, "OutputTokens", 5, Minute);
        b.AddCount(ByModel, "Invocations", 1, Minute);

        var first = new EmfSerializer().Serialize(a);
        var second = new EmfSerializer().Serialize(b);

        Assert.Equal(first.Select(Convert.ToBase64String), second.Select(Convert.ToBase64String));
    }

    [Fact]
    public void Serialize_WhenDimensionValueHasQuotesAndNonAscii_ShouldRoundTrip()
    {
        var value = "équipe \"ML\" \\ 東京\u0001";
        var batch = new MetricBatch();
        batch.AddCount(DimensionSet.Of(("Service", "genai"), ("Team", value)), "Invocations", 1, Minute);

        var document = Assert.Single(EmfSpec.ParseAll(new EmfSerializer().Serialize(batch)));

        Assert.Equal(value, document.Dimensions["Team"]);
    }

    [Fact]
    public void WriteLines_WhenBatchHasGroups_ShouldWriteOneJsonObjectPerLine()
    {
        var batch = new MetricBatch();
        batch.AddCount(ByModel, "Invocations", 1, Minute);
        batch.AddCount(DimensionSet.Of(("Service", "genai")), "Invocations", 1, Minute + 60_000);
        using var output = new StringWriter();

        var written = new EmfSerializer().WriteLines(batch, output);

        Assert.Equal(2, written);
        Assert.EndsWith("\n", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, EmfSpec.CountLines(output.ToString()));
        Assert.Equal(2, EmfSpec.ParseLines(output.ToString()).Count);
    }

    [Fact]
    public void Serialize_WhenGroupsOfAMinuteShareNoMemberWithAnotherValue_ShouldWriteThemAsOneDocumentWithADirectiveEach()
    {
        var batch = new MetricBatch();
        var total = batch.Dimensions("Service", "genai");
        batch.AddCount(total, "CostUsd", 0.25, Minute, MetricUnit.None);
        batch.AddCount(total, "Invocations", 2, Minute);
        batch.AddCount(batch.Dimensions("Service", "genai", "Environment", "prod"), "CostUsd", 0.25, Minute, MetricUnit.None);
        batch.AddCount(batch.Dimensions("Service", "genai", "Team", "search"), "CostUsd", 0.25, Minute, MetricUnit.None);
        batch.AddCount(batch.Dimensions("Service", "genai", "StopReason", "end_turn"), "StopReasonCount", 2, Minute);

        var lines = new EmfSerializer().Serialize(batch);
        var views = EmfSpec.ParseAll(lines);

        var line = Assert.Single(lines);
        using var json = System.Text.Json.JsonDocument.Parse(line);
        var directives = json.RootElement.GetProperty("_aws").GetProperty("CloudWatchMetrics");
        Assert.Equal(3, directives.GetArrayLength());
        Assert.Equal(4, views.Count);
        Assert.Equal([0.25], views.Single(v => v.HasDimensions(["Service"])).Values["CostUsd"]);
        Assert.Equal([2.0], views.Single(v => v.HasDimensions(["Service"])).Values["Invocations"]);
        Assert.Equal([0.25], views.Single(v => v.HasDimensions(["Service", "Environment"])).Values["CostUsd"]);
        Assert.Equal(["CostUsd"], views.Single(v => v.HasDimensions(["Service", "Team"])).Definitions.Select(d => d.Name));
        Assert.Equal("search", views.Single(v => v.HasDimensions(["Service", "Team"])).Dimensions["Team"]);
        Assert.Equal([2.0], views.Single(v => v.HasDimensions(["Service", "StopReason"])).Values["StopReasonCount"]);
        Assert.All(views, v => Assert.Empty(v.Properties));
        Assert.All(views, v => Assert.Empty(v.PropertyValues));
    }

    [Fact]
    public void Serialize_WhenGroupsOfAMinuteHoldDifferentValuesOfOneMember_ShouldKeepThemInSeparateDocuments()
    {
        var batch = new MetricBatch();
        batch.AddCount(batch.Dimensions("Service", "genai"), "CostUsd", 0.75, Minute, MetricUnit.None);
        batch.AddCount(batch.Dimensions("Service", "genai", "ModelId", "model-a"), "CostUsd", 0.25, Minute, MetricUnit.None);
        batch.AddCount(batch.Dimensions("Service", "genai", "ModelId", "model-b"), "CostUsd", 0.5, Minute, MetricUnit.None);
        batch.AddCount(batch.Dimensions("Service", "other-service"), "Invocations", 1, Minute);

        var lines = new EmfSerializer().Serialize(batch);
        var views = EmfSpec.ParseAll(lines);

        // CostUsd differs between the first three, ModelId between the model groups, Service for the last.
        Assert.Equal(4, lines.Count);
        Assert.Equal([0.25], views.Single(v => v.HasDimensions(["Service", "ModelId"]) && v.Dimensions["ModelId"] == "model-a").Values["CostUsd"]);
        Assert.Equal([0.5], views.Single(v => v.HasDimensions(["Service", "ModelId"]) && v.Dimensions["ModelId"] == "model-b").Values["CostUsd"]);
        Assert.Equal([0.75], views.Single(v => v.HasDimensions(["Service"]) && v.Dimensions["Service"] == "genai").Values["CostUsd"]);
    }

    [Fact]
    public void Serialize_WhenAGroupHasProperties_ShouldNeverShareItsDocument()
    {
        var batch = new MetricBatch();
        var total = batch.Dimensions("Service", "genai");
        var attribution = batch.WithProperties(total, [("Principal", "role/alice"), ("ModelId", "model-a")]);
        batch.AddProperty(attribution, "CostUsd", 0.25, Minute);
        batch.AddCount(total, "CostUsd", 0.25, Minute, MetricUnit.None);
        batch.AddCount(batch.Dimensions("Service", "genai", "ModelId", "model-a"), "CostUsd", 0.25, Minute, MetricUnit.None);

        var lines = new EmfSerializer().Serialize(batch).Select(Encoding.UTF8.GetString).ToList();

        // Logs Insights and Contributor Insights select attribution lines by their members: they keep exactly their own.
        Assert.Equal(2, lines.Count);
        var plain = EmfSpec.Parse(Encoding.UTF8.GetBytes(Assert.Single(lines, l => l.Contains("Principal", StringComparison.Ordinal))));
        Assert.False(plain.HasDirective);
        Assert.Equal(["CostUsd"], plain.PropertyValues.Keys);
        Assert.Equal(["ModelId", "Principal", "Service"], plain.Properties.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Serialize_WhenCountersSumDecimalAmounts_ShouldWriteFifteenSignificantDigits()
    {
        var batch = new MetricBatch();
        var total = batch.Dimensions("Service", "genai");
        batch.AddCount(total, "CostUsd", 0.0035439599999999996, Minute, MetricUnit.None);
        batch.AddObservation(total, "TimeToFirstToken", 1686.25, Minute);

        var line = Encoding.UTF8.GetString(Assert.Single(new EmfSerializer().Serialize(batch)));

        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("0.00354396", json.RootElement.GetProperty("CostUsd").GetRawText());
        Assert.Equal(1686.25, json.RootElement.GetProperty("TimeToFirstToken").GetDouble());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-999_999_999_999_999.0)]
    [InlineData(42.0)]
    [InlineData(-7.0)]
    [InlineData(999_999_999_999_999.0)]
    [InlineData(1e15)]
    [InlineData(1_234_567_890_123_456.0)]
    [InlineData(9_007_199_254_740_993.0)]
    [InlineData(0.0035439599999999996)]
    [InlineData(1686.25)]
    public void Significant_ForIntegersAndFractions_ShouldEqualTheFifteenDigitRoundTrip(double value)
    {
        var expected = double.Parse(value.ToString("G15", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

        var actual = EmfSerializer.Significant(value);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
    }

    [Fact]
    public void WriteLines_WhenADeliveryHasThousandsOfAttributionGroups_ShouldShareOnlyTheLinesWithoutProperties()
    {
        // A large delivery's shape: per minute, a totals group, a few model groups and a thousand
        // attribution groups (properties only), so most units are written alone and a few share.
        const int Minutes = 3;
        const int Principals = 1_000;
        const int Models = 5;
        var batch = new MetricBatch();
        var total = batch.Dimensions("Service", "genai");
        for (var m = 0; m < Minutes; m++)
        {
            var minute = Minute + (m * 60_000L);
            batch.AddCount(total, "CostUsd", 1.5 + m, minute, MetricUnit.None);
            batch.AddCount(total, "Invocations", Principals, minute);
            for (var model = 0; model < Models; model++)
            {
                batch.AddCount(batch.Dimensions("Service", "genai", "ModelId", $"model-{model}"), "InputTokens", (1_000 * model) + m, minute);
            }

            for (var p = 0; p < Principals; p++)
            {
                var attribution = batch.WithProperties(total, [("Principal", $"role/p{p}"), ("ModelId", $"model-{p % Models}")]);
                batch.AddProperty(attribution, "CostUsd", 0.001 * (p + 1), minute);
            }
        }

        var output = new StringWriter();
        var written = new EmfSerializer().WriteLines(batch, output);
        var views = EmfSpec.ParseLines(output.ToString());

        // Each minute: one line per attribution group; the totals and model-0 share a line (Service
        // agrees, nothing else in common); models 1-4 each differ from it in ModelId.
        Assert.Equal(Minutes * (Principals + Models), written);
        Assert.Equal(written, EmfSpec.CountLines(output.ToString()));
        var plain = views.Where(v => !v.HasDirective).ToList();
        Assert.Equal(Minutes * Principals, plain.Count);
        Assert.All(plain, v => Assert.Equal(["ModelId", "Principal", "Service"], v.Properties.Keys.Order(StringComparer.Ordinal)));
        Assert.All(plain, v => Assert.Equal(["CostUsd"], v.PropertyValues.Keys));
        Assert.All(plain.Where(v => v.Properties["Principal"] == "role/p499"), v => Assert.Equal(0.5, v.PropertyValues["CostUsd"]));
        Assert.Equal(Minutes, plain.Count(v => v.Properties["Principal"] == "role/p499" && v.Properties["ModelId"] == "model-4"));
        var extracted = views.Where(v => v.HasDirective).ToList();
        Assert.Equal(Minutes * (1 + Models), extracted.Count);
        for (var m = 0; m < Minutes; m++)
        {
            var minute = Minute + (m * 60_000L);
            var totals = Assert.Single(extracted, v => v.Timestamp == minute && v.HasDimensions(["Service"]));
            Assert.Equal([1.5 + m], totals.Values["CostUsd"]);
            Assert.Equal([(double)Principals], totals.Values["Invocations"]);
            Assert.Equal(["CostUsd", "Invocations"], totals.Definitions.Select(d => d.Name));
            for (var model = 0; model < Models; model++)
            {
                var view = Assert.Single(extracted, v => v.Timestamp == minute && v.HasDimensions(["Service", "ModelId"]) && v.Dimensions["ModelId"] == $"model-{model}");
                Assert.Equal([(double)((1_000 * model) + m)], view.Values["InputTokens"]);
                Assert.Equal(["InputTokens"], view.Definitions.Select(d => d.Name));
            }
        }
    }

    [Fact]
    public void Serialize_WhenBatchIsEmpty_ShouldWriteNothing()
    {
        var documents = new EmfSerializer().Serialize(new MetricBatch());

        Assert.Empty(documents);
    }

    [Fact]
    public void Serialize_WhenDimensionValueHasALoneSurrogate_ShouldStillWriteValidJson()
    {
        var batch = new MetricBatch();
        batch.AddCount(DimensionSet.Of(("Service", "genai"), ("Team", "bad\uD800value")), "Invocations", 1, 0);

        var document = Assert.Single(EmfSpec.ParseAll(new EmfSerializer().Serialize(batch)));

        Assert.StartsWith("bad", document.Dimensions["Team"], StringComparison.Ordinal);
    }
}
