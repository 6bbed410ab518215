using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// template.yaml's central ingestion block (IngestionMode=central) and member.yaml: each
/// destination writes to a stream that exactly one processor reads, through a mapping with
/// partial batch responses, bisection and an on-failure destination; nothing of it exists in
/// direct mode; member.yaml subscribes with the same filters and protects its group the same way.
/// </summary>
public sealed class CentralIngestionTemplateTests
{
    private static readonly string[] StreamReadActions =
        ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"];

    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();
    private readonly TemplateDocument _member = TemplateDocument.Load(Path.Combine(RepositoryPaths.Root, "member.yaml"));

    [Fact]
    public void IngestionMode_WhenLeftAtItsDefault_ShouldCreateNoStreamDestinationOrMapping()
    {
        var parameter = (Dictionary<string, object?>)_template.Parameters["IngestionMode"]!;
        Assert.Equal("direct", parameter["Default"]);
        Assert.Equal(["direct", "central"], ((List<object?>)parameter["AllowedValues"]!).Cast<string>());

        var central = _template.Resources.Values.Where(r => r.Type is "AWS::Kinesis::Stream" or "AWS::Logs::Destination" or "AWS::Lambda::EventSourceMapping").ToList();
        Assert.Equal(6, central.Count);
        Assert.All(central, r => Assert.Contains(r.Condition, new[] { "CentralIngestion", "CentralSpanIngestion" }));
        Assert.Equal(("Fn::Equals", "central"), ConditionOn("CentralIngestion"));
        Assert.Equal("DestinationRole", Assert.Single(_template.Resources.Values, r => r.Type == "AWS::IAM::Role" && r.Condition == "CentralIngestion").LogicalId);
    }

    [Theory]
    [InlineData("InvocationLogDestination", "invocation-logs")]
    [InlineData("SpanDestination", "spans")]
    public void Destination_WhenFollowedToItsProcessor_ShouldReachTheHandlerThroughAMappingWithPartialBatchResponses(string destinationId, string handler)
    {
        // Destination -> stream
        var destination = _template.Resources[destinationId];
        var stream = GetAttTarget(destination.Properties["TargetArn"]);
        Assert.Equal("AWS::Kinesis::Stream", _template.Resources[stream].Type);
        Assert.Equal("DestinationRole", GetAttTarget(destination.Properties["RoleArn"]));
        var streamProperties = _template.Resources[stream].Properties;
        Assert.Equal("ON_DEMAND", ((Dictionary<string, object?>)streamProperties["StreamModeDetails"]!)["StreamMode"]);
        Assert.Equal("KMS", ((Dictionary<string, object?>)streamProperties["StreamEncryption"]!)["EncryptionType"]);

        // stream -> exactly one mapping -> the function serving the handler
        var mapping = Assert.Single(_template.Resources.Values, r => r.Type == "AWS::Lambda::EventSourceMapping" && GetAttTarget(r.Properties["EventSourceArn"]) == stream);
        Assert.Equal(destination.Condition, mapping.Condition);
        var function = _template.Resources[RefTarget(mapping.Properties["FunctionName"])];
        Assert.Equal(handler, function.Properties["Handler"]);
        var p = mapping.Properties;
        Assert.Equal(["ReportBatchItemFailures"], ((List<object?>)p["FunctionResponseTypes"]!).Cast<string>());
        Assert.Equal("true", Convert.ToString(p["BisectBatchOnFunctionError"], System.Globalization.CultureInfo.InvariantCulture)?.ToLowerInvariant());
        Assert.Equal("DeadLetterQueue", GetAttTarget(((Dictionary<string, object?>)((Dictionary<string, object?>)p["DestinationConfig"]!)["OnFailure"]!)["Destination"]));
        Assert.Equal(("StreamBatchSize", "StreamBatchingWindowSeconds", "StreamParallelizationFactor"), (RefTarget(p["BatchSize"]), RefTarget(p["MaximumBatchingWindowInSeconds"]), RefTarget(p["ParallelizationFactor"])));

        // The record age limit never exceeds what the stream keeps.
        Assert.True(Convert.ToInt64(p["MaximumRecordAgeInSeconds"], System.Globalization.CultureInfo.InvariantCulture) <= 3600L * Convert.ToInt64(streamProperties["RetentionPeriodHours"], System.Globalization.CultureInfo.InvariantCulture));

        // The function's role reads that stream, and only in central mode.
        var role = GetAttTarget(function.Properties["Role"]);
        var read = IamPolicies.Statements(_template).Where(s => s.Owner == role && s.Actions.Any(a => a.StartsWith("kinesis:", StringComparison.Ordinal))).ToList();
        var statement = Assert.Single(read);
        Assert.Equal(StreamReadActions, statement.Actions.Order(StringComparer.Ordinal));
        Assert.Equal(stream, GetAttTarget(statement.Body["Resource"]));
    }

