using System.Text.Json;
using System.Text.Json.Nodes;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Bedrock;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Http;
using GenAiObs.Functions;
using GenAiObs.Functions.Deploy;
using GenAiObs.Functions.Runtime;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Deploy;

/// <summary>
/// The logging-setup custom resource against moto's Bedrock (each test in its own region, so the
/// one-per-region configuration is the test's own) and dynalite for the backup item: the
/// CloudFormation contract (an answer on ResponseURL for every request, stable physical id) and
/// the rule that a configuration this stack did not set is never silently replaced.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LoggingSetupFunctionTests
{
    private const string Role = "arn:aws:iam::123456789012:role/genaiobs-BedrockLoggingRole-ABC";
    private const string StackId = "arn:aws:cloudformation:us-east-1:123456789012:stack/genaiobs/1b2c3d4e";

    [DynaliteFact]
    public async Task Create_WhenLoggingIsOff_ShouldTurnTextLoggingOnAndAnswerSuccess()
    {
        await using var fixture = await Fixture.StartAsync("us-west-1");

        var answer = await fixture.RunAsync(Request("Create", "/aws/bedrock/modelinvocations"));

        Assert.Equal("SUCCESS", answer.GetProperty("Status").GetString());
        Assert.Equal("bedrock-model-invocation-logging-us-west-1", answer.GetProperty("PhysicalResourceId").GetString());
        Assert.Equal(StackId, answer.GetProperty("StackId").GetString());
        Assert.Equal("BedrockInvocationLogging", answer.GetProperty("LogicalResourceId").GetString());
        var config = await fixture.ConfigurationAsync();
        Assert.Equal("/aws/bedrock/modelinvocations", config.GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());
        Assert.Equal(Role, config.GetProperty("cloudWatchConfig").GetProperty("roleArn").GetString());
        Assert.True(config.GetProperty("textDataDeliveryEnabled").GetBoolean());
        Assert.False(config.GetProperty("imageDataDeliveryEnabled").GetBoolean());
        Assert.False(config.GetProperty("embeddingDataDeliveryEnabled").GetBoolean());
    }

    [DynaliteFact]
    public async Task Create_WhenAnotherConfigurationExists_ShouldFailNamingItsGroupAndTheParameterAndLeaveItUnchanged()
    {
        await using var fixture = await Fixture.StartAsync("us-west-2");
        await fixture.SetForeignAsync("/team/own-invocation-logs");

        var answer = await fixture.RunAsync(Request("Create", "/aws/bedrock/modelinvocations"));

        Assert.Equal("FAILED", answer.GetProperty("Status").GetString());
        var reason = answer.GetProperty("Reason").GetString()!;
        Assert.Contains("/team/own-invocation-logs", reason, StringComparison.Ordinal);
        Assert.Contains("OverwriteExistingLoggingConfiguration=true", reason, StringComparison.Ordinal);
        Assert.Equal("/team/own-invocation-logs", (await fixture.ConfigurationAsync()).GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());

        // CloudFormation rolls the failed create back with a Delete: the foreign configuration stays.
        var delete = await fixture.RunAsync(Request("Delete", "/aws/bedrock/modelinvocations", physicalId: answer.GetProperty("PhysicalResourceId").GetString()));
        Assert.Equal("SUCCESS", delete.GetProperty("Status").GetString());
        Assert.Equal("/team/own-invocation-logs", (await fixture.ConfigurationAsync()).GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());
    }

    [DynaliteFact]
    public async Task Overwrite_WhenAllowedThenStackDeleted_ShouldReplaceAndRestoreThePreviousConfigurationExactly()
    {
        await using var fixture = await Fixture.StartAsync("eu-west-1");
        var foreign = await fixture.SetForeignAsync("/team/own-invocation-logs");

        var create = await fixture.RunAsync(Request("Create", "/aws/bedrock/modelinvocations", overwrite: "true"));
        var during = await fixture.ConfigurationAsync();
        var delete = await fixture.RunAsync(Request("Delete", "/aws/bedrock/modelinvocations", overwrite: "true", physicalId: create.GetProperty("PhysicalResourceId").GetString()));
        var after = await fixture.ConfigurationAsync();

        Assert.Equal("SUCCESS", create.GetProperty("Status").GetString());
        Assert.Equal("/aws/bedrock/modelinvocations", during.GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());
        Assert.Equal("SUCCESS", delete.GetProperty("Status").GetString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(foreign.GetRawText()), JsonNode.Parse(after.GetRawText())), after.GetRawText());
    }

    [DynaliteFact]
    public async Task UpdateThenDelete_WhenTheConfigurationIsThisStacks_ShouldApplyTheNewGroupThenTurnLoggingOff()
    {
        await using var fixture = await Fixture.StartAsync("eu-west-2");
        var create = await fixture.RunAsync(Request("Create", "/aws/bedrock/old-group"));
        var physicalId = create.GetProperty("PhysicalResourceId").GetString();

        var update = await fixture.RunAsync(Request("Update", "/aws/bedrock/new-group", physicalId: physicalId, oldLogGroup: "/aws/bedrock/old-group"));
        var updated = await fixture.ConfigurationAsync();
        var delete = await fixture.RunAsync(Request("Delete", "/aws/bedrock/new-group", physicalId: physicalId));

        Assert.Equal("SUCCESS", update.GetProperty("Status").GetString());
        Assert.Equal(physicalId, update.GetProperty("PhysicalResourceId").GetString());
        Assert.Equal("/aws/bedrock/new-group", updated.GetProperty("cloudWatchConfig").GetProperty("logGroupName").GetString());
        Assert.Equal("SUCCESS", delete.GetProperty("Status").GetString());
        Assert.Equal(JsonValueKind.Undefined, (await fixture.ConfigurationOrNullAsync()).ValueKind);
    }

    [DynaliteFact]
    public async Task Create_WhenBedrockCannotBeReached_ShouldStillAnswerFailedBeforeTheDeadline()
    {
        await using var fixture = await Fixture.StartAsync("eu-central-1", bedrockEndpoint: new Uri("http://127.0.0.1:9/"));

        var answer = await fixture.RunAsync(Request("Create", "/aws/bedrock/modelinvocations"), deadline: TimeSpan.FromSeconds(25));

        Assert.Equal("FAILED", answer.GetProperty("Status").GetString());
        Assert.Contains("GetModelInvocationLoggingConfiguration", answer.GetProperty("Reason").GetString()!, StringComparison.Ordinal);
    }

    [DynaliteFact]
    public async Task Create_WhenAPropertyIsMissingOrMalformed_ShouldAnswerFailedNamingIt()
    {
        await using var fixture = await Fixture.StartAsync("ap-southeast-1");

        var missing = await fixture.RunAsync(Request("Create", logGroup: null));
        var malformed = await fixture.RunAsync(Request("Create", "/aws/bedrock/modelinvocations", overwrite: "yes"));

        Assert.Equal("FAILED", missing.GetProperty("Status").GetString());
        Assert.Contains("ResourceProperties.LogGroupName", missing.GetProperty("Reason").GetString()!, StringComparison.Ordinal);
        Assert.Equal("FAILED", malformed.GetProperty("Status").GetString());
        Assert.Contains("ResourceProperties.OverwriteExisting", malformed.GetProperty("Reason").GetString()!, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Undefined, (await fixture.ConfigurationOrNullAsync()).ValueKind);
    }

    [Fact]
    public async Task ColdStart_WhenTheTableSettingIsMissing_ShouldAnswerEveryRequestFailedNamingTheVariable()
    {
        using var responses = new LoopbackHttpServer(_ => new LoopbackResponse(200));
        var environment = new Dictionary<string, string>
        {
            [EnvironmentVariables.Handler] = HandlerRegistry.LoggingSetup,
            [EnvironmentVariables.Region] = "us-east-1",
        };
        var host = HandlerRegistry.Initialise(new DictionaryEnvironment(environment), TextWriter.Null, TextWriter.Null, TimeProvider.System);

        await host.Function.HandleAsync(Request("Create", "/g", responseUrl: new Uri(responses.BaseUri, "answer")), Context(TimeSpan.FromSeconds(30)), CancellationToken.None);

        var put = Assert.Single(responses.Requests);
        using var answer = JsonDocument.Parse(put.Body);
        Assert.Equal("PUT", put.Method);
        Assert.Equal("FAILED", answer.RootElement.GetProperty("Status").GetString());
        Assert.Contains("GENAIOBS_TABLE_NAME", answer.RootElement.GetProperty("Reason").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_WhenTheEventIsNotACustomResourceRequest_ShouldChangeNothingAndNotThrow()
    {
        var function = new LoggingSetupFunction(
            new BedrockLoggingClient(new HttpClient(), new BedrockSettings("us-east-1", new Uri("http://127.0.0.1:9/")), new StaticCredentialsSource(new AwsCredentials("a", "b")), TimeProvider.System),
            new LoggingConfigurationBackupStore(null!, "unused", TimeProvider.System),
            "us-east-1",
            new HttpClient(),
            new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, TimeProvider.System, "test"),
            TimeProvider.System);

        var result = await function.HandleAsync("{\"source\":\"aws.events\"}"u8.ToArray(), Context(TimeSpan.FromSeconds(30)), CancellationToken.None);

        using var document = JsonDocument.Parse(result);
        Assert.Equal("ignored", document.RootElement.GetProperty("status").GetString());
    }

    private static InvocationContext Context(TimeSpan deadline) =>
        new(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow + deadline, null, null);

    private static byte[] Request(string type, string? logGroup, string overwrite = "false", string? physicalId = null, string? oldLogGroup = null, Uri? responseUrl = null)
    {
        var properties = new JsonObject { ["ServiceToken"] = "arn:aws:lambda:us-east-1:123456789012:function:genaiobs-logging-setup", ["RoleArn"] = Role, ["OverwriteExisting"] = overwrite, ["TextDataDeliveryEnabled"] = "true", ["ImageDataDeliveryEnabled"] = "false", ["EmbeddingDataDeliveryEnabled"] = "false" };
        if (logGroup is not null)
        {
            properties["LogGroupName"] = logGroup;
        }

        var request = new JsonObject
        {
            ["RequestType"] = type,
            ["ResponseURL"] = (responseUrl ?? new Uri("http://127.0.0.1:1/unset")).ToString(),
            ["StackId"] = StackId,
            ["RequestId"] = Guid.NewGuid().ToString(),
            ["ResourceType"] = "Custom::BedrockInvocationLogging",
            ["LogicalResourceId"] = "BedrockInvocationLogging",
            ["ResourceProperties"] = properties,
        };
        if (physicalId is not null)
        {
            request["PhysicalResourceId"] = physicalId;
        }

        if (oldLogGroup is not null)
        {
            request["OldResourceProperties"] = new JsonObject { ["LogGroupName"] = oldLogGroup, ["RoleArn"] = Role };
        }

        return System.Text.Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    /// <summary>The function wired to moto (Bedrock), dynalite (the backup item) and a loopback ResponseURL.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private readonly DynaliteTable _table;
        private readonly LoopbackHttpServer _responses;
        private readonly BedrockLoggingClient _bedrock;
        private readonly LoggingSetupFunction _function;

        private Fixture(DynaliteTable table, string region, Uri bedrockEndpoint)
        {
            _table = table;
            _responses = new LoopbackHttpServer(_ => new LoopbackResponse(200));
            _bedrock = new BedrockLoggingClient(
                new HttpClient(),
                new BedrockSettings(region, bedrockEndpoint),
                new StaticCredentialsSource(new AwsCredentials("testing", "testing")),
                TimeProvider.System,
                new RetryPolicy { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(10) });
            _function = new LoggingSetupFunction(
                _bedrock,
                new LoggingConfigurationBackupStore(table.Client, table.Name, TimeProvider.System),
                region,
                new HttpClient(),
                new StructuredLogger(TextWriter.Null, DiagnosticLevel.Information, TimeProvider.System, "test"),
                TimeProvider.System);
        }

        public static async Task<Fixture> StartAsync(string region, Uri? bedrockEndpoint = null)
        {
            var fixture = new Fixture(await DynaliteTable.CreateAsync(), region, bedrockEndpoint ?? MotoServer.Endpoint);
            // Each region's configuration belongs to one test: start from "logging off".
            if (bedrockEndpoint is null)
            {
                await fixture._bedrock.DeleteAsync(CancellationToken.None);
            }

            return fixture;
        }

        /// <summary>Runs one request and returns the response object the function PUT to ResponseURL.</summary>
        public async Task<JsonElement> RunAsync(byte[] request, TimeSpan? deadline = null)
        {
            var node = JsonNode.Parse(request)!;
            node["ResponseURL"] = new Uri(_responses.BaseUri, $"cfn-response/{Guid.NewGuid():N}?X-Amz-Signature=abc").ToString();
            var before = _responses.Requests.Count;

            await _function.HandleAsync(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()), Context(deadline ?? TimeSpan.FromSeconds(60)), CancellationToken.None);

            var put = _responses.Requests.Skip(before).Single();
            Assert.Equal("PUT", put.Method);
            Assert.Null(put.Header("Content-Type"));
            using var document = JsonDocument.Parse(put.Body);
            return document.RootElement.Clone();
        }

        public async Task<JsonElement> SetForeignAsync(string logGroup)
        {
            using var document = JsonDocument.Parse($$"""
                {"cloudWatchConfig": {"logGroupName": "{{logGroup}}", "roleArn": "arn:aws:iam::123456789012:role/TeamBedrockLogging"},
                 "s3Config": {"bucketName": "team-invocation-logs", "keyPrefix": "bedrock/"},
                 "textDataDeliveryEnabled": true, "imageDataDeliveryEnabled": true, "embeddingDataDeliveryEnabled": false}
                """);
            await _bedrock.PutAsync(document.RootElement, CancellationToken.None);
            return await ConfigurationAsync();
        }

        public async Task<JsonElement> ConfigurationAsync() =>
            await _bedrock.GetAsync(CancellationToken.None) ?? throw new InvalidOperationException("logging is off");

        public async Task<JsonElement> ConfigurationOrNullAsync() =>
            await _bedrock.GetAsync(CancellationToken.None) ?? default;

        public async ValueTask DisposeAsync()
        {
            _responses.Dispose();
            await _table.DisposeAsync();
        }
    }
}
