using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>template.yaml against the CloudFormation/SAM resource specification, and the validator's own teeth.</summary>
public sealed class TemplateSpecTests : IClassFixture<ServiceSpecFixture>
{
    private readonly ServiceSpec _spec;

    public TemplateSpecTests(ServiceSpecFixture fixture)
    {
        _spec = fixture.Spec;
    }

    [Fact]
    public void SpecErrors_WhenCheckingTemplateYaml_ShouldFindEveryTypePropertyAndRequiredPropertyInTheSpec()
    {
        var template = TemplateDocument.LoadRepositoryTemplate();

        var errors = SpecValidator.SpecErrors(template, _spec);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        Assert.NotEmpty(template.Resources);
    }

    [Fact]
    public void ReferenceErrors_WhenCheckingTemplateYaml_ShouldResolveEveryRefGetAttSubVariableAndCondition()
    {
        var template = TemplateDocument.LoadRepositoryTemplate();

        var errors = SpecValidator.ReferenceErrors(template, _spec);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void SpecErrors_WhenPropertyIsMisspelled_ShouldNameIt()
    {
        var template = Parse("""
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  MessageRetentionPeriods: 60
            """);

        var errors = SpecValidator.SpecErrors(template, _spec);

        Assert.Contains(errors, e => e.Contains("Resources.Queue.Properties: unknown property 'MessageRetentionPeriods'", StringComparison.Ordinal));
    }

    [Fact]
    public void SpecErrors_WhenNestedPropertyIsUnknown_ShouldReportItsPath()
    {
        var template = Parse("""
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  TimeToLiveSpecification: {AttributeName: expiresAt, Enable: true}
            """);

        var errors = SpecValidator.SpecErrors(template, _spec);

        Assert.Contains(errors, e => e.Contains("TimeToLiveSpecification: unknown property 'Enable'", StringComparison.Ordinal));
    }

    [Fact]
    public void SpecErrors_WhenRequiredPropertyIsMissing_ShouldReportIt()
    {
        var template = Parse("""
            Resources:
              Query:
                Type: AWS::Logs::QueryDefinition
                Properties:
                  Name: only-a-name
            """);

        var errors = SpecValidator.SpecErrors(template, _spec);

        Assert.Contains(errors, e => e.Contains("required property 'QueryString' is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void SpecErrors_WhenTypeIsUnknownOrScalarIsWrong_ShouldReportBoth()
    {
        var template = Parse("""
            Resources:
              Thing:
                Type: AWS::Nope::Thing
              Function:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: x
                  LoggingConfig: {LogFormat: Yaml}
                  MemorySize: lots
                  Events:
                    Tick: {Type: Schedule, Properties: {Schedul: rate(5 minutes)}}
            """);

        var errors = SpecValidator.SpecErrors(template, _spec);

        Assert.Contains(errors, e => e.Contains("unknown resource type 'AWS::Nope::Thing'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("LoggingConfig.LogFormat: 'Yaml' is not one of Text, JSON", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MemorySize: expected a number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Events.Tick.Properties: unknown property 'Schedul'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Events.Tick.Properties: required property 'Schedule' is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void SpecErrors_WhenSamFunctionUsesALambdaOnlyProperty_ShouldAcceptIt()
    {
        // LoggingConfig is missing from the pinned SAM entry; SAM passes it to AWS::Lambda::Function.
        var template = Parse("""
            Globals:
              Function:
                LoggingConfig: {LogFormat: Text}
                NotAProperty: 1
            Resources:
              Function:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: x
                  LoggingConfig: {LogFormat: JSON, ApplicationLogLevel: INFO}
            """);

        var errors = SpecValidator.SpecErrors(template, _spec);

        Assert.Equal(["Globals.Function: unknown property 'NotAProperty'"], errors);
    }

    [Fact]
    public void ReferenceErrors_WhenNamesAreUnknownOrConditionsDiffer_ShouldReportEach()
    {
        var template = Parse("""
            Parameters:
              Name: {Type: String}
            Conditions:
              On: !Equals [!Ref Name, x]
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Condition: On
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: !Sub ${Name}-${Missing}-${Topic.TopicName}
                  KmsMasterKeyId: !GetAtt Queue.NoSuchAttribute
                  DelaySeconds: !If [Off, 1, 2]
              Alarm:
                Type: AWS::CloudWatch::Alarm
                Condition: On
                Properties:
                  AlarmActions: [!Ref Topic]
            """);

        var errors = SpecValidator.ReferenceErrors(template, _spec);

        Assert.Contains(errors, e => e.Contains("reference to unknown 'Missing'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("names 'Topic' (condition On) outside that condition", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("has no attribute 'NoSuchAttribute'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown condition 'Off'", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.StartsWith("Resources.Alarm", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WhenSpecFileIsMissing_ShouldTellToRunNpmCi()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"genaiobs-missing-{Guid.NewGuid():N}", "db.json.gz");

        var error = Assert.Throws<FileNotFoundException>(() => ServiceSpec.Load(missing));

        Assert.Contains("cd tests && npm ci", error.Message, StringComparison.Ordinal);
    }

    private static TemplateDocument Parse(string yaml) => new(CloudFormationYaml.Parse(yaml));
}
