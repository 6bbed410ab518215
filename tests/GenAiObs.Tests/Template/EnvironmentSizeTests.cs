using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// Lambda allows 4 KB for a function's environment variables, names and values together
/// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Every function's
/// environment is resolved here with every parameter at the longest value its constraints accept,
/// so a deploy that passes CloudFormation's parameter checks can never fail on the limit.
/// </summary>
public sealed partial class EnvironmentSizeTests
{
    private const int LambdaEnvironmentLimitBytes = 4096;

    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void Environment_WhenEveryParameterIsAtItsLongest_ShouldFitLambdasFourKilobytes()
    {
        var resolver = new WorstCaseResolver(_template);

        var sizes = _template.Functions
            .Select(f => (f.LogicalId, Bytes: _template.EnvironmentOf(f).Sum(v => Encoding.UTF8.GetByteCount(v.Key) + Encoding.UTF8.GetByteCount(resolver.Resolve(v.Value)))))
            .ToList();

        Assert.NotEmpty(sizes);
        Assert.All(sizes, s => Assert.True(s.Bytes <= LambdaEnvironmentLimitBytes, $"{s.LogicalId}: {s.Bytes} bytes of environment at worst"));
    }

    [Fact]
    public void WorstCaseResolver_WhenParametersAreConstrained_ShouldUseTheLongestAcceptedValue()
    {
        var template = new TemplateDocument(CloudFormationYaml.Parse("""
            Parameters:
              Capped: {Type: String, MaxLength: 30}
              Patterned: {Type: String, AllowedPattern: '^/[a-z]{1,12}$'}
              Listed: {Type: String, AllowedValues: [a, bbbb, cc]}
              Counted: {Type: Number, MaxValue: 1000}
            Resources:
              Topic: {Type: AWS::SNS::Topic}
            """));
        var resolver = new WorstCaseResolver(template);

        Assert.Equal(30, resolver.Resolve(Ref("Capped")).Length);
        Assert.Equal(13, resolver.Resolve(Ref("Patterned")).Length);
        Assert.Equal("bbbb", resolver.Resolve(Ref("Listed")));
        Assert.Equal(4, resolver.Resolve(Ref("Counted")).Length);
        Assert.Equal(32, WorstCaseResolver.LongestMatch("^[a-z0-9][a-z0-9-]{0,31}$"));
        Assert.Equal(12, WorstCaseResolver.LongestMatch(@"^$|^a\.b[0-9]{9}$"));
        // arn:aws-us-gov:sns:ap-southeast-4:123456789012:<48-character stack>-Topic-<13 characters>
        Assert.Equal("arn:aws-us-gov:sns:ap-southeast-4:123456789012:".Length + 48 + "-Topic-".Length + 13, resolver.Resolve(Ref("Topic")).Length);
    }

    private static Dictionary<string, object?> Ref(string name) => new(StringComparer.Ordinal) { ["Ref"] = name };

    /// <summary>Resolves values to the longest string a deployment could produce.</summary>
    private sealed partial class WorstCaseResolver
    {
        // Function names are "<stack>-invocation-logs" and Lambda allows 64 characters.
        private const int StackNameLength = 48;
        private readonly TemplateDocument _template;

        public WorstCaseResolver(TemplateDocument template)
        {
            _template = template;
        }

        public string Resolve(object? value) => CloudFormationYaml.AsIntrinsic(value) switch
        {
            ("Ref", string target) => Variable(target),
            ("Fn::GetAtt", List<object?> parts) => Attribute((string)parts[0]!),
            ("Fn::Sub", string text) => SubstitutionVariable().Replace(text, m => Variable(m.Groups[1].Value)),
            ("Fn::If", List<object?> branches) => new[] { Resolve(branches[1]), Resolve(branches[2]) }.MaxBy(s => s.Length)!,
            null when value is string text => text,
            null when value is not null => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
            _ => throw new FormatException($"cannot resolve {value}"),
        };

