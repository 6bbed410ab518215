using Xunit;

namespace GenAiObs.Tests.Template;

public sealed class IamPolicyTests
{
    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void Errors_WhenCheckingTemplateYaml_ShouldFindNoWildcardActionAndOnlyTemplateScopedResources()
    {
        var errors = IamPolicies.Errors(_template);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        Assert.NotEmpty(IamPolicies.Statements(_template));
    }

    [Fact]
    public void Errors_WhenPoliciesAreTooBroad_ShouldReportEachProblem()
    {
        var template = new TemplateDocument(CloudFormationYaml.Parse("""
            Parameters:
              Name: {Type: String}
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
              Role:
                Type: AWS::IAM::Role
                Properties:
                  ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
                  AssumeRolePolicyDocument:
                    Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
                  Policies:
                    - PolicyName: p
                      PolicyDocument:
                        Statement:
                          - {Sid: Star, Effect: Allow, Action: '*', Resource: !GetAtt Table.Arn}
                          - {Sid: ServiceStar, Effect: Allow, Action: 'dynamodb:*', Resource: !GetAtt Table.Arn}
                          - {Sid: AnyResource, Effect: Allow, Action: dynamodb:GetItem, Resource: '*'}
                          - {Sid: HardCoded, Effect: Allow, Action: dynamodb:GetItem, Resource: 'arn:aws:dynamodb:us-east-1:111122223333:table/t'}
                          - {Sid: PseudoOnly, Effect: Allow, Action: ssm:GetParameter, Resource: !Sub 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/*'}
                          - {Sid: Scoped, Effect: Allow, Action: ssm:GetParameter, Resource: !Sub 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Name}'}
                          - !If [C, {Sid: Branch, Effect: Allow, NotAction: s3:GetObject, Resource: !Ref Table}, !Ref AWS::NoValue]
                          - {Sid: MixedStar, Effect: Allow, Action: [bedrock:GetModelInvocationLoggingConfiguration, dynamodb:GetItem], Resource: '*'}
                          - {Sid: AccountLevel, Effect: Allow, Action: [bedrock:GetModelInvocationLoggingConfiguration], Resource: '*'}
              Key:
                Type: AWS::KMS::Key
                Properties:
                  KeyPolicy:
                    Statement:
                      - {Sid: EnableIamPolicies, Effect: Allow, Principal: {AWS: '*'}, Action: 'kms:*', Resource: '*'}
                      - {Sid: Alarms, Effect: Allow, Principal: {Service: cloudwatch.amazonaws.com}, Action: kms:Decrypt, Resource: '*'}
              Function:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: x
                  Policies: [AWSLambdaBasicExecutionRole]
            """));

        var errors = IamPolicies.Errors(template);

        Assert.Contains(errors, e => e.Contains("Resources.Role: managed policies", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("a service role is assumed by one AWS service with an aws:SourceAccount or aws:SourceArn condition", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[0]: action '*'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[1]: action 'dynamodb:*'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[2]: resource '*'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[3]: hard-coded resource", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[4]: resource 'arn:${AWS::Partition}", StringComparison.Ordinal) && e.Contains("names no resource or parameter", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("Statement[5]", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[6]: NotAction", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Statement[7]: resource '*'", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("Statement[8]", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("the 'EnableIamPolicies' exception applies to this account's root principal only", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Resources.Key.Statement[1]: a service principal needs", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Resources.Function: SAM Policies", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Resources.Function: without a Role", StringComparison.Ordinal));
    }

    [Fact]
    public void FunctionRoles_WhenReadWithTheirFunctions_ShouldGrantOwnLogGroupAndDeadLetterQueue()
    {
        var deadLetterTarget = Target(((Dictionary<string, object?>)_template.GlobalFunction["DeadLetterQueue"]!)["TargetArn"]);

        foreach (var function in _template.Functions)
        {
            var statements = RoleStatements(function);
            var logGroup = Target(((Dictionary<string, object?>)function.Properties["LoggingConfig"]!)["LogGroup"]);

            Assert.True(Grants(statements, "logs:PutLogEvents", logGroup) && Grants(statements, "logs:CreateLogStream", logGroup),
                $"{function.LogicalId}'s role cannot write its log group {logGroup}");
            Assert.True(Grants(statements, "sqs:SendMessage", deadLetterTarget), $"{function.LogicalId}'s role cannot send to the DLQ");
            Assert.True(Grants(statements, "kms:GenerateDataKey", "DeadLetterKey") && Grants(statements, "kms:Decrypt", "DeadLetterKey"), $"{function.LogicalId}'s role cannot encrypt for the DLQ");
        }
    }

    [Fact]
    public void EvaluatorRole_WhenComparedWithTheAlertTopic_ShouldPublishToItAndUseItsKey()
    {
        var evaluator = FunctionByHandler("evaluator");
        var statements = RoleStatements(evaluator);
        var topics = new[] { Target(_template.EnvironmentOf(evaluator)["GENAIOBS_ALERT_TOPIC_ARN"]) };

        Assert.Equal(["AlertTopic"], topics);
        Assert.False(_template.EnvironmentOf(evaluator).ContainsKey("GENAIOBS_RECEIVER_TOPICS"));
        foreach (var topic in topics)
        {
            Assert.True(Grants(statements, "sns:Publish", topic), $"evaluator cannot publish to {topic}");
            var key = Target(_template.Resources[topic].Properties["KmsMasterKeyId"]);
            Assert.True(Grants(statements, "kms:GenerateDataKey", key) && Grants(statements, "kms:Decrypt", key),
                $"evaluator cannot use {key}, the key of {topic}");
        }
    }

    [Fact]
    public void NotifierRole_WhenComparedWithItsSecretSettings_ShouldReadEachNamedParameter()
    {
        var notifier = FunctionByHandler("notifier");
        var statements = RoleStatements(notifier);
        var environment = _template.EnvironmentOf(notifier);

        foreach (var variable in new[] { "GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM", "GENAIOBS_SLACK_OPS_WEBHOOK_PARAM", "GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM" })
        {
            var parameter = Target(environment[variable]);
            Assert.True(Grants(statements, "ssm:GetParameter", parameter), $"notifier cannot read the parameter named by {variable} ({parameter})");
        }

        // The receivers AlertRouting configures keep their secrets under ReceiverSecretsPath.
        Assert.True(Grants(statements, "ssm:GetParameter", "ReceiverSecretsPath"), "notifier cannot read the parameters under ReceiverSecretsPath");
    }

    private TemplateResource FunctionByHandler(string handler) =>
        _template.Functions.Single(f => (f.Properties.GetValueOrDefault("Handler") as string) == handler);

    private List<PolicyStatement> RoleStatements(TemplateResource function)
    {
        var role = Target(function.Properties["Role"]);
        return IamPolicies.Statements(_template).Where(s => s.Owner == role).ToList();
    }

    /// <summary>The logical id or parameter a !Ref, !GetAtt or single-variable !Sub names.</summary>
    [Fact]
    public void DeadLetterQueue_WhenHoldingRawDeliveries_ShouldHaveItsOwnKeyARestrictivePolicyAndAFixedRetention()
    {
        // The DLQ holds failed events whole: for the processors, prompts and responses.
        static string Text(object? value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        var queue = _template.Resources["DeadLetterQueue"];
        var key = _template.Resources["DeadLetterKey"];
        var policy = _template.Resources.Values.Single(r => r.Type == "AWS::SQS::QueuePolicy");

        Assert.Equal("DeadLetterKey", Target(queue.Properties["KmsMasterKeyId"]));
        Assert.Equal("AWS::KMS::Key", key.Type);
        Assert.Equal("true", Text(key.Properties["EnableKeyRotation"]).ToLowerInvariant());
        Assert.Equal("1209600", Text(queue.Properties["MessageRetentionPeriod"]));
        Assert.Equal("DeadLetterQueue", Target(Assert.Single((List<object?>)policy.Properties["Queues"]!)));
        var statements = ((List<object?>)((Dictionary<string, object?>)policy.Properties["PolicyDocument"]!)["Statement"]!).Cast<Dictionary<string, object?>>().ToList();
        Assert.All(statements, s => Assert.Equal("Deny", s["Effect"]));
        Assert.Equal(["DenyInsecureTransport", "DenyOtherAccounts", "OnlyTheFunctionsSend"], statements.Select(s => (string)s["Sid"]!));
        var senders = (List<object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)statements[2]["Condition"]!)["ArnNotEquals"]!)["aws:PrincipalArn"]!;
        static string Sender(object? value) => CloudFormationYaml.AsIntrinsic(value) is ("Fn::If", List<object?> branches) ? Target(branches[1]) : Target(value);
        Assert.Equal(_template.Functions.Select(f => Target(f.Properties["Role"])).Order(StringComparer.Ordinal), senders.Select(Sender).Order(StringComparer.Ordinal));
    }

    private static string Target(object? value) => CloudFormationYaml.AsIntrinsic(value) switch
    {
        ("Ref", string target) => target,
        ("Fn::GetAtt", List<object?> parts) => (string)parts[0]!,
        ("Fn::Sub", string text) => SpecValidator.SubVariables(text).Single(v => !v.StartsWith("AWS::", StringComparison.Ordinal)).Split('.')[0],
        _ => throw new InvalidOperationException($"not a reference: {value}"),
    };

    private static bool Grants(List<PolicyStatement> statements, string action, string target) =>
        statements.Any(s => (s.Body.GetValueOrDefault("Effect") as string) == "Allow" &&
                            s.Actions.Contains(action) &&
                            s.Resources.Any(r => r is not string && Target(r) == target));
}