    [Fact]
    public void DestinationRole_WhenRead_ShouldLetOnlyCloudWatchLogsPutRecordsOnTheStreams()
    {
        var role = _template.Resources["DestinationRole"];
        var trust = (Dictionary<string, object?>)((List<object?>)((Dictionary<string, object?>)role.Properties["AssumeRolePolicyDocument"]!)["Statement"]!)[0]!;
        Assert.Equal("logs.amazonaws.com", ((Dictionary<string, object?>)trust["Principal"]!)["Service"]);
        Assert.True(((Dictionary<string, object?>)((Dictionary<string, object?>)trust["Condition"]!)["StringLike"]!).ContainsKey("aws:SourceArn"));

        var granted = IamPolicies.Statements(_template).Where(s => s.Owner == "DestinationRole").ToList();
        Assert.All(granted, s => Assert.Equal(["kinesis:PutRecord"], s.Actions));
        Assert.Equal(["InvocationLogStream", "SpanStream"], granted.Select(s => GetAttTarget(s.Body["Resource"])).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("InvocationLogDestination")]
    [InlineData("SpanDestination")]
    public void DestinationPolicy_WhenRead_ShouldAdmitTheMemberAccountsAndTheOrganisationOnly(string destinationId)
    {
        var text = System.Text.Json.JsonSerializer.Serialize(_template.Resources[destinationId].Properties["DestinationPolicy"]);

        Assert.Contains("MemberAccountIds", text, StringComparison.Ordinal);
        Assert.Contains("aws:PrincipalOrgID", text, StringComparison.Ordinal);
        Assert.Contains("MemberOrganizationId", text, StringComparison.Ordinal);
        Assert.Contains("logs:PutSubscriptionFilter", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kinesis:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("InvocationLogSubscription", "InvocationLogFunction", "InvocationLogs")]
    [InlineData("SpanSubscription", "SpanFunction", "Spans")]
    public void MemberSubscription_WhenComparedWithTheDirectOne_ShouldUseTheSameFilterToTheCentralDestination(string memberFilter, string function, string eventName)
    {
        var member = _member.Resources[memberFilter];
        var direct = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)_template.Resources[function].Properties["Events"]!)[eventName]!)["Properties"]!;

        Assert.Equal("AWS::Logs::SubscriptionFilter", member.Type);
        Assert.Equal(direct["FilterPattern"], member.Properties["FilterPattern"]);
        Assert.EndsWith("DestinationArn", RefTarget(member.Properties["DestinationArn"]), StringComparison.Ordinal);
    }

    [Fact]
    public void MemberLogGroup_WhenComparedWithTemplateYaml_ShouldHaveTheSameRetentionDefaultAndDataProtection()
    {
        var member = _member.Resources["InvocationLogGroup"].Properties;
        var central = _template.Resources["InvocationLogGroup"].Properties;

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(central["DataProtectionPolicy"]), System.Text.Json.JsonSerializer.Serialize(member["DataProtectionPolicy"]));
        Assert.Equal(((Dictionary<string, object?>)_template.Parameters["InvocationLogRetentionDays"]!)["Default"], ((Dictionary<string, object?>)_member.Parameters["InvocationLogRetentionDays"]!)["Default"]);
        Assert.False(_member.Root.ContainsKey("Transform"), "a service-managed StackSet rejects templates with a transform");
        Assert.Equal("logging-setup", _member.Resources["LoggingSetupFunction"].Properties["Handler"]);
    }

    private (string, string) ConditionOn(string name)
    {
        var (function, argument) = CloudFormationYaml.AsIntrinsic(_template.Conditions[name])!.Value;
        var parts = (List<object?>)argument!;
        return (function, (string)parts[1]!);
    }

    private static string GetAttTarget(object? value) => CloudFormationYaml.AsIntrinsic(value) switch
    {
        ("Fn::GetAtt", List<object?> parts) => (string)parts[0]!,
        ("Fn::GetAtt", string dotted) => dotted.Split('.')[0],
        var other => throw new InvalidOperationException($"not a GetAtt: {other}"),
    };

    private static string RefTarget(object? value) => CloudFormationYaml.AsIntrinsic(value) switch
    {
        ("Ref", string target) => target,
        var other => throw new InvalidOperationException($"not a Ref: {other}"),
    };
}
