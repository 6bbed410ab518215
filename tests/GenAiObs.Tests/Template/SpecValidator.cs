using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenAiObs.Tests.Template;

/// <summary>
/// Checks a template against <see cref="ServiceSpec"/>: resource types, property names (recursing
/// into nested property types, arrays, maps and unions), required properties, scalar kinds and
/// allowed values; and that every Ref, GetAtt, Sub variable and condition name points at
/// something the template declares. Intrinsic functions are values resolved at deploy time, so
/// they are accepted wherever a value goes (both branches of Fn::If are checked).
/// </summary>
public static partial class SpecValidator
{
    private const string SamFunction = "AWS::Serverless::Function";
    private const string LambdaFunction = "AWS::Lambda::Function";

    /// <summary>
    /// Known gaps of the pinned spec, as (resource type, property path) → why it is accepted.
    /// SAM function properties missing from the SAM entry (LoggingConfig, SnapStart, ...) are not
    /// listed: they are accepted through AWS::Lambda::Function, which SAM passes them to.
    /// </summary>
    private static readonly Dictionary<(string Type, string Path), string> AllowList = new()
    {
        // SAM marks both destinations required; SAM itself accepts either one alone.
        [(SamFunction, "EventInvokeConfig.DestinationConfig.OnSuccess")] = "SAM spec marks OnSuccess required",
        [(SamFunction, "EventInvokeConfig.DestinationConfig.OnFailure")] = "SAM spec marks OnFailure required",
    };

    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.Ordinal)
    {
        "AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters", "Mappings",
        "Conditions", "Rules", "Globals", "Resources", "Outputs",
    };

    private static readonly HashSet<string> ResourceKeys = new(StringComparer.Ordinal)
    {
        "Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy",
        "UpdatePolicy", "CreationPolicy",
    };

    private static readonly HashSet<string> PseudoParameters = new(StringComparer.Ordinal)
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    };

    public static List<string> SpecErrors(TemplateDocument template, ServiceSpec spec)
    {
        var errors = new List<string>();
        foreach (var key in template.Root.Keys.Where(k => !TopLevelKeys.Contains(k)))
        {
            errors.Add($"unknown top-level section '{key}'");
        }

        spec.TryGetResource(SamFunction, out var samFunction);
        spec.TryGetResource(LambdaFunction, out var lambdaFunction);

        foreach (var resource in template.Resources.Values)
        {
            var path = $"Resources.{resource.LogicalId}";
            foreach (var key in resource.Raw.Keys.Where(k => !ResourceKeys.Contains(k)))
            {
                errors.Add($"{path}: unknown resource attribute '{key}'");
            }

            // A custom resource (Custom::Name) has no schema: only the ServiceToken its provider needs.
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html
            if (resource.Type.StartsWith("Custom::", StringComparison.Ordinal))
            {
                if (!resource.Properties.ContainsKey("ServiceToken"))
                {
                    errors.Add($"{path}: a custom resource needs a ServiceToken");
                }

                continue;
            }

            if (!spec.TryGetResource(resource.Type, out var entity))
            {
                errors.Add($"{path}: unknown resource type '{resource.Type}'");
                continue;
            }

            var context = new Context(spec, resource.Type, errors);
            var fallback = resource.Type == SamFunction ? lambdaFunction : (JsonElement?)null;
            ValidateObject(context, resource.Properties, entity, fallback, path + ".Properties", "", requireAll: true);
        }

        // Globals.Function holds function properties that SAM copies into every function, so each
        // key must be a SAM or Lambda function property; required ones are the functions' business.
        if (template.GlobalFunction.Count > 0)
        {
            var context = new Context(spec, SamFunction, errors);
            ValidateObject(context, template.GlobalFunction, samFunction, lambdaFunction, "Globals.Function", "", requireAll: false);
        }

        return errors;
    }

    public static List<string> ReferenceErrors(TemplateDocument template, ServiceSpec spec)
    {
        var errors = new List<string>();
        foreach (var resource in template.Resources.Values)
        {
            if (resource.Condition is { } condition && !template.Conditions.ContainsKey(condition))
            {
                errors.Add($"Resources.{resource.LogicalId}: unknown condition '{condition}'");
            }

            WalkReferences(template, spec, resource.Raw, $"Resources.{resource.LogicalId}", resource.Condition, errors);
        }

        foreach (var (name, output) in template.Outputs)
        {
            var condition = (output as Dictionary<string, object?>)?.GetValueOrDefault("Condition") as string;
            WalkReferences(template, spec, output, $"Outputs.{name}", condition, errors);
        }

        WalkReferences(template, spec, template.GlobalFunction, "Globals.Function", null, errors);
        WalkReferences(template, spec, template.Conditions, "Conditions", null, errors);
        return errors;
    }

    private static void WalkReferences(TemplateDocument template, ServiceSpec spec, object? node, string path, string? condition, List<string> errors)
    {
        if (CloudFormationYaml.AsIntrinsic(node) is var (name, argument))
        {
            switch (name)
            {
                case "Ref" when argument is string target:
                    CheckTarget(template, target, path, condition, errors);
                    return;
                case "Fn::GetAtt" when argument is List<object?> { Count: 2 } parts && parts[0] is string id && parts[1] is string attribute:
                    CheckGetAtt(template, spec, id, attribute, path, condition, errors);
                    return;
                case "Condition" when argument is string conditionName:
                    if (!template.Conditions.ContainsKey(conditionName))
                    {
                        errors.Add($"{path}: unknown condition '{conditionName}'");
                    }

                    return;
                case "Fn::If" when argument is List<object?> { Count: 3 } branches && branches[0] is string ifCondition:
                    if (!template.Conditions.ContainsKey(ifCondition))
                    {
                        errors.Add($"{path}: unknown condition '{ifCondition}'");
                    }

                    // A branch taken only when the condition holds may name resources that exist only then.
                    WalkReferences(template, spec, branches[1], path, ifCondition, errors);
                    WalkReferences(template, spec, branches[2], path, condition, errors);
                    return;
                case "Fn::Sub":
                    CheckSub(template, spec, argument, path, condition, errors);
                    return;
            }
        }

        switch (node)
        {
            case Dictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    WalkReferences(template, spec, value, $"{path}.{key}", condition, errors);
                }

                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    WalkReferences(template, spec, list[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", condition, errors);
                }

                break;
        }
    }

    private static void CheckSub(TemplateDocument template, ServiceSpec spec, object? argument, string path, string? condition, List<string> errors)
    {
        string text;
        Dictionary<string, object?> variables;
        switch (argument)
        {
            case string s:
                text = s;
                variables = new Dictionary<string, object?>(StringComparer.Ordinal);
                break;
            case List<object?> { Count: 2 } pair when pair[0] is string s && pair[1] is Dictionary<string, object?> map:
                text = s;
                variables = map;
                WalkReferences(template, spec, map, path, condition, errors);
                break;
            default:
                errors.Add($"{path}: Fn::Sub takes a string or [string, map]");
                return;
        }

        foreach (var variable in SubVariables(text))
        {
            if (variables.ContainsKey(variable))
            {
                continue;
            }

            var dot = variable.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0)
            {
                CheckGetAtt(template, spec, variable[..dot], variable[(dot + 1)..], path, condition, errors);
            }
            else
            {
                CheckTarget(template, variable, path, condition, errors);
            }
        }
    }

    /// <summary>The <c>${Name}</c> variables of a Fn::Sub string (<c>${!Literal}</c> is not one).</summary>
    public static IEnumerable<string> SubVariables(string text) =>
        SubVariable().Matches(text).Select(m => m.Groups[1].Value.Trim()).Where(v => !v.StartsWith('!'));

    private static void CheckTarget(TemplateDocument template, string target, string path, string? condition, List<string> errors)
    {
        if (PseudoParameters.Contains(target) || template.Parameters.ContainsKey(target))
        {
            return;
        }

        if (!template.Resources.TryGetValue(target, out var resource))
        {
            errors.Add($"{path}: reference to unknown '{target}'");
            return;
        }

        CheckConditionCompatible(template, resource, path, condition, errors);
    }

    private static void CheckGetAtt(TemplateDocument template, ServiceSpec spec, string id, string attribute, string path, string? condition, List<string> errors)
    {
        if (!template.Resources.TryGetValue(id, out var resource))
        {
            errors.Add($"{path}: GetAtt of unknown resource '{id}'");
            return;
        }

        CheckConditionCompatible(template, resource, path, condition, errors);
        var type = resource.Type == SamFunction ? LambdaFunction : resource.Type;
        if (spec.TryGetResource(type, out var entity) && !type.StartsWith("AWS::Serverless::", StringComparison.Ordinal) &&
            !ServiceSpec.HasAttribute(entity, attribute))
        {
            errors.Add($"{path}: {type} has no attribute '{attribute}' (GetAtt {id}.{attribute})");
        }
    }

    /// <summary>
    /// A resource that exists only under a condition can be named only where that condition holds:
    /// under the same condition, or under one defined as <c>Fn::And</c> of it (directly or through
    /// further <c>Fn::And</c>s).
    /// </summary>
    private static void CheckConditionCompatible(TemplateDocument template, TemplateResource target, string path, string? condition, List<string> errors)
    {
        if (target.Condition is { } required && !Implies(template, condition, required, depth: 0))
        {
            errors.Add($"{path}: names '{target.LogicalId}' (condition {required}) outside that condition");
        }
    }

    private static bool Implies(TemplateDocument template, string? condition, string required, int depth)
    {
        if (condition is null || depth > 16)
        {
            return false;
        }

        if (string.Equals(required, condition, StringComparison.Ordinal))
        {
            return true;
        }

        return CloudFormationYaml.AsIntrinsic(template.Conditions.GetValueOrDefault(condition)) is ("Fn::And", List<object?> operands) &&
            operands.Any(o => CloudFormationYaml.AsIntrinsic(o) is ("Condition", string inner) && Implies(template, inner, required, depth + 1));
    }

    private sealed record Context(ServiceSpec Spec, string ResourceType, List<string> Errors);

    /// <summary>Validates a mapping against a resource or type-definition entity (its <c>properties</c>).</summary>
    private static void ValidateObject(Context context, Dictionary<string, object?> map, JsonElement entity, JsonElement? fallback, string path, string relative, bool requireAll)
    {
        // SAM event sources: Properties is a union of every event type; the Type picks the member.
        if (entity.TryGetProperty("name", out var typeName) && typeName.GetString() == "EventSource" &&
            context.ResourceType == SamFunction && map.GetValueOrDefault("Type") is string eventType)
        {
            ValidateEventSource(context, map, entity, eventType, path, relative);
            return;
        }

        foreach (var (name, value) in map)
        {
            var childRelative = relative.Length == 0 ? name : $"{relative}.{name}";
            if (ServiceSpec.TryGetProperty(entity, name, out var property) ||
                (fallback is { } other && ServiceSpec.TryGetProperty(other, name, out property)))
            {
                ValidateValue(context, value, property.GetProperty("type"), $"{path}.{name}", childRelative);
            }
            else if (!AllowList.ContainsKey((context.ResourceType, childRelative)))
            {
                context.Errors.Add($"{path}: unknown property '{name}'");
            }
        }

        if (!requireAll)
        {
            return;
        }

        foreach (var required in ServiceSpec.RequiredProperties(entity))
        {
            var childRelative = relative.Length == 0 ? required : $"{relative}.{required}";
            if (!map.ContainsKey(required) && !AllowList.ContainsKey((context.ResourceType, childRelative)))
            {
                context.Errors.Add($"{path}: required property '{required}' is missing");
            }
        }
    }

    private static void ValidateEventSource(Context context, Dictionary<string, object?> map, JsonElement entity, string eventType, string path, string relative)
    {
        foreach (var key in map.Keys.Where(k => k is not "Type" and not "Properties"))
        {
            context.Errors.Add($"{path}: unknown property '{key}'");
        }

        var members = entity.GetProperty("properties").GetProperty("Properties").GetProperty("type").GetProperty("types").EnumerateArray()
            .Select(t => context.Spec.TypeDefinition(t.GetProperty("reference").GetProperty("$ref").GetString()!));
        var member = members.Where(m => m.GetProperty("name").GetString() == eventType + "Event").Select(m => (JsonElement?)m).FirstOrDefault();
        if (member is not { } definition)
        {
            context.Errors.Add($"{path}: unknown SAM event type '{eventType}'");
            return;
        }

        if (map.GetValueOrDefault("Properties") is Dictionary<string, object?> properties)
        {
            ValidateObject(context, properties, definition, null, path + ".Properties", relative + ".Properties", requireAll: true);
        }
        else
        {
            context.Errors.Add($"{path}: event '{eventType}' needs Properties");
        }
    }

    private static void ValidateValue(Context context, object? value, JsonElement type, string path, string relative)
    {
        if (CloudFormationYaml.AsIntrinsic(value) is var (name, argument))
        {
            if (name == "Fn::If" && argument is List<object?> { Count: 3 } branches)
            {
                foreach (var branch in branches.Skip(1).Where(b => !IsNoValue(b)))
                {
                    ValidateValue(context, branch, type, path, relative);
                }
            }

            return;
        }

        var errors = context.Errors;
        switch (type.GetProperty("type").GetString())
        {
            case "string":
            case "date-time":
                if (value is not string text)
                {
                    errors.Add($"{path}: expected a string");
                }
                else if (type.TryGetProperty("allowedValues", out var allowed) &&
                         !allowed.EnumerateArray().Any(a => a.GetString() == text))
                {
                    errors.Add($"{path}: '{text}' is not one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetString()))}");
                }

                break;
            case "number":
                if (value is not string number || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{path}: expected a number");
                }

                break;
            case "integer":
                if (value is not string integer || !long.TryParse(integer, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{path}: expected an integer");
                }

                break;
            case "boolean":
                if (value is not string flag || !(flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag.Equals("false", StringComparison.OrdinalIgnoreCase)))
                {
                    errors.Add($"{path}: expected true or false");
                }

                break;
            case "json":
                break;
            case "tag":
                if (value is not Dictionary<string, object?> tag || !tag.ContainsKey("Key") || !tag.ContainsKey("Value") || tag.Count != 2)
                {
                    errors.Add($"{path}: expected a tag {{Key, Value}}");
                }

                break;
            case "array":
                if (value is List<object?> items)
                {
                    for (var i = 0; i < items.Count; i++)
                    {
                        ValidateValue(context, items[i], type.GetProperty("element"), $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", relative);
                    }
                }
                else
                {
                    errors.Add($"{path}: expected a list");
                }

                break;
            case "map":
                if (value is Dictionary<string, object?> entries)
                {
                    foreach (var (key, entry) in entries)
                    {
                        ValidateValue(context, entry, type.GetProperty("element"), $"{path}.{key}", relative);
                    }
                }
                else
                {
                    errors.Add($"{path}: expected a mapping");
                }

                break;
            case "ref":
                var definition = context.Spec.TypeDefinition(type.GetProperty("reference").GetProperty("$ref").GetString()!);
                if (value is Dictionary<string, object?> properties)
                {
                    ValidateObject(context, properties, definition, null, path, relative, requireAll: true);
                }
                else
                {
                    errors.Add($"{path}: expected a {definition.GetProperty("name").GetString()} mapping");
                }

                break;
            case "union":
                ValidateUnion(context, value, type, path, relative);
                break;
            default:
                errors.Add($"{path}: spec type '{type.GetProperty("type").GetString()}' is not understood by this validator");
                break;
        }
    }

    /// <summary>A union accepts the value when any member does; otherwise the closest member's errors are reported.</summary>
    private static void ValidateUnion(Context context, object? value, JsonElement type, string path, string relative)
    {
        List<string>? best = null;
        foreach (var member in type.GetProperty("types").EnumerateArray())
        {
            var attempt = new List<string>();
            ValidateValue(context with { Errors = attempt }, value, member, path, relative);
            if (attempt.Count == 0)
            {
                return;
            }

            if (best is null || attempt.Count < best.Count)
            {
                best = attempt;
            }
        }

        context.Errors.AddRange(best ?? [$"{path}: empty union"]);
    }

    private static bool IsNoValue(object? value) =>
        CloudFormationYaml.AsIntrinsic(value) is ("Ref", "AWS::NoValue");

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubVariable();
}
