using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.Deploy;

/// <summary>
/// `sam deploy` in a simulated account: template.yaml through the real SAM transform, the stack
/// created in moto, then everything read back from the "account" and the real published
/// <c>bootstrap</c> run for each function with exactly the environment the stack gave it (plus
/// the endpoint overrides that point it at moto) against a loopback Runtime API:
/// logging-setup → invocation-logs → evaluator → SNS → SQS capture → notifier → PagerDuty; and
/// central mode: a member stack (member.yaml) beside the central one, a member delivery put on
/// the stream and processed from the Kinesis event built from what the stream returns.
/// What moto does not model (subscription filters, alarms, query definitions, TTL and tags set
/// through CloudFormation) is checked on the transformed template here and by cfn-lint.
/// </summary>
[Collection(PublishedBootstrapCollection.Name)]
public sealed class DeploySimulationTests
{
    private readonly PublishedBootstrap _bootstrap;

    public DeploySimulationTests(PublishedBootstrap bootstrap)
    {
        _bootstrap = bootstrap;
    }

    [Fact]
    public async Task Deploy_WithAnExistingLogGroupAndSpansOn_ShouldLeaveBedrockAloneAndRunTheSpanProcessor()
    {
        const string region = "ap-south-1";
        var stack = "genaiobs-sim-" + Guid.NewGuid().ToString("N")[..6];
        await using var account = await SimulatedAccount.StartAsync(region);

        var deployed = await account.CallAsync(new JsonObject
        {
            ["command"] = "deploy",
            ["stack"] = stack,
            ["param"] = new JsonArray(
                "CreateInvocationLogGroup=false",
                "InvocationLogGroupName=/team/bedrock-invocations",
                "EnableSpanProcessing=true",
                "EnableTransactionSearch=true",
                "EnvironmentName=prod"),
        });
        var transformed = deployed.GetProperty("transformed").GetProperty("Resources");
        var created = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = stack });

        // No custom resource to wait for: the stack completes, and Bedrock's settings are untouched.
        Assert.Equal("CREATE_COMPLETE", created.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Object, created.GetProperty("bedrockLogging").ValueKind);
        Assert.Empty(created.GetProperty("bedrockLogging").EnumerateObject());
        var functions = created.GetProperty("functions");
        Assert.Equal(["EvaluatorFunction", "InvocationLogFunction", "NotifierFunction", "SpanFunction"], functions.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(created.GetProperty("logGroups").TryGetProperty("/aws/bedrock/modelinvocations", out _));
        Assert.True(created.GetProperty("logGroups").TryGetProperty("aws/spans", out _));
        Assert.Equal("/team/bedrock-invocations", created.GetProperty("outputs").GetProperty("InvocationLogGroup").GetString());
        Assert.Empty(created.GetProperty("streams").EnumerateObject());
        Assert.Empty(created.GetProperty("eventSourceMappings").EnumerateArray());
        Assert.Contains(transformed.EnumerateObject(), r => r.Value.GetProperty("Type").GetString() == "AWS::XRay::TransactionSearchConfig");
        var spansSubscription = transformed.EnumerateObject().Single(r => r.Value.GetProperty("Type").GetString() == "AWS::Logs::SubscriptionFilter" && r.Name.StartsWith("SpanFunction", StringComparison.Ordinal));
        Assert.Contains("SpansLogGroup", spansSubscription.Value.GetProperty("Properties").GetProperty("LogGroupName").GetRawText(), StringComparison.Ordinal);
        var spanEnvironment = functions.GetProperty("SpanFunction").GetProperty("environment");
        Assert.Equal("prod", spanEnvironment.GetProperty("GENAIOBS_ENVIRONMENT").GetString());

        // The span processor, with the stack's environment, writes the stack's table.
        var now = DateTimeOffset.UtcNow;
        var lines = ShiftedToNow(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "spans", "strands-agentcore.jsonl")).Where(l => l.Length > 0).ToList(), now);
        var delivery = TestEvents.SubscriptionEvent(TestEvents.DataMessage(
            lines.Select((l, i) => (TestEvents.EventId(i), now.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(l))), logGroup: "aws/spans"));
        var processed = await RunAsync(account, functions.GetProperty("SpanFunction"), delivery, TimeSpan.FromSeconds(30));
        Assert.Equal("response", processed.Kind);
        var tableName = created.GetProperty("tables").GetProperty("AggregatesTable").GetProperty("name").GetString();
        var items = await account.CallAsync(new JsonObject { ["command"] = "scan", ["table"] = tableName });
        Assert.NotEmpty(items.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Deploy_InCentralModeWithAMemberStack_ShouldCountAMemberDeliveryOnceThroughTheStream()
    {
        // Arrange: the central stack, then a member stack subscribed to its destination (moto keeps
        // both in one account; it models neither cross-account access nor subscription delivery).
        const string region = "eu-west-1";
        const string memberAccount = "111111111111";
        var central = "genaiobs-central-" + Guid.NewGuid().ToString("N")[..6];
        await using var account = await SimulatedAccount.StartAsync(region);
        await account.CallAsync(new JsonObject
        {
            ["command"] = "deploy",
            ["stack"] = central,
            ["param"] = new JsonArray("IngestionMode=central", $"MemberAccountIds={memberAccount},222222222222", "CreateInvocationLogGroup=false"),
        });
        var created = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = central });

        // Assert: the stream, and one mapping from it to the invocation-log processor.
        Assert.Equal("CREATE_COMPLETE", created.GetProperty("status").GetString());
        var stream = created.GetProperty("streams").GetProperty("InvocationLogStream");
        var function = created.GetProperty("functions").GetProperty("InvocationLogFunction");
        var mapping = Assert.Single(created.GetProperty("eventSourceMappings").EnumerateArray());
        Assert.Equal(stream.GetProperty("arn").GetString(), mapping.GetProperty("eventSourceArn").GetString());
        Assert.Equal(function.GetProperty("arn").GetString(), mapping.GetProperty("functionArn").GetString());
        Assert.True(mapping.GetProperty("bisectBatchOnFunctionError").GetBoolean());
        Assert.Equal(["ReportBatchItemFailures"], mapping.GetProperty("functionResponseTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.EndsWith(":" + created.GetProperty("outputs").GetProperty("DeadLetterQueueUrl").GetString()!.Split('/')[^1], mapping.GetProperty("onFailure").GetString(), StringComparison.Ordinal);

        // The destination as CloudFormation creates it (moto's CloudFormation skips the type).
        var destinationArn = created.GetProperty("outputs").GetProperty("InvocationLogDestinationArn").GetString()!;
        var destination = await account.CallAsync(new JsonObject
        {
            ["command"] = "put-destination",
            ["name"] = destinationArn.Split(':')[^1],
            ["target_arn"] = stream.GetProperty("arn").GetString(),
            ["role_arn"] = created.GetProperty("roles").GetProperty("DestinationRole").GetString(),
        });
        Assert.Equal(destinationArn, destination.GetProperty("arn").GetString());

        // member.yaml: plain CloudFormation, its log group retained 30 days, subscribed to that ARN.
        var memberStack = central.Replace("central", "member", StringComparison.Ordinal);
        var memberDeploy = await account.CallAsync(new JsonObject
        {
            ["command"] = "deploy",
            ["stack"] = memberStack,
            ["template"] = "member.yaml",
            ["param"] = new JsonArray($"InvocationLogDestinationArn={destinationArn}", $"InvocationLogGroupName=/{memberStack}/bedrock-invocations"),
        });
        var memberCreated = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = memberStack });
        Assert.Equal("CREATE_COMPLETE", memberCreated.GetProperty("status").GetString());
        Assert.Equal(30, memberCreated.GetProperty("logGroups").GetProperty($"/{memberStack}/bedrock-invocations").GetProperty("retentionInDays").GetInt32());
        var filter = memberDeploy.GetProperty("transformed").GetProperty("Resources").GetProperty("InvocationLogSubscription").GetProperty("Properties");
        Assert.Equal("InvocationLogDestinationArn", filter.GetProperty("DestinationArn").GetProperty("Ref").GetString());

        // Act: a member delivery of four invocation records put on the stream as the destination
        // does, then handed to the published bootstrap twice (the second as Lambda's retry).
        var now = DateTimeOffset.UtcNow;
        var delivery = TestEvents.DataMessage(
            Enumerable.Range(0, 4).Select(i => (TestEvents.EventId(i), now.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(Hardening.PiiCanary.InvocationRecord(now, inputTokens: 100 + i, outputTokens: 10 + i, requestId: $"member-{i}")))),
            logGroup: $"/{memberStack}/bedrock-invocations",
            owner: memberAccount);
        var streamEvent = await account.CallAsync(new JsonObject
        {
            ["command"] = "stream-deliver",
            ["stream"] = stream.GetProperty("name").GetString(),
            ["data"] = TestEvents.GzipBase64(delivery),
        });
        var body = Encoding.UTF8.GetBytes(streamEvent.GetRawText());
        var first = await RunAsync(account, function, body, TimeSpan.FromSeconds(30));
        var retry = await RunAsync(account, function, body, TimeSpan.FromSeconds(30));

        // Assert: acknowledged both times, counted once, under the member's account and the Region.
        foreach (var posted in new[] { first, retry })
        {
            using var response = JsonDocument.Parse(posted.Body);
            Assert.Empty(response.RootElement.GetProperty("batchItemFailures").EnumerateArray());
        }

        var tableName = created.GetProperty("tables").GetProperty("AggregatesTable").GetProperty("name").GetString();
        var items = (await account.CallAsync(new JsonObject { ["command"] = "scan", ["table"] = tableName })).GetProperty("items").EnumerateArray().ToList();
        long Requests(string key) => items.Where(i => i.GetProperty("sk").GetString() == key).Sum(i => i.GetProperty("counters").TryGetProperty("requests", out var n) ? n.GetInt64() : 0);
        Assert.Equal((4L, 4L, 4L, 0L), (Requests("total"), Requests("account#" + memberAccount), Requests("region#" + region), Requests("account#222222222222")));
        Assert.Equal(4L * 100 + 6, items.Where(i => i.GetProperty("sk").GetString() == "total").Sum(i => i.GetProperty("counters").GetProperty("inputTokens").GetInt64()));
    }

    /// <summary>
    /// The fixture's spans moved so the last one ends a minute before <paramref name="now"/>, their
    /// spacing kept: the processor accepts only event times within the retention of its 5-minute
    /// items, and the stack's environment (the point of this test) sets no wider window.
    /// </summary>
    private static List<string> ShiftedToNow(List<string> lines, DateTimeOffset now)
    {
        var spans = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var lastEnd = spans.Max(s => (long)s["endTimeUnixNano"]!);
        var shift = (now.AddMinutes(-1).ToUnixTimeMilliseconds() * 1_000_000) - lastEnd;
        foreach (var span in spans)
        {
            span["startTimeUnixNano"] = (long)span["startTimeUnixNano"]! + shift;
            span["endTimeUnixNano"] = (long)span["endTimeUnixNano"]! + shift;
            foreach (var spanEvent in span["events"]?.AsArray() ?? [])
            {
                spanEvent!["timeUnixNano"] = (long)spanEvent["timeUnixNano"]! + shift;
            }
        }

        return spans.Select(s => s.ToJsonString()).ToList();
    }

    /// <summary>
    /// Runs the published bootstrap for one invocation with the environment the stack gave the
    /// function, plus what Lambda sets and the endpoint overrides to moto.
    /// </summary>
    private async Task<PostedResult> RunAsync(SimulatedAccount account, JsonElement function, byte[] eventBody, TimeSpan timeout, IReadOnlyDictionary<string, string>? extra = null)
    {
        await using var runtime = new LoopbackRuntimeApi();
        var environment = function.GetProperty("environment").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        environment["_HANDLER"] = function.GetProperty("handler").GetString()!;
        environment["AWS_LAMBDA_RUNTIME_API"] = runtime.Address;
        environment["AWS_LAMBDA_FUNCTION_NAME"] = function.GetProperty("name").GetString()!;
        environment["AWS_REGION"] = account.Region;
        environment["AWS_DEFAULT_REGION"] = account.Region;
        environment["AWS_ACCESS_KEY_ID"] = "testing";
        environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        environment["AWS_ENDPOINT_URL"] = MotoServer.Endpoint.ToString().TrimEnd('/');
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        await using var process = BootstrapProcess.Start(_bootstrap.ExecutablePath, environment);
        var requestId = Guid.NewGuid().ToString();
        runtime.Enqueue(new QueuedInvocation(requestId, eventBody, DateTimeOffset.UtcNow.Add(timeout).ToUnixTimeMilliseconds(), FunctionArn: function.GetProperty("arn").GetString()!));
        PostedResult posted;
        try
        {
            posted = await runtime.NextPostAsync(timeout + TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{function.GetProperty("handler").GetString()} posted nothing; stderr:\n{string.Join('\n', process.StandardError)}");
        }

        Assert.True(posted.Kind == "response", $"{function.GetProperty("handler").GetString()} posted {posted.Kind}: {posted.BodyText}\nstderr:\n{string.Join('\n', process.StandardError)}");
        return posted;
    }
}
