using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// What `sam deploy` with every default does to an account: nothing that needs a prerequisite,
/// nothing billable left behind by a failed create, nothing mixed with another stack.
/// </summary>
public sealed class DeployDefaultsTests : IClassFixture<ServiceSpecFixture>
{
    private readonly ServiceSpec _spec;
    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    public DeployDefaultsTests(ServiceSpecFixture fixture)
    {
        _spec = fixture.Spec;
    }

    private SubstitutionResolver Resolver => new(_template);

    [Fact]
    public void AggregatesTable_WhenTheFirstCreateFails_ShouldBeDeletedButRetainedOtherwise()
    {
        var table = _template.Resources.Values.Single(r => r.Type == "AWS::DynamoDB::Table");

        Assert.Equal("RetainExceptOnCreate", table.Raw["DeletionPolicy"]);
        Assert.Equal("Retain", table.Raw["UpdateReplacePolicy"]);
    }

    [Fact]
    public void RequestIndex_WhenDeployedWithDefaults_ShouldBeOffUnlessFeedbackIsSubscribed()
    {
        var function = _template.Functions.Single(f => (string?)f.Properties["Handler"] == "invocation-logs");

        var setting = CloudFormationYaml.AsIntrinsic(_template.EnvironmentOf(function)["GENAIOBS_REQUEST_INDEX"]);

        // Only feedback naming a requestId reads the request entries, and only the feedback subscription delivers it.
        Assert.Equal("Fn::If", setting?.Name);
        Assert.Equal(["HasFeedbackLogGroup", "on", "off"], ((List<object?>)setting!.Value.Argument!).Select(b => (string?)b));
        Assert.Equal("HasFeedbackLogGroup", _template.Resources["FeedbackSubscription"].Condition);
        Assert.Equal(string.Empty, (string?)((Dictionary<string, object?>)_template.Parameters["FeedbackLogGroupName"]!)["Default"]);
        Assert.DoesNotContain(_template.Functions.Where(f => f != function), f => _template.EnvironmentOf(f).ContainsKey("GENAIOBS_REQUEST_INDEX"));
    }

