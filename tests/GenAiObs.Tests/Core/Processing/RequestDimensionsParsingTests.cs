using GenAiObs.Adapters.Configuration;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Spans;
using Xunit;

namespace GenAiObs.Tests.Core.Processing;

public sealed class RequestDimensionsParsingTests
{
    private static string Invocation(string requestMetadata) =>
        $$"""{"schemaType":"ModelInvocationLog","timestamp":"2026-11-20T14:03:27Z","operation":"Converse","modelId":"m","requestId":"r-1","input":{"inputTokenCount":10},"output":{"outputTokenCount":5},"requestMetadata":{{requestMetadata}}}""";

    [Fact]
    public void Parse_WhenRequestMetadataNamesFeatureVariantAndTemplate_ShouldKeepThemApartFromTheReportedTags()
    {
        var json = Invocation("""{"Feature":"summarise","VARIANT":"B","prompt_template":"summary","prompt_template_version":"3","team":"support","email":"jane@example.com"}""");

        Assert.True(InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _));

        Assert.Equal(new GenAiObs.Core.Records.RequestDimensions("summarise", "B", "summary", "3"), record.Dimensions);
        Assert.Equal("summary@3", record.Dimensions!.Template);
        Assert.Equal(["team"], record.RequestMetadata!.Keys.Order());
    }

    [Fact]
    public void Parse_WhenADimensionValueIsNotAShortString_ShouldIgnoreItAndKeepTheRecord()
    {
        var json = Invocation($$"""{"feature":{"nested":1},"variant":"{{new string('x', 300)}}","prompt_template":"  "}""");

        Assert.True(InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _));

        Assert.Null(record.Dimensions);
    }

    [Fact]
    public void Parse_WhenKeysAreConfigured_ShouldReadTheConfiguredKeysOnly()
    {
        var names = ProcessingSettings.ReadDimensions(name => name == "GENAIOBS_DIMENSION_KEYS" ? "feature=use_case, variant=arm" : null);
        var processor = new BatchProcessor(PriceTable.LoadDefault(), DecoderLimits.Default, new ProcessingOptions { Dimensions = names });
        var json = Invocation("""{"use_case":"triage","arm":"control","feature":"ignored"}""");

        var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(System.Text.Encoding.UTF8.GetBytes(json))));

        var record = Assert.Single(result.Invocations).Record;
        Assert.Equal("triage", record.Dimensions!.Feature);
        Assert.Equal("control", record.Dimensions.Variant);
    }

    [Theory]
    [InlineData("GENAIOBS_DIMENSION_KEYS", "colour=x")]
    [InlineData("GENAIOBS_DIMENSION_KEYS", "feature")]
    [InlineData("GENAIOBS_DIMENSION_ATTRIBUTES", "feature=a,variant=a")]
    public void ReadDimensions_WhenMalformed_ShouldFailNamingTheVariable(string variable, string value)
    {
        var ex = Assert.Throws<SettingsException>(() => ProcessingSettings.ReadDimensions(name => name == variable ? value : null));

        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSpan_WhenSpanAndResourceCarryDimensions_ShouldPreferTheSpansOwn()
    {
        var json = """
            {"resource":{"attributes":{"service.name":"svc","app.feature":"from-resource","app.variant":"R","app.prompt_template.name":"tpl"}},
             "traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat m","kind":"CLIENT",
             "startTimeUnixNano":1795000000000000000,"endTimeUnixNano":1795000001000000000,
             "attributes":{"gen_ai.request.model":"m","gen_ai.usage.input_tokens":3,"app.feature":"summarise","app.variant":2,"app.prompt_template.version":{"x":1}}}
            """;

        var span = SpanParser.Parse(SpanFixtures.Event(json)).Span;

        Assert.NotNull(span);
        Assert.Equal(new GenAiObs.Core.Records.RequestDimensions("summarise", "2", "tpl", null), span.Dimensions);
    }

    [Fact]
    public void ParseSpan_WhenAttributesAreConfigured_ShouldReadThem()
    {
        var names = RequestDimensionNames.Default.WithAttributes("feature=com.acme.feature");
        var processor = new BatchProcessor(PriceTable.LoadDefault(), DecoderLimits.Default, new ProcessingOptions { Dimensions = names });
        var json = """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"invoke_agent a","durationNano":5,"endTimeUnixNano":1795000001000000000,"attributes":{"com.acme.feature":"triage","app.feature":"ignored"}}""";

        var payload = TestEvents.DataMessage([(TestEvents.EventId(1), 1_795_000_000_000, System.Text.Encoding.UTF8.GetBytes(json))], logGroup: BatchProcessor.SpansLogGroup);
        var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(payload));

        Assert.Equal("triage", Assert.Single(result.Spans).Span.Dimensions!.Feature);
    }
}
