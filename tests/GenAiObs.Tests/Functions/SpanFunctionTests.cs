using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Runtime;
using Xunit;
using static GenAiObs.Tests.Spans.SpanFixtures;

namespace GenAiObs.Tests.Spans;

/// <summary>The spans function in-process with a capturing stdout/stderr, on a real gzip+base64 subscription event.</summary>
[Trait("Category", "Integration")]
public sealed class SpanFunctionTests
{
    private static readonly InvocationContext Context = new("req-spans-1", DateTimeOffset.MaxValue, null, null);

    /// <summary>A Lambda event exactly as CloudWatch Logs sends it for <c>aws/spans</c>: 20 fixture spans and one with a negative duration.</summary>
    internal static byte[] SubscriptionEvent() => File.ReadAllBytes(PathOf("spans.subscription-event.json"));

    [Fact]
    public async Task HandleAsync_WhenRealSpansSubscriptionEvent_ShouldWriteSpanMetricsAndSummarise()
    {
        var (function, stdout, stderr) = Create();

        var response = await function.HandleAsync(SubscriptionEvent(), Context, CancellationToken.None);

        using var summary = JsonDocument.Parse(response);
        var root = summary.RootElement;
        Assert.Equal(21, root.GetProperty("events").GetInt32());
        Assert.Equal(20, root.GetProperty("spans").GetInt32());
        Assert.Equal(9, root.GetProperty("modelCalls").GetInt32());
        Assert.Equal(3, root.GetProperty("toolCalls").GetInt32());
        Assert.Equal(3, root.GetProperty("agentInvocations").GetInt32());
        Assert.Equal(1, root.GetProperty("rejected").GetInt32());
        Assert.Equal(0, root.GetProperty("invocations").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("batchId").GetString());

        var documents = EmfSpec.ParseLines(stdout.ToString());
        Assert.Equal(EmfSpec.CountLines(stdout.ToString()), root.GetProperty("emfDocuments").GetInt32());
        Assert.All(documents, d => Assert.Equal("GenAI/Observability", d.Namespace));
        var weather = documents.Where(d => d.HasDimensions(["Service", "Environment"]) && d.Dimensions["Service"] == "weather_assistant.DEFAULT").ToList();
        Assert.Equal(2, Sum(weather, "AgentInvocations"));
        Assert.Equal(1, Sum(weather, "ToolErrors"));
        Assert.Equal(2, Sum(weather, "Sessions"));
        Assert.True(Sum(weather, "AgentModelCostUsd") > 0);
        var sonnetLatency = documents
            .Where(d => d.Dimensions.GetValueOrDefault("ModelId") == "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
            .SelectMany(d => d.Values.GetValueOrDefault("ModelCallLatency", []))
            .Order()
            .Select(v => Math.Round(v, 3))
            .ToArray();
        Assert.Equal([2644.917, 3120.4], sonnetLatency);
        Assert.Contains(documents, d => d.Dimensions.GetValueOrDefault("Component") == "tool:get_forecast");
        Assert.Contains(documents, d => d.Dimensions.GetValueOrDefault("Environment") == "staging");
        var rejected = documents.Where(d => d.HasDimensions(["Service", "Reason"])).ToList();
        Assert.Equal("genai-observability", Assert.Single(rejected).Dimensions["Service"]);
        Assert.Equal(1, Sum(rejected.Where(d => d.Dimensions["Reason"] == RejectReasons.InvalidDuration), "RejectedRecords"));

        var log = JsonDocument.Parse(stderr.ToString().Trim()).RootElement;
        Assert.Equal("WARN", log.GetProperty("level").GetString());
        Assert.Equal(1, log.GetProperty("reasons").GetProperty(RejectReasons.InvalidDuration).GetInt64());
        Assert.Equal(9, log.GetProperty("counts").GetProperty("modelCalls").GetInt64());
        Assert.DoesNotContain(Canary, stdout.ToString() + stderr + Encoding.UTF8.GetString(response), StringComparison.Ordinal);
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
        Assert.Equal(0, summary.RootElement.GetProperty("spans").GetInt32());
        Assert.True(summary.RootElement.GetProperty("rejected").GetInt32() >= 1);
        var rejected = EmfSpec.ParseLines(stdout.ToString())
            .Where(d => d.HasDimensions(["Service"]))
            .Sum(d => d.Values.GetValueOrDefault("RejectedRecords", [0]).Sum());
        Assert.True(rejected >= 1);
    }

    [Fact]
    public void Registry_WhenHandlerIsSpans_ShouldBuildTheSpanFunction()
    {
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, HandlerRegistry.Spans }, { EnvironmentVariables.MaxEventAgeHours, "1000000" } };

        var host = HandlerRegistry.Initialise(environment, TextWriter.Null, TextWriter.Null, TimeProvider.System);

