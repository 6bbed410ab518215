using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Runtime;

/// <summary>The invocation-log function in-process, with a capturing stdout and stderr.</summary>
public sealed class InvocationLogFunctionTests
{
    private static readonly InvocationContext Context = new("req-1", DateTimeOffset.MaxValue, null, null);

    [Fact]
    public async Task HandleAsync_WhenEventIsARealSubscriptionDelivery_ShouldWriteEmfAndSummarise()
    {
        var (function, stdout, stderr) = Create();

        var response = await function.HandleAsync(Event("invocation-logs.data-message.json"), Context, CancellationToken.None);

        using var summary = JsonDocument.Parse(response);
        Assert.Equal(3, summary.RootElement.GetProperty("invocations").GetInt32());
        Assert.Equal(1, summary.RootElement.GetProperty("rejected").GetInt32());
        var documents = EmfSpec.ParseLines(stdout.ToString());
        Assert.Equal(EmfSpec.CountLines(stdout.ToString()), summary.RootElement.GetProperty("emfDocuments").GetInt32());
        Assert.Equal(3, documents.Where(d => d.HasDimensions(["Service"])).Sum(d => d.Values.GetValueOrDefault("Invocations", [0]).Sum()));
        var log = JsonDocument.Parse(stderr.ToString().Trim()).RootElement;
        Assert.Equal("WARN", log.GetProperty("level").GetString());
        Assert.DoesNotContain("CANARY", stdout + stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_WhenTheDeliveryHoldsFeedbackAndNoTableIsSet_ShouldWriteUnjoinedQualityDocumentsWithoutTheComment()
    {
        var (function, stdout, stderr) = Create();
        var feedback = new[]
        {
            """{"schema":"genaiobs.feedback/1","timestamp":"2026-11-20T14:05:00Z","requestId":"req-7","rating":"up","comment":"CANARY-COMMENT","feature":"summarise","variant":"B"}""",
            """{"schema":"genaiobs.feedback/1","timestamp":"2026-11-20T14:05:30Z","requestId":"req-8","rating":2,"comment":"CANARY-COMMENT","feature":"summarise","variant":"B"}""",
        };

        var response = await function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage([.. feedback.Select(Encoding.UTF8.GetBytes)])), Context, CancellationToken.None);

        using var summary = JsonDocument.Parse(response);
        Assert.Equal(2, summary.RootElement.GetProperty("feedback").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("feedbackUnjoined").GetInt32());
        var quality = Assert.Single(EmfSpec.ParseLines(stdout.ToString()), d => d.Properties.ContainsKey("Signal"));
        Assert.False(quality.HasDirective);
        Assert.Equal(("summarise", "B", "feedback"), (quality.Properties["Feature"], quality.Properties["Variant"], quality.Properties["Signal"]));
        Assert.Equal((2.0, 1.0, 2.0, 0.0), (quality.PropertyValues["Ratings"], quality.PropertyValues["Satisfied"], quality.PropertyValues["UnjoinedRatings"], quality.PropertyValues["JoinedRatings"]));
        Assert.DoesNotContain("CANARY", stdout + stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandleAsync_WhenRequestEntriesAreOnOrOff_ShouldJoinFeedbackNamingTheRequestOnlyWhenOn(bool indexRequests)
    {
        var index = new InMemoryRequestIndex();
        var function = new InvocationLogFunction(
            new BatchProcessor(PriceTable.LoadDefault()),
            new EmfSerializer(),
            new InvocationMetricsOptions("svc"),
            new StringWriter(),
            new StructuredLogger(new StringWriter(), DiagnosticLevel.Information, TimeProvider.System, "svc"),
            TimeProvider.System,
            new InMemoryAggregateStore(),
            index: index,
            indexRequests: indexRequests);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var record = Hardening.PiiCanary.InvocationRecord(at, requestId: "req-7").Replace("\"requestMetadata\":{", "\"requestMetadata\":{\"feature\":\"summarise\",\"variant\":\"A\",", StringComparison.Ordinal);
        var feedback = $$"""{"schema":"genaiobs.feedback/1","timestamp":"{{at.AddMinutes(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}","requestId":"req-7","rating":"up"}""";

        await function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage([(TestEvents.EventId(1), at.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(record))])), Context, CancellationToken.None);
        var response = await function.HandleAsync(TestEvents.SubscriptionEvent(TestEvents.DataMessage([(TestEvents.EventId(2), at.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(feedback))])), Context, CancellationToken.None);

        using var summary = JsonDocument.Parse(response);
        Assert.Equal(1, summary.RootElement.GetProperty("feedback").GetInt32());
        Assert.Equal((indexRequests ? 1 : 0, indexRequests ? 0 : 1), (summary.RootElement.GetProperty("feedbackJoined").GetInt32(), summary.RootElement.GetProperty("feedbackUnjoined").GetInt32()));
        Assert.Equal(indexRequests ? 1 : 0, (await index.GetAsync([IndexedRequest.ForRequest("req-7")])).Count);
    }

