using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenAiObs.Tests.Delivery;
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
    private const string RoutingKey = "sim-routing-key-4f1c";
    private readonly PublishedBootstrap _bootstrap;

    public DeploySimulationTests(PublishedBootstrap bootstrap)
    {
        _bootstrap = bootstrap;
    }

    [Fact]
    public async Task Deploy_WithEveryDefault_ShouldSetUpTheAccountThenLogAggregateAlertAndPage()
    {
        const string region = "eu-west-3";
        var stack = "genaiobs-sim-" + Guid.NewGuid().ToString("N")[..6];
        await using var account = await SimulatedAccount.StartAsync(region);
        using var pagerDuty = new LoopbackHttpServer(_ => new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
        using var slack = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"));
        // What the README asks of a user before deploying: the receiver secrets in SSM.
        await account.CallAsync(new JsonObject
        {
            ["command"] = "put-secrets",
            ["param"] = new JsonArray(
                $"/genaiobs/pagerduty/routing-key={RoutingKey}",
                $"/genaiobs/slack/ops-webhook-url={new Uri(slack.BaseUri, "ops")}",
                $"/genaiobs/slack/finops-webhook-url={new Uri(slack.BaseUri, "finops")}"),
        });

        // ---- deploy with every default
        var deployed = await account.CallAsync(new JsonObject { ["command"] = "deploy", ["stack"] = stack });
        var transformed = deployed.GetProperty("transformed").GetProperty("Resources");
        var created = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = stack });

        // What the account holds while CloudFormation waits for the custom resource.
        Assert.Equal("CREATE_IN_PROGRESS", created.GetProperty("status").GetString());
        var functions = created.GetProperty("functions");
        Assert.Equal(["EvaluatorFunction", "InvocationLogFunction", "LoggingSetupFunction", "NotifierFunction"], functions.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var table = created.GetProperty("tables").GetProperty("AggregatesTable");
        Assert.Equal("pk:HASH,sk:RANGE", string.Join(",", table.GetProperty("keySchema").EnumerateArray().Select(k => $"{k.GetProperty("AttributeName").GetString()}:{k.GetProperty("KeyType").GetString()}")));
        // moto's CloudFormation does not apply TimeToLiveSpecification; the transformed template carries it.
        var ttl = transformed.GetProperty("AggregatesTable").GetProperty("Properties").GetProperty("TimeToLiveSpecification");
        Assert.Equal("expiresAt", ttl.GetProperty("AttributeName").GetString());
        Assert.True(ttl.GetProperty("Enabled").GetBoolean());
        Assert.Equal("RetainExceptOnCreate", transformed.GetProperty("AggregatesTable").GetProperty("DeletionPolicy").GetString());
        Assert.All(created.GetProperty("topics").EnumerateObject(), t => Assert.True(t.Value.GetProperty("exists").GetBoolean(), t.Name));
        Assert.Equal(5, created.GetProperty("topics").EnumerateObject().Count());
        Assert.Equal(30, created.GetProperty("logGroups").GetProperty("/aws/bedrock/modelinvocations").GetProperty("retentionInDays").GetInt32());
        Assert.Equal(0, EventInvokeConfig(transformed, "EvaluatorFunction").GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.DoesNotContain(transformed.EnumerateObject(), r => r.Value.GetProperty("Type").GetString() == "AWS::XRay::TransactionSearchConfig");
        foreach (var function in functions.EnumerateObject())
        {
            var environment = function.Value.GetProperty("environment");
            Assert.Equal($"GenAI/Observability/{stack}", environment.GetProperty("POWERTOOLS_METRICS_NAMESPACE").GetString());
            if (function.Name != "NotifierFunction")
            {
                Assert.Equal(table.GetProperty("name").GetString(), environment.GetProperty("GENAIOBS_TABLE_NAME").GetString());
            }

            Assert.Equal("lambda.amazonaws.com", function.Value.GetProperty("role").GetProperty("trust").GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Service").GetString());
        }

        var outputs = created.GetProperty("outputs");
        var logGroup = outputs.GetProperty("InvocationLogGroup").GetString()!;
        var loggingRole = outputs.GetProperty("BedrockLoggingRoleArn").GetString()!;

        // ---- logging-setup: the custom resource CloudFormation is waiting for
        using var cloudFormation = new CloudFormationResponseRelay(region);
        var request = new JsonObject
        {
            ["RequestType"] = "Create",
            ["ServiceToken"] = functions.GetProperty("LoggingSetupFunction").GetProperty("arn").GetString(),
            ["ResponseURL"] = cloudFormation.ResponseUrl(created.GetProperty("stackId").GetString()!).ToString(),
            ["StackId"] = created.GetProperty("stackId").GetString(),
            ["RequestId"] = Guid.NewGuid().ToString(),
            ["ResourceType"] = "Custom::BedrockInvocationLogging",
            ["LogicalResourceId"] = "BedrockInvocationLogging",
            ["ResourceProperties"] = CustomResourceProperties(transformed, logGroup, loggingRole),
        };
        var setup = await RunAsync(account, functions.GetProperty("LoggingSetupFunction"), Encoding.UTF8.GetBytes(request.ToJsonString()), TimeSpan.FromSeconds(60));
        Assert.Equal("response", setup.Kind);
        using (var answer = JsonDocument.Parse(Assert.Single(cloudFormation.Answers)))
        {
            Assert.Equal("SUCCESS", answer.RootElement.GetProperty("Status").GetString());
        }

        var complete = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = stack });
        Assert.Equal("CREATE_COMPLETE", complete.GetProperty("status").GetString());
        var bedrock = complete.GetProperty("bedrockLogging");
        Assert.Equal(logGroup, bedrock.GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());
        Assert.Equal(loggingRole, bedrock.GetProperty("cloudWatchConfig").GetProperty("roleArn").GetString());
        Assert.True(bedrock.GetProperty("textDataDeliveryEnabled").GetBoolean());

        // ---- invocation-logs: a subscription delivery of 24 failed calls from the new group
        var now = DateTimeOffset.UtcNow;
        var records = Enumerable.Range(0, 24).Select(i => FailedInvocation(now.AddSeconds(-i), i)).ToList();
        var delivery = TestEvents.SubscriptionEvent(TestEvents.DataMessage(
            records.Select((r, i) => (TestEvents.EventId(i), now.AddSeconds(-i).ToUnixTimeMilliseconds(), r)), logGroup: logGroup));
        var processed = await RunAsync(account, functions.GetProperty("InvocationLogFunction"), delivery, TimeSpan.FromSeconds(30));
        Assert.Equal("response", processed.Kind);
        var items = await account.CallAsync(new JsonObject { ["command"] = "scan", ["table"] = table.GetProperty("name").GetString() });
        Assert.NotEmpty(items.GetProperty("items").EnumerateArray());

        // ---- evaluator: the rules see the failures and publish to the stack's pagerduty topic
        var pagerDutyTopic = outputs.GetProperty("PagerDutyTopicArn").GetString()!;
        var queue = await account.CallAsync(new JsonObject { ["command"] = "subscribe-queue", ["topic"] = pagerDutyTopic, ["queue"] = stack + "-capture" });
        var scheduled = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "Scheduled Event",
            ["source"] = "aws.events",
            ["time"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["detail"] = new JsonObject(),
        }.ToJsonString());
        var evaluated = await RunAsync(account, functions.GetProperty("EvaluatorFunction"), scheduled, TimeSpan.FromSeconds(120));
        Assert.Equal("response", evaluated.Kind);
        var captured = await account.CallAsync(new JsonObject { ["command"] = "receive", ["queue_url"] = queue.GetProperty("queueUrl").GetString(), ["wait"] = 20 });
        var envelopes = captured.GetProperty("messages").EnumerateArray().Select(m => JsonNode.Parse(m.GetString()!)!).ToList();
        Assert.NotEmpty(envelopes);
        Assert.All(envelopes, e => Assert.Equal(pagerDutyTopic, (string?)e["TopicArn"]));

        // ---- notifier: the captured SNS notification, as Lambda hands it over
        var snsEvent = new JsonObject
        {
            ["Records"] = new JsonArray(envelopes.Select(e => (JsonNode)new JsonObject
            {
                ["EventSource"] = "aws:sns",
                ["EventVersion"] = "1.0",
                ["EventSubscriptionArn"] = pagerDutyTopic + ":" + Guid.NewGuid(),
                ["Sns"] = e.DeepClone(),
            }).ToArray()),
        };
        var notified = await RunAsync(
            account,
            functions.GetProperty("NotifierFunction"),
            Encoding.UTF8.GetBytes(snsEvent.ToJsonString()),
            TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["GENAIOBS_PAGERDUTY_URL"] = new Uri(pagerDuty.BaseUri, "v2/enqueue").ToString() });
        Assert.Equal("response", notified.Kind);
        var pages = pagerDuty.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, p => Assert.Equal(RoutingKey, p.GetProperty("routing_key").GetString()));
        Assert.Contains(pages, p => p.GetProperty("event_action").GetString() == "trigger"
            && p.GetProperty("payload").GetProperty("summary").GetString() is { } summary
            && (summary.Contains("ErrorRateHigh", StringComparison.Ordinal) || summary.Contains("ModelUnavailable", StringComparison.Ordinal) || summary.Contains("error", StringComparison.OrdinalIgnoreCase)));
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
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "spans", "strands-agentcore.jsonl")).Where(l => l.Length > 0).ToList();
        var now = DateTimeOffset.UtcNow;
        var delivery = TestEvents.SubscriptionEvent(TestEvents.DataMessage(
            lines.Select((l, i) => (TestEvents.EventId(i), now.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(l))), logGroup: "aws/spans"));
        var processed = await RunAsync(account, functions.GetProperty("SpanFunction"), delivery, TimeSpan.FromSeconds(30));
        Assert.Equal("response", processed.Kind);
        var tableName = created.GetProperty("tables").GetProperty("AggregatesTable").GetProperty("name").GetString();
        var items = await account.CallAsync(new JsonObject { ["command"] = "scan", ["table"] = tableName });
        Assert.NotEmpty(items.GetProperty("items").EnumerateArray());
    }

    /// <summary>The custom resource's properties as CloudFormation resolves them (references replaced by what the account holds).</summary>
    private static JsonObject CustomResourceProperties(JsonElement transformed, string logGroup, string roleArn)
    {
        var properties = JsonNode.Parse(transformed.GetProperty("BedrockInvocationLogging").GetProperty("Properties").GetRawText())!.AsObject();
        Assert.Equal("""{"Ref":"InvocationLogGroup"}""", properties["LogGroupName"]!.ToJsonString());
        Assert.Equal("""{"Fn::GetAtt":["BedrockLoggingRole","Arn"]}""", properties["RoleArn"]!.ToJsonString());
        Assert.Equal("""{"Ref":"OverwriteExistingLoggingConfiguration"}""", properties["OverwriteExisting"]!.ToJsonString());
        properties["LogGroupName"] = logGroup;
        properties["RoleArn"] = roleArn;
        properties["OverwriteExisting"] = "false";
        properties.Remove("ServiceToken");
        return properties;
    }

    private static JsonElement EventInvokeConfig(JsonElement transformed, string function) =>
        transformed.EnumerateObject()
            .Single(r => r.Value.GetProperty("Type").GetString() == "AWS::Lambda::EventInvokeConfig"
                && r.Value.GetProperty("Properties").GetProperty("FunctionName").GetRawText().Contains(function, StringComparison.Ordinal))
            .Value.GetProperty("Properties");

    /// <summary>A Bedrock invocation-log record of a call that failed, stamped <paramref name="at"/>.</summary>
    private static byte[] FailedInvocation(DateTimeOffset at, int index)
    {
        var record = JsonNode.Parse(TestEvents.Fixture("error-throttled.json"))!;
        record["timestamp"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        record["requestId"] = $"5c1b2a3e-8d4f-4f7a-9a60-{index:D12}";
        record["errorCode"] = "InternalServerException";
        return Encoding.UTF8.GetBytes(record.ToJsonString());
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

    /// <summary>
    /// Stands in for the pre-signed S3 ResponseURL: records each answer and hands it to moto's
    /// CloudFormation (which completes or fails the waiting stack), addressed as its region's
    /// endpoint so moto files it under the right region.
    /// </summary>
    private sealed class CloudFormationResponseRelay : IDisposable
    {
        private readonly LoopbackHttpServer _server;
        private readonly List<byte[]> _answers = [];

        public CloudFormationResponseRelay(string region)
        {
            _server = new LoopbackHttpServer(request =>
            {
                lock (_answers)
                {
                    _answers.Add(request.Body);
                }

                using var http = new HttpClient();
                using var forward = new HttpRequestMessage(HttpMethod.Put, new Uri(MotoServer.Endpoint, request.Target.TrimStart('/'))) { Content = new ByteArrayContent(request.Body) };
                forward.Headers.Host = $"cloudformation.{region}.amazonaws.com";
                using var response = http.Send(forward);
                return new LoopbackResponse((int)response.StatusCode);
            });
        }

        public IReadOnlyList<byte[]> Answers
        {
            get
            {
                lock (_answers)
                {
                    return [.. _answers];
                }
            }
        }

        public Uri ResponseUrl(string stackId) =>
            new(_server.BaseUri, $"cloudformation_{StackRegion(stackId)}/cfnresponse?stack={Uri.EscapeDataString(stackId)}");

        public void Dispose() => _server.Dispose();

        private static string StackRegion(string stackId) => stackId.Split(':')[3];
    }
}
