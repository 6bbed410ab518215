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
/// logging-setup → invocation-logs → evaluator → SNS → SQS capture → notifier → PagerDuty; and
/// central mode: a member stack (member.yaml) beside the central one, a member delivery put on
/// the stream and processed from the Kinesis event built from what the stream returns.
/// What moto does not model (subscription filters, alarms, query definitions, TTL and tags set
/// through CloudFormation) is checked on the transformed template here and by cfn-lint.
/// </summary>
[Collection(PublishedBootstrapCollection.Name)]
[Trait("Category", "Integration")]
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
        const int failedCalls = 24;
        var stack = "genaiobs-sim-" + Guid.NewGuid().ToString("N")[..6];
        await using var account = await SimulatedAccount.StartAsync(region);
        using var pagerDuty = new LoopbackHttpServer(_ => new LoopbackResponse(202, "{\"status\":\"success\"}", "application/json"));
        using var slack = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"));
        // What the README asks of a user before deploying: the receiver secrets in SSM, under the
        // parameter names the template defaults to.
        await account.CallAsync(new JsonObject
        {
            ["command"] = "put-secrets",
            ["param"] = new JsonArray(
                $"/genaiobs/pagerduty/routing-key={RoutingKey}",
                $"/genaiobs/slack/ops-webhook-url={new Uri(slack.BaseUri, "ops")}",
                $"/genaiobs/slack/finops-webhook-url={new Uri(slack.BaseUri, "finops")}"),
        });

        // ---- deploy with every default: no parameter given at all
        var deployed = await account.CallAsync(new JsonObject { ["command"] = "deploy", ["stack"] = stack });
        var transformed = deployed.GetProperty("transformed").GetProperty("Resources");
        var created = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = stack });

        // What the account holds while CloudFormation waits for the custom resource.
        Assert.Equal("CREATE_IN_PROGRESS", created.GetProperty("status").GetString());
        Assert.Contains(created.GetProperty("resources").EnumerateArray(), r => r.GetProperty("logicalId").GetString() == "BedrockInvocationLogging" && r.GetProperty("status").GetString() == "CREATE_IN_PROGRESS");
        var functions = created.GetProperty("functions");
        Assert.Equal(["EvaluatorFunction", "InvocationLogFunction", "LoggingSetupFunction", "NotifierFunction"], functions.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var table = created.GetProperty("tables").GetProperty("AggregatesTable");
        Assert.Equal("pk:HASH,sk:RANGE", string.Join(",", table.GetProperty("keySchema").EnumerateArray().Select(k => $"{k.GetProperty("AttributeName").GetString()}:{k.GetProperty("KeyType").GetString()}")));
        Assert.Equal("PAY_PER_REQUEST", table.GetProperty("billingMode").GetString());
        // moto's CloudFormation creates the table without applying TimeToLiveSpecification (its
        // DescribeTimeToLive answers DISABLED); the transformed template carries it.
        var ttl = transformed.GetProperty("AggregatesTable").GetProperty("Properties").GetProperty("TimeToLiveSpecification");
        Assert.Equal("expiresAt", ttl.GetProperty("AttributeName").GetString());
        Assert.True(ttl.GetProperty("Enabled").GetBoolean());
        Assert.Equal("RetainExceptOnCreate", transformed.GetProperty("AggregatesTable").GetProperty("DeletionPolicy").GetString());
        Assert.Equal(["AlertTopic", "PipelineHealthTopic"], created.GetProperty("topics").EnumerateObject().Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(created.GetProperty("topics").EnumerateObject(), t => Assert.True(t.Value.GetProperty("exists").GetBoolean(), t.Name));
        Assert.Equal(30, created.GetProperty("logGroups").GetProperty("/aws/bedrock/modelinvocations").GetProperty("retentionInDays").GetInt32());
        Assert.False(created.GetProperty("logGroups").TryGetProperty("aws/spans", out _));
        // SAM's output keeps conditional resources with their Condition; CloudFormation (and moto)
        // evaluates it: with the defaults Transaction Search and the span processor are not created.
        Assert.Equal("TransactionSearchEnabled", transformed.GetProperty("TransactionSearch").GetProperty("Condition").GetString());
        Assert.DoesNotContain(created.GetProperty("resources").EnumerateArray(), r => r.GetProperty("logicalId").GetString() is "TransactionSearch" or "SpansLogGroup" or "SpanFunction");
        Assert.Equal(0, EventInvokeConfig(transformed, "EvaluatorFunction").GetProperty("MaximumRetryAttempts").GetInt32());
        var outputs = created.GetProperty("outputs");
        var alertTopic = outputs.GetProperty("AlertTopicArn").GetString()!;
        Assert.Equal(created.GetProperty("topics").GetProperty("AlertTopic").GetProperty("arn").GetString(), alertTopic);
        foreach (var function in functions.EnumerateObject())
        {
            var environment = function.Value.GetProperty("environment");
            Assert.Equal($"GenAI/Observability/{stack}", environment.GetProperty("POWERTOOLS_METRICS_NAMESPACE").GetString());
            if (function.Name is "InvocationLogFunction" or "EvaluatorFunction")
            {
                Assert.Equal(table.GetProperty("name").GetString(), environment.GetProperty("GENAIOBS_TABLE_NAME").GetString());
            }

            var role = function.Value.GetProperty("role");
            Assert.Equal("lambda.amazonaws.com", role.GetProperty("trust").GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Service").GetString());
            Assert.NotEmpty(role.GetProperty("policies").EnumerateArray());
        }

        Assert.Equal(alertTopic, functions.GetProperty("EvaluatorFunction").GetProperty("environment").GetProperty("GENAIOBS_ALERT_TOPIC_ARN").GetString());
        var logGroup = outputs.GetProperty("InvocationLogGroup").GetString()!;
        var loggingRole = outputs.GetProperty("BedrockLoggingRoleArn").GetString()!;
        Assert.Equal("/aws/bedrock/modelinvocations", logGroup);
        Assert.Empty(created.GetProperty("bedrockLogging").EnumerateObject());

        // ---- logging-setup: the test plays CloudFormation's part (moto does not run Lambda code)
        // and invokes the function with the Create request for the custom resource it waits for.
        using var cloudFormation = new CloudFormationResponseRelay(region);
        var stackId = created.GetProperty("stackId").GetString()!;
        var request = new JsonObject
        {
            ["RequestType"] = "Create",
            ["ServiceToken"] = functions.GetProperty("LoggingSetupFunction").GetProperty("arn").GetString(),
            ["ResponseURL"] = cloudFormation.ResponseUrl(stackId).ToString(),
            ["StackId"] = stackId,
            ["RequestId"] = Guid.NewGuid().ToString(),
            ["ResourceType"] = "Custom::BedrockInvocationLogging",
            ["LogicalResourceId"] = "BedrockInvocationLogging",
            ["ResourceProperties"] = CustomResourceProperties(transformed, functions.GetProperty("LoggingSetupFunction").GetProperty("arn").GetString()!, logGroup, loggingRole),
        };
        await RunAsync(account, functions.GetProperty("LoggingSetupFunction"), Encoding.UTF8.GetBytes(request.ToJsonString()), TimeSpan.FromSeconds(60));
        using (var answer = JsonDocument.Parse(Assert.Single(cloudFormation.Answers)))
        {
            Assert.Equal("SUCCESS", answer.RootElement.GetProperty("Status").GetString());
            Assert.Equal(stackId, answer.RootElement.GetProperty("StackId").GetString());
            Assert.Equal("BedrockInvocationLogging", answer.RootElement.GetProperty("LogicalResourceId").GetString());
            Assert.Equal($"bedrock-model-invocation-logging-{region}", answer.RootElement.GetProperty("PhysicalResourceId").GetString());
        }

        var complete = await account.CallAsync(new JsonObject { ["command"] = "describe", ["stack"] = stack });
        Assert.Equal("CREATE_COMPLETE", complete.GetProperty("status").GetString());
        var bedrock = complete.GetProperty("bedrockLogging");
        Assert.Equal(logGroup, bedrock.GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());
        Assert.Equal(loggingRole, bedrock.GetProperty("cloudWatchConfig").GetProperty("roleArn").GetString());
        Assert.True(bedrock.GetProperty("textDataDeliveryEnabled").GetBoolean());
        Assert.False(bedrock.GetProperty("imageDataDeliveryEnabled").GetBoolean());
        Assert.False(bedrock.GetProperty("embeddingDataDeliveryEnabled").GetBoolean());

        // ---- invocation-logs: one subscription delivery from the new group, 24 failed calls, all
        // in the last completed 5-minute bucket (the evaluator reads whole buckets before its time).
        var now = DateTimeOffset.UtcNow;
        var bucket = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.FromMinutes(5).Ticks), TimeSpan.Zero).AddMinutes(-5);
        var calledAt = Enumerable.Range(0, failedCalls).Select(i => bucket.AddSeconds(10 + i)).ToList();
        var delivery = TestEvents.SubscriptionEvent(TestEvents.DataMessage(
            calledAt.Select((at, i) => (TestEvents.EventId(i), at.ToUnixTimeMilliseconds(), FailedInvocation(at, i))), logGroup: logGroup));
        await RunAsync(account, functions.GetProperty("InvocationLogFunction"), delivery, TimeSpan.FromSeconds(30));
        var stored = (await account.CallAsync(new JsonObject { ["command"] = "items", ["table"] = table.GetProperty("name").GetString() })).GetProperty("items").EnumerateArray().ToList();
        // The template's default deferred writes leave one delta item in the bucket's window while
        // it accepts deltas (the processor started within 2 minutes of the bucket's end); a later
        // start writes the bucket's items directly. Either way the evaluator below reads the calls.
        var label = bucket.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var deltas = stored.Where(i => i.GetProperty("pk").GetString() == "P#" + label).ToList();
        var totals = stored.Where(i => i.GetProperty("sk").GetString() == "total").ToList();
        Assert.Equal(1, deltas.Count + totals.Count);
        if (totals is [var total])
        {
            // The bucket's "total" aggregate: exactly 24 requests, all 24 errors, none throttled
            // (InternalServerException is a server error, not a throttle).
            Assert.Equal("F#" + label, total.GetProperty("pk").GetString());
            Assert.Equal(failedCalls, Counter(total, "requests"));
            Assert.Equal(failedCalls, Counter(total, "errors"));
            Assert.Equal(0, Counter(total, "throttles"));
        }

        // ---- evaluator: 24 of 24 failed is above ErrorRateHigh's 5% with at least 20 samples, and
        // every call of the one model failed with at least 10 samples (ModelUnavailable); both are
        // critical. The alerts started more than group_wait (30 s) ago, so the first run notifies
        // (as Alertmanager flushes a new group whose wait has already been served), publishing
        // one notification per alert group to the stack's one alert topic, which an SQS queue
        // subscribed in the account captures.
        var queue = await account.CallAsync(new JsonObject { ["command"] = "subscribe-queue", ["topic"] = alertTopic, ["queue"] = stack + "-capture" });
        var evaluation = await RunAsync(account, functions.GetProperty("EvaluatorFunction"), ScheduledEvent(DateTimeOffset.UtcNow), TimeSpan.FromSeconds(120));
        using (var evaluated = JsonDocument.Parse(evaluation.BodyText))
        {
            Assert.Equal(["ErrorRateHigh", "ModelUnavailable"], evaluated.RootElement.GetProperty("firing").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal));
            Assert.Equal(2, evaluated.RootElement.GetProperty("sent").GetInt32());
            Assert.Equal(0, evaluated.RootElement.GetProperty("failed").GetInt32());
        }

        var captured = await account.CallAsync(new JsonObject { ["command"] = "receive", ["queue_url"] = queue.GetProperty("queueUrl").GetString(), ["wait"] = 20 });
        var envelopes = captured.GetProperty("messages").EnumerateArray().Select(m => JsonNode.Parse(m.GetString()!)!).ToList();
        Assert.Equal(2, envelopes.Count);
        Assert.All(envelopes, e => Assert.Equal(alertTopic, (string?)e["TopicArn"]));

        // ---- notifier: the captured SNS notifications, as Lambda hands them over
        var snsEvent = new JsonObject
        {
            ["Records"] = new JsonArray(envelopes.Select(e => (JsonNode)new JsonObject
            {
                ["EventSource"] = "aws:sns",
                ["EventVersion"] = "1.0",
                ["EventSubscriptionArn"] = alertTopic + ":" + Guid.NewGuid(),
                ["Sns"] = e.DeepClone(),
            }).ToArray()),
        };
        await RunAsync(
            account,
            functions.GetProperty("NotifierFunction"),
            Encoding.UTF8.GetBytes(snsEvent.ToJsonString()),
            TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["GENAIOBS_PAGERDUTY_URL"] = new Uri(pagerDuty.BaseUri, "v2/enqueue").ToString() });
        var pages = pagerDuty.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();
        Assert.Equal(["ErrorRateHigh", "ModelUnavailable"], pages.Select(p => p.GetProperty("payload").GetProperty("class").GetString()).Order(StringComparer.Ordinal));
        Assert.All(pages, p => Assert.Equal(RoutingKey, p.GetProperty("routing_key").GetString()));
        Assert.Empty(slack.Requests);
        var page = Assert.Single(pages, p => p.GetProperty("payload").GetProperty("class").GetString() == "ErrorRateHigh");
        Assert.Equal("trigger", page.GetProperty("event_action").GetString());
        Assert.Equal("critical", page.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Equal("genaiobs/pagerduty", page.GetProperty("payload").GetProperty("source").GetString());
        Assert.Contains($"{failedCalls} of {failedCalls} invocations failed", page.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.All(pagerDuty.Requests, r => Assert.DoesNotContain("CANARY-PROMPT", r.BodyText, StringComparison.Ordinal));
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

        // The template's default deferred writes left the delivery as one delta: read as the
        // evaluator and report do, through the deltas not rolled up yet.
        var tableName = created.GetProperty("tables").GetProperty("AggregatesTable").GetProperty("name").GetString()!;
        var items = (await account.CallAsync(new JsonObject { ["command"] = "scan", ["table"] = tableName })).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(items, i => i.GetProperty("pk").GetString()!.StartsWith("P#", StringComparison.Ordinal));
        using var dynamoDb = GenAiObs.Adapters.DynamoDb.DynamoDbClientFactory.Create(MotoServer.Endpoint.ToString().TrimEnd('/'), region);
        var store = new GenAiObs.Adapters.DynamoDb.DynamoDbAggregateStore(dynamoDb, tableName);
        var sums = await GenAiObs.Core.Aggregation.AggregateQueries.SumByPrefixAsync(
            new GenAiObs.Core.Aggregation.PendingDeltaAggregateReader(store, store, TimeProvider.System), string.Empty, GenAiObs.Core.Aggregation.Granularity.Fine, now.AddMinutes(-10), now.AddMinutes(10));
        long Requests(string key) => sums.TryGetValue(key, out var counters) ? counters["requests"] : 0;
        Assert.Equal((4L, 4L, 4L, 0L), (Requests("total"), Requests("account#" + memberAccount), Requests("region#" + region), Requests("account#222222222222")));
        Assert.Equal(4L * 100 + 6, sums["total"]["inputTokens"]);
    }

    /// <summary>The custom resource's properties as CloudFormation resolves them (references replaced by what the account holds).</summary>
    private static JsonObject CustomResourceProperties(JsonElement transformed, string serviceToken, string logGroup, string roleArn)
    {
        var properties = JsonNode.Parse(transformed.GetProperty("BedrockInvocationLogging").GetProperty("Properties").GetRawText())!.AsObject();
        Assert.Equal("""{"Ref":"InvocationLogGroup"}""", properties["LogGroupName"]!.ToJsonString());
        Assert.Equal("""{"Fn::GetAtt":["BedrockLoggingRole","Arn"]}""", properties["RoleArn"]!.ToJsonString());
        Assert.Equal("""{"Ref":"OverwriteExistingLoggingConfiguration"}""", properties["OverwriteExisting"]!.ToJsonString());
        properties["ServiceToken"] = serviceToken;
        properties["LogGroupName"] = logGroup;
        properties["RoleArn"] = roleArn;
        properties["OverwriteExisting"] = "false";
        return properties;
    }

    private static JsonElement EventInvokeConfig(JsonElement transformed, string function) =>
        transformed.EnumerateObject()
            .Single(r => r.Value.GetProperty("Type").GetString() == "AWS::Lambda::EventInvokeConfig"
                && r.Value.GetProperty("Properties").GetProperty("FunctionName").GetRawText().Contains(function, StringComparison.Ordinal))
            .Value.GetProperty("Properties");

    /// <summary>An EventBridge scheduled event, as the evaluator's schedule delivers it.</summary>
    private static byte[] ScheduledEvent(DateTimeOffset at) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = "Scheduled Event",
        ["source"] = "aws.events",
        ["time"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["detail"] = new JsonObject(),
    }.ToJsonString());

    private static long Counter(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.GetInt64() : 0;

    /// <summary>A Bedrock invocation-log record of a call that failed with a server error, stamped <paramref name="at"/>.</summary>
    private static byte[] FailedInvocation(DateTimeOffset at, int index)
    {
        var record = JsonNode.Parse(TestEvents.Fixture("error-throttled.json"))!;
        record["timestamp"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        record["requestId"] = $"5c1b2a3e-8d4f-4f7a-9a60-{index:D12}";
        record["errorCode"] = "InternalServerException";
        return Encoding.UTF8.GetBytes(record.ToJsonString());
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
