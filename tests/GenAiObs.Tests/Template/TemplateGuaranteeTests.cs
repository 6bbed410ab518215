using System.Globalization;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// The promises of docs/operations.md that live only in template.yaml (Guarantees): failed invocations of every
/// function land in a dead-letter queue that has an alarm, and the state at rest is encrypted.
/// </summary>
public sealed class TemplateGuaranteeTests
{
    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void DeadLetterQueue_WhenAnyEventWaitsInIt_ShouldRaiseAnAlarmThatPages()
    {
        // Every function inherits the queue from Globals (no function overrides it).
        var globalQueue = (Dictionary<string, object?>)_template.GlobalFunction["DeadLetterQueue"]!;
        Assert.Equal("SQS", globalQueue["Type"]);
        Assert.Equal("DeadLetterQueue", Target(globalQueue["TargetArn"]));
        Assert.All(_template.Functions, f => Assert.False(f.Properties.ContainsKey("DeadLetterQueue"), $"{f.LogicalId} overrides the dead-letter queue"));
        Assert.Equal("AWS::SQS::Queue", _template.Resources["DeadLetterQueue"].Type);

        // One message visible is enough: Maximum of ApproximateNumberOfMessagesVisible > 0.
        var alarm = Assert.Single(
            _template.Resources.Values.Where(r => r.Type == "AWS::CloudWatch::Alarm"),
            r => (string?)r.Properties.GetValueOrDefault("Namespace") == "AWS/SQS");
        var p = alarm.Properties;
        Assert.Equal("ApproximateNumberOfMessagesVisible", p["MetricName"]);
        var dimension = Assert.Single((List<object?>)p["Dimensions"]!);
        var queueDimension = (Dictionary<string, object?>)dimension!;
        Assert.Equal("QueueName", queueDimension["Name"]);
        Assert.True(CloudFormationYaml.AsIntrinsic(queueDimension["Value"]) is ("Fn::GetAtt", List<object?> parts) && (string?)parts[0] == "DeadLetterQueue" && (string?)parts[1] == "QueueName");
        Assert.Equal("Maximum", p["Statistic"]);
        Assert.Equal(0d, double.Parse(Convert.ToString(p["Threshold"], CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture));
        Assert.Equal("GreaterThanThreshold", p["ComparisonOperator"]);
        // It pages through the notifier and also reaches the pipeline-health topic, which does not depend on the notifier.
        Assert.Equal(["AlertTopic", "PipelineHealthTopic"], ((List<object?>)p["AlarmActions"]!).Select(Target));
    }

    [Fact]
    public void StateAtRest_WhenDeployed_ShouldBeEncrypted()
    {
        // DynamoDB encrypts every table at rest; SSEEnabled true selects a KMS key (AWS managed) over the owned key.
        var table = _template.Resources["AggregatesTable"];
        var sse = (Dictionary<string, object?>)table.Properties["SSESpecification"]!;
        Assert.Equal("true", Convert.ToString(sse["SSEEnabled"], CultureInfo.InvariantCulture)!.ToLowerInvariant());

        // Every alert topic uses the stack's customer-managed key.
        var topics = _template.Resources.Values.Where(r => r.Type == "AWS::SNS::Topic").ToList();
        Assert.NotEmpty(topics);
        Assert.All(topics, t => Assert.Equal("AlertsKey", Target(t.Properties.GetValueOrDefault("KmsMasterKeyId"))));

        // The dead-letter queue holds raw deliveries (prompts included): the stack's own customer-managed key, not SQS-managed SSE.
        var queue = _template.Resources["DeadLetterQueue"];
        Assert.False(queue.Properties.ContainsKey("SqsManagedSseEnabled"));
        Assert.Equal("DeadLetterKey", Target(queue.Properties["KmsMasterKeyId"]));
        Assert.Equal("AWS::KMS::Key", _template.Resources["DeadLetterKey"].Type);
    }

    private static string Target(object? value) => CloudFormationYaml.AsIntrinsic(value) switch
    {
        ("Ref", string target) => target,
        ("Fn::GetAtt", List<object?> parts) => (string)parts[0]!,
        _ => throw new InvalidOperationException($"not a reference: {value}"),
    };
}
