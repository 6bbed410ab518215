using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Cli;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Runtime;
using Xunit;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// Prompts, responses, requestMetadata and role-session names carrying a canary string, an
/// e-mail address, a phone number and an AWS-key-shaped string go through every path — both
/// subscription functions (accepted, rejected, broken envelopes, a failing store), the evaluator,
/// SNS, the notifier, PagerDuty and Slack, and the CLI in every output mode and error path.
/// Everything each one writes is captured and searched: the canaries appear nowhere. Each test
/// also checks that the channel is not empty (the role name, counts …) so it cannot pass vacuously.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PiiCanaryEndToEndTests(Store.DynaliteTableFixture table) : IClassFixture<Store.DynaliteTableFixture>, IDisposable
{
    private static readonly InvocationContext Context = new("req-canary", DateTimeOffset.MaxValue, null, null);
    private readonly HttpClient _http = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-canary-").FullName;

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task SubscriptionFunctions_InProcess_ShouldKeepTheCanariesOutOfResponsesEmfLogsAndTheTable()
    {
        // Arrange: both functions as the bootstrap builds them, writing to their own table.
        var start = table.NextRange();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var invocationLogs = HandlerRegistry.Initialise(Environment(HandlerRegistry.InvocationLogs), stdout, stderr, TimeProvider.System).Function;
        var spans = HandlerRegistry.Initialise(Environment(HandlerRegistry.Spans), stdout, stderr, TimeProvider.System).Function;
        var events = new List<(ILambdaFunction Function, byte[] Event)>
        {
            (invocationLogs, CanaryData.Delivery(CanaryData.InvocationMessages(start), start)),
            (spans, CanaryData.Delivery(CanaryData.SpanMessages(start), start)),
            (invocationLogs, CanaryData.Delivery(CanaryData.SpanMessages(start), start)),
        };
        events.AddRange(CanaryData.BrokenEnvelopes().SelectMany(broken => new[] { (invocationLogs, broken), (spans, broken) }));

        // Act
        var responses = new List<string>();
        foreach (var (function, lambdaEvent) in events)
        {
            responses.Add(Encoding.UTF8.GetString(await function.HandleAsync(lambdaEvent, Context, CancellationToken.None)));
        }

        var items = await CanaryData.ScanAsync(table.Client, table.TableName);

        // Assert
        PiiCanary.AssertAbsent("function responses", responses);
        PiiCanary.AssertAbsent("EMF (stdout)", stdout.ToString());
        PiiCanary.AssertAbsent("function logs (stderr)", stderr.ToString());
        PiiCanary.AssertAbsent("DynamoDB items", items);

        // The channels carried what they should: the role (not the session), counts, rejections.
        var emf = EmfSpec.ParseLines(stdout.ToString());
        Assert.Contains(emf, d => d.Properties.GetValueOrDefault("Principal") == PiiCanary.RoleName);
        Assert.Contains(emf, d => d.Dimensions.GetValueOrDefault("Team") == "support");
        Assert.Contains(items, item => item.Contains("principal#" + PiiCanary.RoleName, StringComparison.Ordinal));
        Assert.Contains(items, item => item.Contains("session#session-1", StringComparison.Ordinal));
        Assert.Contains("\"rejected\"", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(60, JsonDocument.Parse(responses[0]).RootElement.GetProperty("invocations").GetInt32());
    }

    [Fact]
    public async Task SubscriptionFunction_WhenItsStoreFailsUnderTheRuntimeLoop_ShouldReportTheErrorWithoutTheCanaries()
    {
        // Arrange: the table's endpoint refuses connections; the runtime loop serves the function.
        var start = table.NextRange();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        proxy.StopAccepting();
        var environment = Environment(HandlerRegistry.InvocationLogs, proxy.EndpointUrl);
        await using var harness = FunctionHarness.Start((stdout, log) =>
            HandlerRegistry.Create(HandlerRegistry.InvocationLogs, new FunctionServices(FunctionSettings.Read(environment), environment, stdout, log, TimeProvider.System)));

        // Act
        var posted = await harness.InvokeAsync(CanaryData.Delivery(CanaryData.InvocationMessages(start), start));

        // Assert
        Assert.Equal("error", posted.Kind);
        PiiCanary.AssertAbsent("runtime error report", posted.BodyText);
        PiiCanary.AssertAbsent("function logs", string.Join("\n", harness.LogLines.Select(l => l.GetRawText())));
        PiiCanary.AssertAbsent("EMF", harness.StdoutLines);
        Assert.Contains(harness.LogLines, line => line.GetProperty("level").GetString() == "ERROR");
    }

    [Fact]
    public async Task AlertsFromCanaryAggregates_ShouldCarryNoCanaryToSnsTheNotifierPagerDutyOrSlack()
    {
        // Arrange: the canary records (failing model, principal = the role of a session named by
        // an e-mail) are part of the traffic the rules judge, so the alerts name them as contributors.
        var start = AlertChain.T.AddMinutes(-20);
        var parsed = new BatchProcessor(PriceTable.LoadDefault()).ProcessLambdaEvent(CanaryData.Delivery(CanaryData.InvocationMessages(start), start));
        var store = await AlertChain.TrafficAsync(parsed.Invocations);
        using var sns = new FakeSns();
        var clock = new SimulatedClock(AlertChain.T);
        var evaluatorLog = new StringWriter();
        var evaluator = new EvaluatorFunction(
            AlertChain.Evaluator(store, new InMemoryAlertStateStore(), AlertChain.Publisher(sns, _http, clock, new RecordingDelay()), clock),
            new StructuredLogger(evaluatorLog, DiagnosticLevel.Debug, clock, "genai-obs-evaluator"));
        using var pagerDuty = new ScriptedReceiver(new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
        using var slack = new ScriptedReceiver(new LoopbackResponse(200, "ok"));
        var notifierLog = new StringWriter();
        var notifier = AlertChain.Notifier(pagerDuty.BaseUri, slack.BaseUri, _http, new RecordingDelay(), notifierLog);

        // Act: an hour of evaluations, then every published message through the notifier.
        for (var step = 0; step <= 12; step++)
        {
            clock.Set(AlertChain.T.AddMinutes(step * 5).AddSeconds(3));
            await evaluator.HandleAsync("{}"u8.ToArray(), Context, CancellationToken.None);
        }

        var forms = sns.Published.ToList();
        var notifierResponses = new List<string>();
        foreach (var form in forms)
        {
            notifierResponses.Add(Encoding.UTF8.GetString(await notifier.HandleAsync(AlertChain.LambdaEventFor(form), Context, CancellationToken.None)));
        }

        // Assert
        Assert.Contains(forms, f => f["Message"].Contains(CanaryData.FailingModel, StringComparison.Ordinal));
        PiiCanary.AssertAbsent("SNS Publish requests", forms.SelectMany(f => f.Select(p => p.Key + "=" + p.Value)));
        PiiCanary.AssertAbsent("evaluator logs", evaluatorLog.ToString());
        PiiCanary.AssertAbsent("PagerDuty payloads", pagerDuty.AllRequests.Select(r => r.BodyText));
        PiiCanary.AssertAbsent("Slack payloads", slack.AllRequests.Select(r => r.BodyText));
        PiiCanary.AssertAbsent("notifier logs", notifierLog.ToString());
        PiiCanary.AssertAbsent("notifier responses", notifierResponses);
        Assert.NotEmpty(pagerDuty.Accepted);
        Assert.NotEmpty(slack.Accepted);
    }

    [Fact]
    public async Task Cli_InEveryOutputModeAndErrorPath_ShouldPrintNoCanary()
    {
        // Arrange: the canary data as every file shape replay reads, plus broken files.
        var start = table.NextRange();
        var records = Write("records.jsonl", string.Join("\n", CanaryData.InvocationMessages(start).Select(Encoding.UTF8.GetString)));
        var spans = Write("spans.jsonl", string.Join("\n", CanaryData.SpanMessages(start).Select(Encoding.UTF8.GetString)));
        var delivery = Write("delivery.json.gz", Gzip(CanaryData.Delivery(CanaryData.InvocationMessages(start.AddHours(1)), start.AddHours(1))));
        var brokenJson = Write("broken.json", "this is not JSON: " + PiiCanary.Text + "\n{\"schemaType\":\"ModelInvocationLog\",\"x\":" + PiiCanary.Json(PiiCanary.Text));
        var brokenGzip = Write("broken.json.gz", Gzip(Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(start)))[..40]);
        var brokenEvents = Write("broken-events.json", string.Join("\n", CanaryData.BrokenEnvelopes().Select(Encoding.UTF8.GetString)));
        string[] files = [records, spans, delivery, brokenJson, brokenGzip, brokenEvents];
        var environment = new CliEnvironment(
            new Dictionary<string, string>
            {
                [EnvironmentVariables.TableName] = table.TableName,
                [EnvironmentVariables.EndpointUrlDynamoDb] = table.Endpoint,
                [EnvironmentVariables.Region] = "us-east-1",
            },
            Path.Combine(AppContext.BaseDirectory, "samples"));
        var from = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var to = start.AddHours(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string[][] runs =
        [
            ["replay", .. files],
            ["replay", "--json", .. files],
            ["replay", "--stats", .. files],
            ["replay", "--json", "--stats", "--dynamodb", .. files],
            ["report", "--json", "--from", from, "--to", to],
            ["replay", brokenJson, brokenGzip, brokenEvents],
            ["replay", "--json", brokenJson],
            ["replay", "--prices", brokenJson, records],
            ["replay", Path.Combine(_directory, "missing.json")],
        ];

        // Act
        var outputs = new List<(string[] Args, int Exit, string Stdout, string Stderr)>();
        foreach (var args in runs)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(args, stdout, stderr, environment);
            outputs.Add((args, exit, stdout.ToString(), stderr.ToString()));
        }

        // Assert
        foreach (var (args, _, stdout, stderr) in outputs)
        {
            PiiCanary.AssertAbsent($"stdout of genaiobs {string.Join(' ', args.Select(Path.GetFileName))}", stdout);
            PiiCanary.AssertAbsent($"stderr of genaiobs {string.Join(' ', args.Select(Path.GetFileName))}", stderr);
        }

        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 2, 2], outputs.Select(o => o.Exit));
        Assert.Contains(PiiCanary.RoleName, outputs[0].Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(outputs[1].Stdout);
        Assert.Equal(120, json.RootElement.GetProperty("invocations").GetProperty("records").GetInt32());
        Assert.True(json.RootElement.GetProperty("invocations").GetProperty("rejected").GetInt32() >= 10);
        Assert.Equal(30, json.RootElement.GetProperty("spans").GetProperty("records").GetInt32());
        Assert.NotEmpty(json.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Contains("replay stats:", outputs[2].Stderr, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(outputs[4].Stdout);
        Assert.Equal(120, report.RootElement.GetProperty("invocations").GetProperty("records").GetInt32());
        PiiCanary.AssertAbsent("DynamoDB items written by replay --dynamodb", await CanaryData.ScanAsync(table.Client, table.TableName));
    }

    private DictionaryEnvironment Environment(string handler, string? endpoint = null) => new()
    {
        { EnvironmentVariables.Handler, handler },
        { EnvironmentVariables.MaxEventAgeHours, "1000000" },
        { EnvironmentVariables.MaxEventAheadHours, "1000000" },
        { EnvironmentVariables.TableName, table.TableName },
        { EnvironmentVariables.EndpointUrlDynamoDb, endpoint ?? table.Endpoint },
        { EnvironmentVariables.Region, "us-east-1" },
        { EnvironmentVariables.ServiceName, "genai-obs-canary" },
        { EnvironmentVariables.LogLevel, "DEBUG" },
    };

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Gzip(byte[] data) => TestEvents.Gzip(data);
}

/// <summary>The canary set itself: every needle occurs in the planted inputs, and survives the encodings outputs use.</summary>
public sealed class PiiCanaryTests
{
    [Fact]
    public void Needles_ShouldEachOccurInThePlantedInputsAndBeFoundThroughJsonAndFormEncoding()
    {
        var record = PiiCanary.InvocationRecord(DateTimeOffset.UnixEpoch);
        var span = PiiCanary.ModelCallSpan(DateTimeOffset.UnixEpoch);

        var jsonEscaped = JsonSerializer.Serialize(PiiCanary.Text);
        var formEncoded = Uri.EscapeDataString(PiiCanary.Text);

        Assert.All(new[] { PiiCanary.Marker, PiiCanary.Email, PiiCanary.Phone, PiiCanary.AwsAccessKey, PiiCanary.SessionEmail }, canary => Assert.Contains(canary, PiiCanary.Text, StringComparison.Ordinal));
        Assert.Contains(PiiCanary.SessionEmail, PiiCanary.CallerArn, StringComparison.Ordinal);
        Assert.NotEmpty(PiiCanary.Find("tel. 2025550147"));
        Assert.Equal(PiiCanary.Needles.Count - 1, PiiCanary.Find(record).Count);
        Assert.NotEmpty(PiiCanary.Find(span));
        Assert.Equal(PiiCanary.Find(PiiCanary.Text), PiiCanary.Find(jsonEscaped));
        Assert.NotEmpty(PiiCanary.Find(formEncoded));
        Assert.Equal(20, PiiCanary.AwsAccessKey.Length);
        Assert.StartsWith("AKIA", PiiCanary.AwsAccessKey, StringComparison.Ordinal);
    }
}
