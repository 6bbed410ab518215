namespace GenAiObs.Tests.Template;

/// <summary>One policy statement found in a template, with where it came from.</summary>
public sealed record PolicyStatement(string Path, string Owner, Dictionary<string, object?> Body, bool IsResourcePolicy)
{
    public IReadOnlyList<string> Actions => Strings(Body.GetValueOrDefault("Action"));

    public IReadOnlyList<object?> Resources => Body.GetValueOrDefault("Resource") switch
    {
        List<object?> list => list,
        null => [],
        var single => [single],
    };

    private static List<string> Strings(object? value) => value switch
    {
        string s => [s],
        List<object?> list => list.OfType<string>().ToList(),
        _ => [],
    };
}

/// <summary>
/// Least-privilege rules for the template's IAM: identity policies (role inline policies) may
/// not use a <c>*</c> or <c>service:*</c> action, Not* elements, managed policies or a
/// <c>*</c>/hard-coded resource — every resource must be a resource or parameter of this template
/// (<c>!Ref</c>, <c>!GetAtt</c>, or a <c>!Sub</c> naming one). Resource policies (the KMS key
/// policy) may use <c>*</c> as the resource (it means "this key") and service principals must
/// carry a source condition.
/// </summary>
public static class IamPolicies
{
    /// <summary>
    /// Documented exceptions, by statement Sid. The AWS default key-policy statement gives the
    /// account root kms:* so IAM policies can grant the key (and the key stays manageable).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Exceptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["EnableIamPolicies"] = "default key-policy statement delegating to IAM (principal: this account's root)",
    };

    /// <summary>
    /// Actions that support no resource ARN, so <c>Resource: '*'</c> is their only form (Service
    /// Authorization Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html).
    /// A statement may use '*' only when every action in it is listed here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> AccountLevelActions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bedrock:GetModelInvocationLoggingConfiguration"] = "one configuration per account and region",
        ["bedrock:PutModelInvocationLoggingConfiguration"] = "one configuration per account and region",
        ["bedrock:DeleteModelInvocationLoggingConfiguration"] = "one configuration per account and region",
    };

    public static List<PolicyStatement> Statements(TemplateDocument template)
    {
        var statements = new List<PolicyStatement>();
        foreach (var resource in template.Resources.Values)
        {
            var path = $"Resources.{resource.LogicalId}";
            switch (resource.Type)
            {
                case "AWS::IAM::Role":
                    if (resource.Properties.GetValueOrDefault("Policies") is List<object?> policies)
                    {
                        for (var i = 0; i < policies.Count; i++)
                        {
                            var document = (policies[i] as Dictionary<string, object?>)?.GetValueOrDefault("PolicyDocument");
                            Collect(statements, document, $"{path}.Policies[{i}]", resource.LogicalId, isResourcePolicy: false);
                        }
                    }

                    break;
                case "AWS::IAM::Policy":
                case "AWS::IAM::ManagedPolicy":
                    Collect(statements, resource.Properties.GetValueOrDefault("PolicyDocument"), path, resource.LogicalId, isResourcePolicy: false);
                    break;
                case "AWS::KMS::Key":
                    Collect(statements, resource.Properties.GetValueOrDefault("KeyPolicy"), path, resource.LogicalId, isResourcePolicy: true);
                    break;
                case "AWS::SNS::TopicPolicy":
                case "AWS::SQS::QueuePolicy":
                    Collect(statements, resource.Properties.GetValueOrDefault("PolicyDocument"), path, resource.LogicalId, isResourcePolicy: true);
                    break;
            }
        }

        return statements;
    }

    public static List<string> Errors(TemplateDocument template)
    {
        var errors = new List<string>();
        foreach (var resource in template.Resources.Values)
        {
            var path = $"Resources.{resource.LogicalId}";
            if (resource.Type == "AWS::IAM::Role")
            {
                if (resource.Properties.ContainsKey("ManagedPolicyArns"))
                {
                    errors.Add($"{path}: managed policies cannot be scoped to this template's resources; use inline statements");
                }

                var isFunctionRole = template.Functions.Any(f => CloudFormationYaml.AsIntrinsic(f.Properties.GetValueOrDefault("Role")) is ("Fn::GetAtt", List<object?> parts) && (string?)parts[0] == resource.LogicalId);
                errors.AddRange(TrustErrors(resource, path, isFunctionRole));
            }

            if (resource.Type == "AWS::Serverless::Function")
            {
                if (resource.Properties.ContainsKey("Policies"))
                {
                    errors.Add($"{path}: SAM Policies (managed names, policy templates) are not reviewed here; give the function a Role with inline statements");
                }

                if (!resource.Properties.ContainsKey("Role"))
                {
                    errors.Add($"{path}: without a Role SAM generates one with AWSLambdaBasicExecutionRole (logs on every resource)");
                }
            }
        }

        foreach (var statement in Statements(template))
        {
            errors.AddRange(StatementErrors(template, statement));
        }

        return errors;
    }

    private static IEnumerable<string> TrustErrors(TemplateResource role, string path, bool isFunctionRole)
    {
        var trust = new List<PolicyStatement>();
        Collect(trust, role.Properties.GetValueOrDefault("AssumeRolePolicyDocument"), path + ".AssumeRolePolicyDocument", role.LogicalId, isResourcePolicy: true);
        foreach (var statement in trust)
        {
            var service = (statement.Body.GetValueOrDefault("Principal") as Dictionary<string, object?>)?.GetValueOrDefault("Service") as string;
            if (!isFunctionRole)
            {
                // A service role: one AWS service, and only on behalf of named sources (the
                // confused-deputy condition): this account (aws:SourceAccount, Bedrock's logging
                // role) or the source ARNs of named accounts (aws:SourceArn, the role CloudWatch
                // Logs assumes for a cross-account destination).
                var condition = statement.Body.GetValueOrDefault("Condition") as Dictionary<string, object?>;
                var sourceAccount = (condition?.GetValueOrDefault("StringEquals") as Dictionary<string, object?>)?.ContainsKey("aws:SourceAccount") == true;
                var sourceArn = (condition?.GetValueOrDefault("StringLike") as Dictionary<string, object?>)?.ContainsKey("aws:SourceArn") == true
                    || (condition?.GetValueOrDefault("ArnLike") as Dictionary<string, object?>)?.ContainsKey("aws:SourceArn") == true;
                if (service is null || !service.EndsWith(".amazonaws.com", StringComparison.Ordinal) || statement.Actions is not ["sts:AssumeRole"] || !(sourceAccount || sourceArn))
                {
                    yield return $"{statement.Path}: a service role is assumed by one AWS service with an aws:SourceAccount or aws:SourceArn condition";
                }
            }
            else if (service != "lambda.amazonaws.com" || statement.Actions is not ["sts:AssumeRole"])
            {
                yield return $"{statement.Path}: a function role is assumed by lambda.amazonaws.com only";
            }
        }
    }

    private static IEnumerable<string> StatementErrors(TemplateDocument template, PolicyStatement statement)
    {
        var sid = statement.Body.GetValueOrDefault("Sid") as string;
        var excepted = sid is not null && Exceptions.ContainsKey(sid);
        foreach (var forbidden in new[] { "NotAction", "NotResource", "NotPrincipal" }.Where(statement.Body.ContainsKey))
        {
            yield return $"{statement.Path}: {forbidden} grants everything else; list what is allowed";
        }

        if (statement.Actions.Count == 0)
        {
            yield return $"{statement.Path}: no Action";
        }

        foreach (var action in statement.Actions)
        {
            if (action == "*" || (!excepted && action.EndsWith(":*", StringComparison.Ordinal)) || !action.Contains(':', StringComparison.Ordinal))
            {
                yield return $"{statement.Path}: action '{action}' is a wildcard or malformed";
            }
        }

        if (statement.IsResourcePolicy)
        {
            var principal = statement.Body.GetValueOrDefault("Principal") as Dictionary<string, object?>;
            if (principal is null)
            {
                yield return $"{statement.Path}: resource policy statement without a Principal";
            }
            else if (principal.ContainsKey("Service") && !statement.Body.ContainsKey("Condition"))
            {
                yield return $"{statement.Path}: a service principal needs an aws:SourceAccount/aws:SourceArn condition (confused deputy)";
            }

            if (excepted && !IsAccountRoot(principal?.GetValueOrDefault("AWS")))
            {
                yield return $"{statement.Path}: the '{sid}' exception applies to this account's root principal only";
            }

            yield break;
        }

        if (statement.Resources.Count == 0)
        {
            yield return $"{statement.Path}: no Resource";
        }

        var accountLevel = statement.Actions.Count > 0 && statement.Actions.All(AccountLevelActions.ContainsKey);
        foreach (var resource in statement.Resources)
        {
            if (accountLevel && resource is "*")
            {
                continue;
            }

            if (ResourceError(template, resource) is { } error)
            {
                yield return $"{statement.Path}: {error}";
            }
        }
    }

    /// <summary>
    /// <c>…parameter${Path}*</c> where Path is a template parameter constrained to a non-root SSM
    /// path (<c>/a/</c>, <c>/a/b/</c>): the one wildcard allowed — every parameter below a path the
    /// deployer chose, which is how a configuration's receiver secrets are scoped.
    /// </summary>
    private static bool IsPathPrefix(TemplateDocument template, string text)
    {
        if (!text.EndsWith("}*", StringComparison.Ordinal) || text.IndexOf('*', StringComparison.Ordinal) != text.Length - 1)
        {
            return false;
        }

        var variable = text[(text.LastIndexOf("${", StringComparison.Ordinal) + 2)..^2];
        return template.Parameters.TryGetValue(variable, out var parameter)
            && parameter is Dictionary<string, object?> definition
            && definition.GetValueOrDefault("AllowedPattern") is string pattern
            && pattern.StartsWith("^/", StringComparison.Ordinal)
            && pattern.EndsWith("/)+$", StringComparison.Ordinal);
    }

    /// <summary>Null when the resource names something of this template; else why not.</summary>
    private static string? ResourceError(TemplateDocument template, object? resource)
    {
        switch (CloudFormationYaml.AsIntrinsic(resource))
        {
            case ("Ref", string target):
                return template.Resources.ContainsKey(target) || template.Parameters.ContainsKey(target)
                    ? null
                    : $"resource !Ref {target} is not a resource or parameter of this template";
            case ("Fn::GetAtt", List<object?> { Count: 2 } parts) when parts[0] is string id:
                return template.Resources.ContainsKey(id) ? null : $"resource !GetAtt {id} is not a resource of this template";
            case ("Fn::Sub", string text):
                var named = SpecValidator.SubVariables(text)
                    .Any(v => template.Resources.ContainsKey(v.Split('.')[0]) || template.Parameters.ContainsKey(v));
                if (!named)
                {
                    return $"resource '{text}' names no resource or parameter of this template";
                }

                return text.Contains('*', StringComparison.Ordinal) && !IsPathPrefix(template, text) ? $"resource '{text}' has a wildcard" : null;
            case ("Fn::If", List<object?> { Count: 3 } branches):
                return branches.Skip(1)
                    .Where(b => CloudFormationYaml.AsIntrinsic(b) is not ("Ref", "AWS::NoValue"))
                    .Select(b => ResourceError(template, b))
                    .FirstOrDefault(e => e is not null);
            case null when resource is "*":
                return "resource '*'";
            case null when resource is string literal:
                return $"hard-coded resource '{literal}'";
            default:
                return "resource is not a !Ref, !GetAtt or !Sub of this template";
        }
    }

    private static bool IsAccountRoot(object? principal) =>
        CloudFormationYaml.AsIntrinsic(principal) is ("Fn::Sub", string text) &&
        text == "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";

    private static void Collect(List<PolicyStatement> statements, object? document, string path, string owner, bool isResourcePolicy)
    {
        var body = (document as Dictionary<string, object?>)?.GetValueOrDefault("Statement");
        var list = body switch
        {
            List<object?> l => l,
            null => [],
            var single => [single],
        };
        for (var i = 0; i < list.Count; i++)
        {
            foreach (var statement in Branches(list[i]))
            {
                statements.Add(new PolicyStatement($"{path}.Statement[{i}]", owner, statement, isResourcePolicy));
            }
        }
    }

    /// <summary>A statement, or each real branch of a Fn::If that chooses one.</summary>
    private static IEnumerable<Dictionary<string, object?>> Branches(object? node)
    {
        if (CloudFormationYaml.AsIntrinsic(node) is ("Fn::If", List<object?> { Count: 3 } branches))
        {
            return branches.Skip(1).SelectMany(Branches);
        }

        return node is Dictionary<string, object?> statement && CloudFormationYaml.AsIntrinsic(node) is null ? [statement] : [];
    }
}