    [Fact]
    public void Evaluator_WhenARunFails_ShouldNotBeRetriedIntoTheNextSchedule()
    {
        var evaluator = _template.Functions.Single(f => (string?)f.Properties["Handler"] == "evaluator");

        var config = Assert.IsType<Dictionary<string, object?>>(evaluator.Properties["EventInvokeConfig"]);

        Assert.Equal("0", Convert.ToString(config["MaximumRetryAttempts"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Spans_WhenDeployedWithDefaults_ShouldBeOffAndSubscribeOnlyToAGroupThatExists()
    {
        var spanFunction = _template.Functions.Single(f => (string?)f.Properties["Handler"] == "spans");
        var events = (Dictionary<string, object?>)spanFunction.Properties["Events"]!;
        var subscription = (Dictionary<string, object?>)((Dictionary<string, object?>)events.Values.Single()!)["Properties"]!;

        Assert.Equal("false", Resolver.Variable("EnableSpanProcessing"));
        Assert.Equal("false", Resolver.Variable("EnableTransactionSearch"));
        Assert.Equal("SpanProcessingEnabled", spanFunction.Condition);
        // With Transaction Search turned on here, the subscription names the stack's own aws/spans
        // group (so CloudFormation creates it first); otherwise the user's existing group.
        var logGroup = CloudFormationYaml.AsIntrinsic(subscription["LogGroupName"]);
        Assert.Equal("Fn::If", logGroup?.Name);
        var branches = (List<object?>)logGroup!.Value.Argument!;
        Assert.Equal("TransactionSearchEnabled", branches[0]);
        Assert.Equal(("Ref", "SpansLogGroup"), CloudFormationYaml.AsIntrinsic(branches[1]));
        Assert.Equal("aws/spans", Resolver.Resolve(_template.Resources["SpansLogGroup"].Properties["LogGroupName"]));
        Assert.Equal("TransactionSearchEnabled", _template.Resources["TransactionSearch"].Condition);
        Assert.Equal("TransactionSearchEnabled", _template.Resources["TransactionSearchLogsPolicy"].Condition);
    }

    [Fact]
    public void SpansFilterPattern_WhenRead_ShouldSelectGenAiSpansOnly()
    {
        var spanFunction = _template.Functions.Single(f => (string?)f.Properties["Handler"] == "spans");
        var events = (Dictionary<string, object?>)spanFunction.Properties["Events"]!;
        var subscription = (Dictionary<string, object?>)((Dictionary<string, object?>)events.Values.Single()!)["Properties"]!;

        var terms = ((string)subscription["FilterPattern"]!).Split(' ');

        // Any-term pattern: each term is ?"..." (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
        Assert.Equal(["?\"gen_ai.\"", "?\"invoke_agent\"", "?\"execute_tool\""], terms);
    }

    [Fact]
    public void MetricsNamespace_WhenTwoStacksShareAnAccount_ShouldBeScopedToTheStack()
    {
        var namespaces = _template.Functions
            .Select(f => _template.EnvironmentOf(f)["POWERTOOLS_METRICS_NAMESPACE"])
            .Select(value => CloudFormationYaml.AsIntrinsic(value))
            .ToList();

        Assert.All(namespaces, n => Assert.Equal(("Fn::Sub", (object?)"${MetricsNamespace}/${AWS::StackName}"), n));
        Assert.Equal("GenAI/Observability/genaiobs", Resolver.Resolve(_template.GlobalFunction.GetValueOrDefault("Environment") is Dictionary<string, object?> env
            ? ((Dictionary<string, object?>)env["Variables"]!)["POWERTOOLS_METRICS_NAMESPACE"]
            : null));
    }

    [Fact]
    public void Tags_WhenAResourceTypeSupportsThem_ShouldCarryProjectAndEnvironment()
    {
        var errors = new List<string>();
        var globalTags = _template.GlobalFunction.GetValueOrDefault("Tags") as Dictionary<string, object?>;
        foreach (var resource in _template.Resources.Values)
        {
            if (resource.Type == "AWS::Serverless::Function")
            {
                var tags = resource.Properties.GetValueOrDefault("Tags") as Dictionary<string, object?> ?? globalTags;
                Check(resource.LogicalId, tags?.Keys);
                continue;
            }

            // The CDK spec lists Tags for dashboards; CloudFormation's registry schema (cfn-lint) rejects them.
            if (resource.Type == "AWS::CloudWatch::Dashboard" || !_spec.TryGetResource(resource.Type, out var entity) || !ServiceSpec.TryGetProperty(entity, "Tags", out _))
            {
                continue;
            }

            var list = resource.Properties.GetValueOrDefault("Tags") as List<object?>;
            Check(resource.LogicalId, list?.OfType<Dictionary<string, object?>>().Select(t => (string)t["Key"]!));
        }

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        void Check(string logicalId, IEnumerable<string>? keys)
        {
            var present = keys?.ToHashSet(StringComparer.Ordinal) ?? [];
            foreach (var required in new[] { "Project", "Environment" }.Where(k => !present.Contains(k)))
            {
                errors.Add($"{logicalId}: no {required} tag");
            }
        }
    }

    [Fact]
    public void InvocationLogGroup_WhenCreatedByDefault_ShouldHaveRetentionAndMaskPersonalDataAndCredentials()
    {
        var group = _template.Resources["InvocationLogGroup"];
        var policy = (Dictionary<string, object?>)group.Properties["DataProtectionPolicy"]!;
        var statements = ((List<object?>)policy["Statement"]!).Cast<Dictionary<string, object?>>().ToList();
        List<string> Identifiers(Dictionary<string, object?> statement) =>
            [.. ((List<object?>)statement["DataIdentifier"]!).Select(Resolver.Resolve).Select(arn => arn[(arn.LastIndexOf('/') + 1)..])];

        Assert.Equal("true", Resolver.Variable("CreateInvocationLogGroup"));
        Assert.Equal("CreatesInvocationLogGroup", group.Condition);
        Assert.Equal("/aws/bedrock/modelinvocations", Resolver.Resolve(group.Properties["LogGroupName"]));
        Assert.Equal(("Ref", (object?)"InvocationLogRetentionDays"), CloudFormationYaml.AsIntrinsic(group.Properties["RetentionInDays"]));
        Assert.Equal("30", Resolver.Variable("InvocationLogRetentionDays"));
        var audit = statements.Single(s => ((Dictionary<string, object?>)s["Operation"]!).ContainsKey("Audit"));
        var mask = statements.Single(s => ((Dictionary<string, object?>)s["Operation"]!).ContainsKey("Deidentify"));
        Assert.Equal(Identifiers(audit), Identifiers(mask));
        Assert.Contains("EmailAddress", Identifiers(mask));
        Assert.Contains("AwsSecretKey", Identifiers(mask));
        Assert.Contains("OpenSshPrivateKey", Identifiers(mask));
    }

    [Fact]
    public void BedrockLoggingRole_WhenAssumed_ShouldTrustOnlyBedrockInThisAccountAndRegion()
    {
        var role = _template.Resources["BedrockLoggingRole"];
        var trust = (Dictionary<string, object?>)role.Properties["AssumeRolePolicyDocument"]!;
        var statement = (Dictionary<string, object?>)((List<object?>)trust["Statement"]!).Single()!;
        var condition = (Dictionary<string, object?>)statement["Condition"]!;

        Assert.Equal("bedrock.amazonaws.com", ((Dictionary<string, object?>)statement["Principal"]!)["Service"]);
        Assert.Equal("111122223333", Resolver.Resolve(((Dictionary<string, object?>)condition["StringEquals"]!)["aws:SourceAccount"]));
        Assert.Equal("arn:aws:bedrock:us-east-1:111122223333:*", Resolver.Resolve(((Dictionary<string, object?>)condition["ArnLike"]!)["aws:SourceArn"]));
    }
}
