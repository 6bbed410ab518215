using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Pricing;
using GenAiObs.Core.Pricing;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Pricing;

/// <summary>The deployed processors take a newer price table from S3 at cold start, without a rebuild.</summary>
[Trait("Category", "Integration")]
public sealed class PriceTableSourceTests : IDisposable
{
    private const string Bucket = "acme-genaiobs-config";
    private const string Key = "genaiobs/prices 2026-12.json";
    private const string AccessKey = "AKIDFAKES3";
    private const string Secret = "fake/s3+secret";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    // A model the embedded table does not know, so only the uploaded file can price it.
    private const string UploadedTable = """
        {"currency":"USD","effectiveDate":"2026-12-20",
         "models":{"vendor.frontier-v1:0":{"inputPerMillion":2,"outputPerMillion":10}}}
        """;

    private readonly FakeS3 _s3 = new((AccessKey, Secret, "eu-west-1"));
    private readonly StringWriter _log = new();

    public void Dispose() => _s3.Dispose();

    private PriceTableSource Source(string? bucket = Bucket) =>
        PriceTableSource.Read(
            new FunctionSettings { Handler = "invocation-logs", Region = "eu-west-1" },
            new DictionaryEnvironment(new Dictionary<string, string>
            {
                ["GENAIOBS_PRICES_S3_BUCKET"] = bucket ?? string.Empty,
                ["GENAIOBS_PRICES_S3_KEY"] = Key,
                ["AWS_ENDPOINT_URL_S3"] = _s3.Endpoint.ToString(),
            }).GetVariable);

    private PriceTable Load(PriceTableSource source) =>
        source.Load(
            new StructuredLogger(_log, DiagnosticLevel.Information, new FixedTimeProvider(Now), "test"),
            s => new S3ObjectReader(new HttpClient(), s.S3Endpoint, s.Region, new StaticCredentialsSource(new AwsCredentials(AccessKey, Secret)), new FixedTimeProvider(Now)));

    private List<JsonElement> LogLines() =>
        [.. _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    [Fact]
    public void Load_WhenTheBucketHoldsAValidTable_ShouldPriceWithItAndLogItsDate()
    {
        _s3.Objects[$"{Bucket}/{Key}"] = Encoding.UTF8.GetBytes(UploadedTable);

        var table = Load(Source());

        Assert.Empty(_s3.Rejections);
        Assert.Equal("/acme-genaiobs-config/genaiobs/prices%202026-12.json", Assert.Single(_s3.Requests).Path);
        Assert.Equal("2026-12-20", table.EffectiveDate);
        Assert.Equal(12m, table.Quote("vendor.frontier-v1:0", 1_000_000, 1_000_000, 0, 0).CostUsd);
        var line = Assert.Single(LogLines());
        Assert.Equal("INFO", line.GetProperty("level").GetString());
        Assert.Contains("effectiveDate 2026-12-20", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenTheObjectIsMissing_ShouldLogTheReasonAndUseTheEmbeddedDefault()
    {
        var table = Load(Source());

        Assert.Equal(PriceTable.LoadDefault().EffectiveDate, table.EffectiveDate);
        var line = Assert.Single(LogLines());
        Assert.Equal("ERROR", line.GetProperty("level").GetString());
        Assert.Equal(1, line.GetProperty("reasons").GetProperty(PriceTableSource.ReasonUnreadable).GetInt64());
        Assert.Contains("NoSuchKey", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenTheObjectIsNotAValidTable_ShouldLogTheProblemAndUseTheEmbeddedDefault()
    {
        _s3.Objects[$"{Bucket}/{Key}"] = Encoding.UTF8.GetBytes("""{"effectiveDate":"2026-12-20","models":{"m":{"inputPerMillion":1}}}""");

        var table = Load(Source());

        Assert.True(table.Quote("anthropic.claude-3-haiku-20240307-v1:0", 1, 1, 0, 0).Priced);
        var line = Assert.Single(LogLines());
        Assert.Equal(1, line.GetProperty("reasons").GetProperty(PriceTableSource.ReasonInvalid).GetInt64());
        Assert.Contains("outputPerMillion is missing", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenNoBucketIsConfigured_ShouldUseTheEmbeddedDefaultWithoutCallingS3()
    {
        var table = Load(Source(bucket: null));

        Assert.Equal(PriceTable.LoadDefault().EffectiveDate, table.EffectiveDate);
        Assert.Empty(_s3.Requests);
        Assert.Empty(LogLines());
    }

    [Fact]
    public void S3ObjectReader_WithoutAnOverride_ShouldAddressTheObjectVirtualHostedInTheRegion()
    {
        var reader = new S3ObjectReader(new HttpClient(), null, "eu-west-1", new StaticCredentialsSource(new AwsCredentials("a", "b")), TimeProvider.System);

        Assert.Equal("https://acme-genaiobs-config.s3.eu-west-1.amazonaws.com/genaiobs/prices%202026-12.json", reader.ObjectUri(Bucket, Key).AbsoluteUri);
    }

    [Fact]
    public async Task InvocationLogFunction_WhenItsColdStartReadsAnUploadedTable_ShouldPriceAModelOnlyThatTableKnows()
    {
        // The real cold start (the SDK's credential chain): the fake checks addressing, not the signature.
        using var s3 = new FakeS3();
        s3.Objects[$"{Bucket}/{Key}"] = Encoding.UTF8.GetBytes(UploadedTable);
        var environment = new DictionaryEnvironment(new Dictionary<string, string>
        {
            ["_HANDLER"] = HandlerRegistry.InvocationLogs,
            ["AWS_REGION"] = "eu-west-1",
            ["GENAIOBS_PRICES_S3_BUCKET"] = Bucket,
            ["GENAIOBS_PRICES_S3_KEY"] = Key,
            ["AWS_ENDPOINT_URL_S3"] = s3.Endpoint.ToString(),
        });
        var record = """{"schemaType":"ModelInvocationLog","timestamp":"2026-12-06T10:00:00Z","region":"eu-west-1","requestId":"r1","operation":"Converse","modelId":"vendor.frontier-v1:0","identity":{"arn":"arn:aws:sts::111122223333:assumed-role/app/s"},"input":{"inputTokenCount":1000},"output":{"outputTokenCount":100}}""";
        var emf = new StringWriter();
        var diagnostics = new StringWriter();

        var host = HandlerRegistry.Initialise(environment, emf, diagnostics, new FixedTimeProvider(Now));
        await host.Function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Encoding.UTF8.GetBytes(record))), new InvocationContext("req-1", Now.AddMinutes(1), null, null), CancellationToken.None);

        Assert.Single(s3.Requests);
        Assert.Contains("Price file s3://acme-genaiobs-config/genaiobs/prices 2026-12.json loaded (effectiveDate 2026-12-20)", diagnostics.ToString(), StringComparison.Ordinal);
        // (1000 × 2 + 100 × 10) / 10⁶ = $0.003, published as CostUsd; nothing unpriced.
        var documents = emf.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Contains(documents, d => d.TryGetProperty("CostUsd", out var cost) && cost.GetDecimal() == 0.003m);
        Assert.DoesNotContain(documents, d => d.TryGetProperty("UnpricedInvocations", out var unpriced) && unpriced.GetDecimal() > 0);
    }
}