        Assert.IsType<SpanFunction>(host.Function);
        Assert.Contains(HandlerRegistry.Spans, HandlerRegistry.Keys);
    }

    [Fact]
    public async Task HandleAsync_WhenCapAndEnvironmentConfigured_ShouldApplyThemToSpanDimensions()
    {
        var (function, stdout, _) = Create(
            (EnvironmentVariables.MaxPrincipals, "1"),
            (EnvironmentVariables.Environment, "fallback-env"),
            (EnvironmentVariables.ServiceName, "obs-spans"),
            (EnvironmentVariables.MetricsNamespace, "GenAI/Test"));

        await function.HandleAsync(SubscriptionEvent(), Context, CancellationToken.None);

        var documents = EmfSpec.ParseLines(stdout.ToString());
        Assert.All(documents, d => Assert.Equal("GenAI/Test", d.Namespace));
        var models = documents.Where(d => d.Dimensions.ContainsKey("ModelId")).Select(d => d.Dimensions["ModelId"]).ToHashSet();
        Assert.Equal(2, models.Count);
        Assert.Contains("other", models);
        var services = documents.Where(d => d.Dimensions.ContainsKey("Environment")).Select(d => d.Dimensions["Service"]).ToHashSet();
        Assert.Equal(["other", "weather_assistant.DEFAULT"], services.Order(StringComparer.Ordinal));
        Assert.Contains(documents, d => d.Dimensions.GetValueOrDefault("Service") == "obs-spans" && d.Values.ContainsKey("RejectedRecords"));
    }

    [Fact]
    public async Task HandleAsync_WhenAggregateStoreConfigured_ShouldApplyTheBatchExactlyOnce()
    {
        var store = new InMemoryAggregateStore();
        var function = new SpanFunction(
            new BatchProcessor(PriceTable.LoadDefault()),
            new EmfSerializer(),
            new SpanMetricsBuilder(),
            TextWriter.Null,
            new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, TimeProvider.System, "test"),
            TimeProvider.System,
            store);

        using var first = JsonDocument.Parse(await function.HandleAsync(SubscriptionEvent(), Context, CancellationToken.None));
        using var again = JsonDocument.Parse(await function.HandleAsync(SubscriptionEvent(), Context, CancellationToken.None));

        var written = first.RootElement.GetProperty("aggregateItemsWritten").GetInt32();
        Assert.True(written > 0);
        Assert.Equal(0, again.RootElement.GetProperty("aggregateItemsWritten").GetInt32());
        Assert.Equal(written, again.RootElement.GetProperty("aggregateItemsAlreadyApplied").GetInt32());
    }

    private static (ILambdaFunction Function, StringWriter Stdout, StringWriter Stderr) Create(params (string Name, string Value)[] settings)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, HandlerRegistry.Spans }, { EnvironmentVariables.MaxEventAgeHours, "1000000" } };
        foreach (var (name, value) in settings)
        {
            environment.Add(name, value);
        }

        var host = HandlerRegistry.Initialise(environment, stdout, stderr, TimeProvider.System);
        return (host.Function, stdout, stderr);
    }

    private static double Sum(IEnumerable<EmfDocument> documents, string metric) =>
        documents.Sum(d => d.Values.TryGetValue(metric, out var values) ? values.Sum() : 0);
}

/// <summary>The published <c>bootstrap</c> serving <c>_HANDLER=spans</c> through a loopback Runtime API.</summary>
[Collection(PublishedBootstrapCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SpanBootstrapEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly PublishedBootstrap _bootstrap;

    public SpanBootstrapEndToEndTests(PublishedBootstrap bootstrap)
    {
        _bootstrap = bootstrap;
    }

    [Fact]
    public async Task Bootstrap_WhenServingSpansSubscriptionEvent_ShouldPostSummaryAndWriteSpanEmf()
    {
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(_bootstrap.ExecutablePath, new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
            ["_HANDLER"] = "spans",
            ["GENAIOBS_MAX_EVENT_AGE_HOURS"] = "1000000",
            ["GENAIOBS_MAX_EVENT_AHEAD_HOURS"] = "1000000",
            ["POWERTOOLS_SERVICE_NAME"] = "e2e-spans",
            ["POWERTOOLS_METRICS_NAMESPACE"] = "GenAI/E2E",
            ["AWS_REGION"] = "us-east-1",
        });
        server.Enqueue(new QueuedInvocation("req-spans", SpanFunctionTests.SubscriptionEvent(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()));

        var posted = await server.NextPostAsync(Wait);
        await process.StopAsync();

        Assert.Equal(("response", "req-spans"), (posted.Kind, posted.RequestId));
        using var summary = JsonDocument.Parse(posted.Body);
        Assert.Equal(20, summary.RootElement.GetProperty("spans").GetInt32());
        Assert.Equal(1, summary.RootElement.GetProperty("rejected").GetInt32());
        var documents = process.StandardOutput.SelectMany(line => EmfSpec.ParseViews(Encoding.UTF8.GetBytes(line))).ToList();
        Assert.All(documents, d => Assert.Equal("GenAI/E2E", d.Namespace));
        Assert.Equal(9, documents.Where(d => d.HasDimensions(["Service", "Environment"]))
            .Sum(d => d.Values.TryGetValue("ModelCalls", out var v) ? v.Sum() : 0));
        Assert.Contains(documents, d => d.Dimensions.GetValueOrDefault("Service") == "e2e-spans" && d.Values.ContainsKey("RejectedRecords"));
        var everything = string.Join('\n', process.StandardOutput.Concat(process.StandardError)) + posted.BodyText;
        Assert.DoesNotContain(Canary, everything, StringComparison.Ordinal);
    }
}