        private string Variable(string name)
        {
            switch (name)
            {
                case "AWS::StackName": return new string('s', StackNameLength);
                case "AWS::Region": return "ap-southeast-4";
                case "AWS::AccountId": return "123456789012";
                case "AWS::Partition": return "aws-us-gov";
                case "AWS::URLSuffix": return "amazonaws.com.cn";
                // arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/STACK-NAME/UUID (AWS CloudFormation
                // User Guide, "Pseudo parameters reference": AWS::StackId).
                case "AWS::StackId":
                    return $"arn:{Variable("AWS::Partition")}:cloudformation:{Variable("AWS::Region")}:{Variable("AWS::AccountId")}:stack/{Variable("AWS::StackName")}/51af3dc0-da77-11e4-872e-1234567db123";
            }

            if (name.Contains('.', StringComparison.Ordinal))
            {
                return Attribute(name[..name.IndexOf('.', StringComparison.Ordinal)]);
            }

            if (_template.Parameters.GetValueOrDefault(name) is Dictionary<string, object?> parameter)
            {
                return Longest(parameter);
            }

            var type = _template.Resources[name].Type;
            var generated = $"{Variable("AWS::StackName")}-{name}-{new string('x', 13)}";
            return type switch
            {
                "AWS::SNS::Topic" => $"arn:{Variable("AWS::Partition")}:sns:{Variable("AWS::Region")}:{Variable("AWS::AccountId")}:{generated}",
                "AWS::SQS::Queue" => $"https://sqs.{Variable("AWS::Region")}.{Variable("AWS::URLSuffix")}/{Variable("AWS::AccountId")}/{generated}",
                _ => generated,
            };
        }

        private string Attribute(string logicalId) =>
            $"arn:{Variable("AWS::Partition")}:service:{Variable("AWS::Region")}:{Variable("AWS::AccountId")}:resource/{Variable(logicalId)}";

        private static string Longest(Dictionary<string, object?> parameter)
        {
            if (parameter.GetValueOrDefault("AllowedValues") is List<object?> allowed)
            {
                return allowed.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty).MaxBy(v => v.Length)!;
            }

            if (parameter.GetValueOrDefault("MaxLength") is { } maxLength)
            {
                return new string('p', int.Parse(Convert.ToString(maxLength, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture));
            }

            if (parameter.GetValueOrDefault("AllowedPattern") is string pattern)
            {
                return new string('p', LongestMatch(pattern));
            }

            if ((parameter.GetValueOrDefault("Type") as string) == "Number")
            {
                return parameter.GetValueOrDefault("MaxValue") is { } max
                    ? Convert.ToString(max, CultureInfo.InvariantCulture)!
                    : "12345678901234567890";
            }

            throw new InvalidOperationException($"parameter without a length bound: {string.Join(", ", parameter.Keys)}");
        }

        [GeneratedRegex(@"\$\{([^}!][^}]*)\}")]
        private static partial Regex SubstitutionVariable();
        /// <summary>
        /// The longest string an anchored pattern of literals, escapes and [classes] with
        /// {n}/{m,n}/? quantifiers and | alternatives accepts; unbounded patterns (+, *) throw.
        /// </summary>
        internal static int LongestMatch(string pattern) =>
            pattern.Split('|').Max(alternative =>
            {
                var length = 0;
                var i = 0;
                while (i < alternative.Length)
                {
                    var c = alternative[i];
                    if (c is '^' or '$')
                    {
                        i++;
                        continue;
                    }

                    if (c == '[')
                    {
                        while (alternative[i] != ']')
                        {
                            i += alternative[i] == '\\' ? 2 : 1;
                        }
                    }
                    else if (c == '\\')
                    {
                        i++;
                    }

                    i++;
                    var atom = 1;
                    if (i < alternative.Length && alternative[i] == '{')
                    {
                        var close = alternative.IndexOf('}', i);
                        var bounds = alternative[(i + 1)..close].Split(',');
                        atom = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
                        i = close + 1;
                    }
                    else if (i < alternative.Length && alternative[i] is '+' or '*')
                    {
                        throw new InvalidOperationException($"unbounded pattern {pattern}");
                    }
                    else if (i < alternative.Length && alternative[i] == '?')
                    {
                        i++;
                    }

                    length += atom;
                }

                return length;
            });
    }
}
