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
/// logging-setup → invocation-logs → evaluator → SNS → SQS capture → notifier → PagerDuty.
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