    [Fact]
    public async Task HandleAsync_WhenADeliveryIsRoutine_ShouldLogOneInfoLineWithoutItsZeroCounts()
    {
        var (function, _, stderr) = Create();
        var delivery = TestEvents.SubscriptionEvent(TestEvents.DataMessage(TestEvents.CompactFixture("converse-anthropic.json"), TestEvents.CompactFixture("invoke-llama.json")));

        var response = await function.HandleAsync(delivery, Context, CancellationToken.None);

        // The response still carries every count; the line (billed per byte, one per delivery) only those not 0.
        using var summary = JsonDocument.Parse(response);
        Assert.Equal(0, summary.RootElement.GetProperty("rejected").GetInt32());
        Assert.Equal(0, summary.RootElement.GetProperty("controlMessages").GetInt32());
        var line = JsonDocument.Parse(stderr.ToString().Trim()).RootElement;
        Assert.Equal("INFO", line.GetProperty("level").GetString());
        var counts = line.GetProperty("counts").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetInt64());
        Assert.Equal(2, counts["invocations"]);
        Assert.Equal(2, counts["events"]);
        Assert.True(counts["emfDocuments"] > 0);
        Assert.DoesNotContain(counts, c => c.Value == 0);
        Assert.False(counts.ContainsKey("rejected"));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"awslogs\":{\"data\":\"!!!not-base64!!!\"}}")]
    [InlineData("{\"awslogs\":{\"data\":\"aGVsbG8=\"}}")]
    [InlineData("{}")]
    public async Task HandleAsync_WhenEventIsBroken_ShouldRejectItWithoutThrowing(string body)
    {
        var (function, stdout, _) = Create();

        var response = await function.HandleAsync(Encoding.UTF8.GetBytes(body), Context, CancellationToken.None);

        using var summary = JsonDocument.Parse(response);
        Assert.Equal(0, summary.RootElement.GetProperty("invocations").GetInt32());
        Assert.True(summary.RootElement.GetProperty("rejected").GetInt32() >= 1);
        var rejected = EmfSpec.ParseLines(stdout.ToString())
            .Where(d => d.HasDimensions(["Service"]))
            .Sum(d => d.Values.GetValueOrDefault("RejectedRecords", [0]).Sum());
        Assert.True(rejected >= 1);
    }

    [Fact]
    public void Create_WhenPriceFileDoesNotExist_ShouldFailTheColdStart()
    {
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, HandlerRegistry.InvocationLogs },
            { EnvironmentVariables.MaxEventAgeHours, "1000000" },
            { EnvironmentVariables.PricesFile, Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json") },
        };

        Assert.Throws<FileNotFoundException>(() => HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System));
    }

    private static (ILambdaFunction Function, StringWriter Stdout, StringWriter Stderr) Create()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, HandlerRegistry.InvocationLogs }, { EnvironmentVariables.MaxEventAgeHours, "1000000" } };
        var host = HandlerRegistry.Initialise(environment, stdout, stderr, TimeProvider.System);
        Assert.Equal(DiagnosticLevel.Information, host.Logger.MinimumLevel);
        return (host.Function, stdout, stderr);
    }

    private static byte[] Event(string fixture) => TestEvents.SubscriptionEvent(TestEvents.RuntimeFixture(fixture));
}
