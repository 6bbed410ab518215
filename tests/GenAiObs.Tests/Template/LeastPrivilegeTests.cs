using System.Collections.Concurrent;
using System.Reflection;
using Amazon.DynamoDBv2;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Sns;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Functions;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Runtime;
using GenAiObs.Tests.Template;
using Xunit;
using GenAiObs.Cli;

namespace GenAiObs.Tests.Wiring;

/// <summary>
/// An <see cref="IAmazonDynamoDB"/> that records which API each call is and answers every one
/// with an empty response (no items, no unprocessed keys): enough to drive the stores' code
/// paths and see exactly which actions they use.
/// </summary>
public class RecordingDynamoDbProxy : DispatchProxy
{
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public static (IAmazonDynamoDB Client, RecordingDynamoDbProxy Recorder) Create()
    {
        var client = DispatchProxy.Create<IAmazonDynamoDB, RecordingDynamoDbProxy>();
        return (client, (RecordingDynamoDbProxy)(object)client);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var returnType = targetMethod.ReturnType;
        if (!targetMethod.Name.EndsWith("Async", StringComparison.Ordinal) || !returnType.IsGenericType || returnType.GetGenericTypeDefinition() != typeof(Task<>))
        {
            return returnType.IsValueType && returnType != typeof(void) ? Activator.CreateInstance(returnType) : null;
        }

        Calls.AddOrUpdate(targetMethod.Name[..^"Async".Length], 1, (_, n) => n + 1);
        var response = Activator.CreateInstance(returnType.GetGenericArguments()[0]);
        return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(returnType.GetGenericArguments()[0]).Invoke(null, [response]);
    }
}

/// <summary>
/// Least privilege: the AWS actions each function's code calls — declared next to the adapters and
/// checked against the calls a recording client sees when the real code runs (the SSM action:
/// against the request a loopback SSM server receives, SsmSecretSourceTests) — are exactly what
/// its role grants (plus its own log group and the dead-letter queue), on this stack's resources.
/// </summary>
public sealed class LeastPrivilegeTests
{
    /// <summary>
    /// What Lambda itself does with a function's role: write the function's logs, send failed
    /// events to the (KMS-encrypted) DLQ and, in central mode, poll the Kinesis stream through the
    /// event source mapping (the execution-role permissions in the AWS Lambda Developer Guide, "Using Lambda with Kinesis").
    /// </summary>
    private static readonly string[] Infrastructure =
    [
        "logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt",
        "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards",
    ];

    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public async Task ApplyBatchAsync_WhenRecorded_ShouldCallOnlyTheProcessorsDeclaredActions()
    {
        var (client, recorder) = RecordingDynamoDbProxy.Create();
        var store = new DynamoDbAggregateStore(client, "genaiobs-test");
        var names = TestEvents.AllFixtureNames().ToList();
        var result = new BatchProcessor(PriceTable.LoadDefault()).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(names.Select(TestEvents.CompactFixture).ToArray())));

        var applied = await store.ApplyBatchAsync(AggregateBuilder.Build(result));

        Assert.True(applied.Applied > 0);
        Assert.Equal(DynamoDbAggregateStore.ApplyBatchDynamoDbActions, recorder.Calls.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EvaluateAsync_WhenRecorded_ShouldCallOnlyTheStoresDeclaredActions()
    {
        var (client, recorder) = RecordingDynamoDbProxy.Create();
        var evaluator = new AlertEvaluator(
            new DynamoDbAggregateStore(client, "genaiobs-test"),
            new RuleEvaluator(RuleSettings.Default),
            RoutingTree.Default,
            new DynamoDbAlertStateStore(client, "genaiobs-test"),
            new NoPublisher(),
            new SimulatedClock(new DateTimeOffset(2026, 11, 18, 0, 5, 0, TimeSpan.Zero)));

        await evaluator.EvaluateAsync(CancellationToken.None);

        var declared = DynamoDbAggregateStore.DynamoDbActions.Union(DynamoDbAlertStateStore.DynamoDbActions).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(recorder.Calls);
        Assert.All(recorder.Calls.Keys, action => Assert.Contains(action, declared));
    }

    [Fact]
    public async Task LoggingConfigurationBackupStore_WhenRecorded_ShouldCallOnlyItsDeclaredActions()
    {
        var (client, recorder) = RecordingDynamoDbProxy.Create();
        var store = new GenAiObs.Adapters.Bedrock.LoggingConfigurationBackupStore(client, "genaiobs-test", TimeProvider.System);

        await store.SaveIfAbsentAsync("us-east-1", "{}", CancellationToken.None);
        await store.LoadAsync("us-east-1", CancellationToken.None);
        await store.DeleteAsync("us-east-1", CancellationToken.None);

        Assert.Equal(
            GenAiObs.Adapters.Bedrock.LoggingConfigurationBackupStore.DynamoDbActions.Order(StringComparer.Ordinal),
            recorder.Calls.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FunctionRoles_WhenComparedWithWhatTheCodeCalls_ShouldGrantExactlyThoseActionsPlusLogsAndTheDeadLetterQueue()
    {
        var errors = new List<string>();
        foreach (var function in _template.Functions)
        {
            var handler = (string)function.Properties["Handler"]!;
            var needed = HandlerRegistry.AwsActionsOf(handler);
            var granted = RoleStatements(function).Where(s => (s.Body.GetValueOrDefault("Effect") as string) == "Allow").SelectMany(s => s.Actions).ToHashSet(StringComparer.Ordinal);

            errors.AddRange(needed.Where(a => !granted.Contains(a)).Select(a => $"{function.LogicalId} ({handler}) calls {a} but its role does not grant it"));
            errors.AddRange(granted.Where(a => !needed.Contains(a) && !Infrastructure.Contains(a)).Select(a => $"{function.LogicalId} ({handler}) is granted {a}, which its code never calls"));
        }

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void FunctionRoles_WhenGrantingDynamoDb_ShouldScopeItToTheAggregatesTable()
    {
        foreach (var function in _template.Functions)
        {
            foreach (var statement in RoleStatements(function).Where(s => s.Actions.Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal))))
            {
                var resource = Assert.Single(statement.Resources);
                Assert.True(CloudFormationYaml.AsIntrinsic(resource) is ("Fn::GetAtt", List<object?> parts) && (string?)parts[0] == "AggregatesTable" && (string?)parts[1] == "Arn",
                    $"{function.LogicalId}: {statement.Path} grants DynamoDB on something other than AggregatesTable.Arn");
            }
        }
    }

    [Fact]
    public void AwsActions_WhenDeclared_ShouldNeverUseAWildcard()
    {
        var all = HandlerRegistry.Keys.SelectMany(HandlerRegistry.AwsActionsOf).ToList();

        Assert.NotEmpty(all);
        Assert.All(all, action => Assert.Matches("^[a-z0-9]+:[A-Za-z]+$", action));
    }

    private List<PolicyStatement> RoleStatements(TemplateResource function)
    {
        var role = CloudFormationYaml.AsIntrinsic(function.Properties["Role"]) is ("Fn::GetAtt", List<object?> parts) ? (string)parts[0]! : throw new InvalidOperationException($"{function.LogicalId}: Role is not !GetAtt");
        return IamPolicies.Statements(_template).Where(s => s.Owner == role).ToList();
    }

    private sealed class NoPublisher : IAlertPublisher
    {
        public Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("nothing fires on an empty table");
    }
}
